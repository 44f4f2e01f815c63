{#-
    dbt's own macros where Spark needs other spellings. Types: the YAML contracts and seeds spell
    text as varchar, which Spark only knows with a length (unbounded text is string there); model
    SQL uses dbt.type_string().
-#}
{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ spark_type(type) }})
{%- endmacro %}

{% macro spark_type(type) -%}
    {%- set normalized = type | trim | lower -%}
    {{ return('string' if normalized in ('varchar', 'text') else type) }}
{%- endmacro %}

{#-
    dbt-spark's listagg drops the order by. Sorting structs of (order keys..., value) orders the list as
    DuckDB's string_agg(... order by ...) does (ascending keys; null values skipped when joined).
-#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if limit_num -%}
        {{ exceptions.raise_compiler_error("listagg on Spark: limit_num is not supported") }}
    {%- endif -%}
    {%- if not order_by_clause -%}
        array_join(collect_list({{ measure }}), {{ delimiter_text }})
    {%- else -%}
        {%- set keys = order_by_clause | trim | replace('order by ', '', 1) | replace('ORDER BY ', '', 1) -%}
        {%- if ' desc' in keys | lower -%}
            {{ exceptions.raise_compiler_error("listagg on Spark: only ascending order by is supported, got " ~ order_by_clause) }}
        {%- endif -%}
        {%- set fields = [] -%}
        {%- for key in keys.split(',') -%}
            {%- do fields.append((key | trim | replace(' asc', '') | replace(' ASC', '')) ~ ' as k' ~ loop.index) -%}
        {%- endfor -%}
        array_join(
            transform(
                array_sort(collect_list(struct({{ fields | join(', ') }}, {{ measure }} as v))),
                entry -> entry.v
            ),
            {{ delimiter_text }}
        )
    {%- endif -%}
{%- endmacro %}
