"""store-segments: the Python side of the segments dbt project, one `segments` command.

Three wings: `runtime` (what a store runs: build, preview, publish, report, export, segment, diff,
replay, query), `bench` (benchmarks and developer checks) and `generators` (the demo seeds and
generated data at any size). `dbt_door` is the one module that talks to dbt; `btyd` is the BTYD
code the dbt Python models import.
"""

__version__ = "0.2.0"
