"""Data generators: the deterministic demo seeds and the raw tables at any size as Parquet."""
