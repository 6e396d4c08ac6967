-- One row: this store's own vars, which share their names with settings of the package (as_of,
-- raw_source) and must stay this store's.
select
    {{ segments.string_literal(var("as_of")) }} as as_of_setting,
    {{ segments.string_literal(var("raw_source")) }} as raw_source_setting
