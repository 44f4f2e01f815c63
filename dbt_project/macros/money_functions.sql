{#- Cost of a token count at a price per million tokens, DECIMAL (never float). -#}
{% macro token_cost(tokens, price_per_mtok) -%}
    (cast({{ tokens }} as decimal(38, 0)) * {{ price_per_mtok }} * cast('0.000001' as decimal(38, 10)))
{%- endmacro %}

{#-
    numerator / denominator rounded half away from zero to `scale` decimals, exactly, as DECIMAL
    (null when the denominator is 0). The operands are DECIMAL or integer, with at most 10 decimals.
-#}
{% macro decimal_divide(numerator, denominator, scale) -%}
    {{ return(adapter.dispatch('decimal_divide', 'ai_usage_warehouse')(numerator, denominator, scale)) }}
{%- endmacro %}

{#- Spark and PostgreSQL divide DECIMALs exactly. -#}
{% macro default__decimal_divide(numerator, denominator, scale) -%}
    round(({{ numerator }}) / nullif({{ denominator }}, 0), {{ scale }})
{%- endmacro %}

{#-
    DuckDB divides two DECIMALs in DOUBLE: a quotient exactly half-way at `scale` decimals (such as
    -82.74655) can round the wrong way. Here both operands become integers of 10^-10 units and the
    rounding is integer division: (2|n| 10^scale + |d|) // 2|d|, with the sign put back.
-#}
{% macro duckdb__decimal_divide(numerator, denominator, scale) -%}
    {%- set n = 'cast(cast(' ~ numerator ~ ' as decimal(38, 10)) * 10000000000 as hugeint)' -%}
    {%- set d = 'cast(cast(' ~ denominator ~ ' as decimal(38, 10)) * 10000000000 as hugeint)' -%}
    {%- set unit = '1' if scale == 0 else '0.' ~ ('0' * (scale - 1)) ~ '1' -%}
    (case
        when {{ d }} = 0 then null
        else cast(
            sign({{ n }}) * sign({{ d }})
            * ((2 * abs({{ n }}) * {{ 10 ** scale }} + abs({{ d }})) // (2 * abs({{ d }})))
            as decimal(38, 0)
        ) * cast('{{ unit }}' as decimal(38, {{ scale }}))
    end)
{%- endmacro %}
