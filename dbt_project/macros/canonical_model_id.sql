{#- Canonical model id: provider snapshot names lose their date suffix (gpt-4.1-mini-2025-04-14 -> gpt-4.1-mini). -#}
{% macro canonical_model_id(column) -%}
    lower({{ regexp_replace_all(column, '-[0-9]{4}-[0-9]{2}-[0-9]{2}$', '') }})
{%- endmacro %}
