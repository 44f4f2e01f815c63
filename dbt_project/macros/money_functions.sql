{#- Cost of a token count at a price per million tokens, DECIMAL (never float). -#}
{% macro token_cost(tokens, price_per_mtok) -%}
    (cast({{ tokens }} as decimal(38, 0)) * {{ price_per_mtok }} * cast('0.000001' as decimal(38, 10)))
{%- endmacro %}
