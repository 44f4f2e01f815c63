{#- Functions whose spelling differs between engines, behind adapter dispatch. -#}

{#- A naive UTC timestamp from unix seconds. -#}
{% macro timestamp_from_unix_seconds(column) -%}
    {{ return(adapter.dispatch('timestamp_from_unix_seconds', 'ai_usage_warehouse')(column)) }}
{%- endmacro %}

{% macro default__timestamp_from_unix_seconds(column) -%}
    timestamp_seconds({{ column }})
{%- endmacro %}

{% macro duckdb__timestamp_from_unix_seconds(column) -%}
    make_timestamp(cast({{ column }} as bigint) * 1000000)
{%- endmacro %}

{#- Replace every match of a regular expression. -#}
{% macro regexp_replace_all(column, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'ai_usage_warehouse')(column, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regexp_replace_all(column, pattern, replacement) -%}
    regexp_replace({{ column }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}

{% macro duckdb__regexp_replace_all(column, pattern, replacement) -%}
    regexp_replace({{ column }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{#- The text value of a top-level key of a JSON object held as text (null when absent). -#}
{% macro json_text_field(column, key) -%}
    {{ return(adapter.dispatch('json_text_field', 'ai_usage_warehouse')(column, key)) }}
{%- endmacro %}

{% macro default__json_text_field(column, key) -%}
    get_json_object({{ column }}, '$.{{ key }}')
{%- endmacro %}

{% macro duckdb__json_text_field(column, key) -%}
    json_extract_string({{ column }}, '$.{{ key }}')
{%- endmacro %}

{#- Spark unescapes backslashes in string literals: a regex's backslashes are written twice. -#}
{% macro spark__regexp_replace_all(column, pattern, replacement) -%}
    regexp_replace({{ column }}, '{{ spark_regex(pattern) }}', '{{ replacement }}')
{%- endmacro %}

{% macro spark_regex(pattern) -%}
    {{ return(pattern | replace('\\', '\\\\')) }}
{%- endmacro %}

{#- Milliseconds from one timestamp to another, counted as whole-millisecond boundaries crossed. -#}
{% macro milliseconds_between(started_at, ended_at) -%}
    {{ return(adapter.dispatch('milliseconds_between', 'ai_usage_warehouse')(started_at, ended_at)) }}
{%- endmacro %}

{% macro default__milliseconds_between(started_at, ended_at) -%}
    {{ dbt.datediff(started_at, ended_at, 'millisecond') }}
{%- endmacro %}

{% macro spark__milliseconds_between(started_at, ended_at) -%}
    (unix_millis({{ ended_at }}) - unix_millis({{ started_at }}))
{%- endmacro %}

{#- One row per element of a JSON array of objects held as text (none when null), as a struct of the
    named keys read as text; a select-list expression. -#}
{% macro json_object_array_elements(column, keys) -%}
    {{ return(adapter.dispatch('json_object_array_elements', 'ai_usage_warehouse')(column, keys)) }}
{%- endmacro %}

{% macro default__json_object_array_elements(column, keys) -%}
    explode(from_json({{ column }}, 'array<struct<{% for key in keys %}{{ key }}:string{% if not loop.last %},{% endif %}{% endfor %}>>'))
{%- endmacro %}

{% macro duckdb__json_object_array_elements(column, keys) -%}
    unnest(from_json({{ column }}, '[{ {%- for key in keys %}"{{ key }}":"VARCHAR"{% if not loop.last %},{% endif %}{% endfor -%} }]'))
{%- endmacro %}

{#-
    Partition keys for deduplicating request ids. DuckDB sorts each partition by its keys, and ids
    that share a long prefix (chatcmpl-..., msg_01...) are slow to compare as text; a hash of the
    ids first makes most comparisons one integer. The ids stay in the keys, so a hash collision
    never merges two requests. Other engines hash-partition on their own and get the keys as given.
-#}
{% macro dedup_partition_keys(keys) -%}
    {{ return(adapter.dispatch('dedup_partition_keys', 'ai_usage_warehouse')(keys)) }}
{%- endmacro %}

{% macro default__dedup_partition_keys(keys) -%}
    {{ keys | join(', ') }}
{%- endmacro %}

{% macro duckdb__dedup_partition_keys(keys) -%}
    hash({{ keys | join(', ') }}), {{ keys | join(', ') }}
{%- endmacro %}

{#- The median of a column as an aggregate: the middle value, or the mean of the two middle values
    of an even count (nulls ignored). -#}
{% macro median_of(column) -%}
    {{ return(adapter.dispatch('median_of', 'ai_usage_warehouse')(column)) }}
{%- endmacro %}

{% macro default__median_of(column) -%}
    percentile_cont(0.5) within group (order by {{ column }})
{%- endmacro %}

{% macro duckdb__median_of(column) -%}
    median({{ column }})
{%- endmacro %}

{#- Exact and interpolated, as DuckDB's median. -#}
{% macro spark__median_of(column) -%}
    percentile({{ column }}, 0.5)
{%- endmacro %}
