-- The build reads a timestamp without an offset as UTC and counts days on UTC dates, which
-- needs the engine's session time zone to be UTC (profiles.yml: DuckDB `TimeZone`, Spark
-- `spark.sql.session.timeZone`). Returns a row when it is not.
with

probe as (
    select
        {{ parse_utc_timestamp("'2026-03-01 23:30:00'") }} as without_offset,
        {{ parse_utc_timestamp("'2026-03-01T23:30:00Z'") }} as with_utc_offset
)

select *
from probe
where
    not coalesce(without_offset = with_utc_offset, false)
    or not coalesce(cast(with_utc_offset as date) = cast('2026-03-01' as date), false)
