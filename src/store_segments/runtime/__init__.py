"""What a store runs: the gated build and its preview, publish, the report, audience exports, a
custom segment's preview, the change impact of a diff, history replays and read-only queries."""
