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

{#-
    dbt-spark's seeds bind each CSV value into the insert as '<value>' without escaping (session
    method), so a quote or a backslash in a seed breaks the statement, and numbers go through float.
    Each value is written here as an escaped text literal cast to the column's type (exact for
    decimals).
-#}
{% macro spark__load_csv_rows(model, agate_table) -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for col_name in agate_table.column_names -%}
                    {%- set type = column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)) -%}
                    cast({{ spark_seed_literal(row[loop.index0]) }} as {{ type }})
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{%- endmacro %}

{% macro spark_seed_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is sameas true or value is sameas false -%}
        {{ value | string | lower }}
    {%- else -%}
        '{{ value | string | replace('\\', '\\\\') | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}
