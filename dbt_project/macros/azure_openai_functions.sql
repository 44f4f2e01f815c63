{#-
    Azure FOCUS cost rows with their meter mapped: model_ref, token_type and deployment_type from the
    azure_openai_meters seed, else from patterns on the meter name, e.g.
      "gpt-4o-0806-Inp-regnl Tokens" -> gpt-4o, input, regional
      "Az-GPT4o-Outp-DZone"          -> gpt-4o, output, data_zone
    and the token count: tokens = PricingQuantity x x_PricingBlockSize (the block from
    x_PricingUnitDescription "1K"/"1M" when the size is missing).
-#}
{% macro azure_openai_mapped_rows() -%}
    {%- set meter = "lower(trim(cost_rows.meter_name))" -%}
    {%- set compact = regexp_replace_all(regexp_replace_all(meter, '[ _]+', '-'), '^az-', '') -%}
    {%- set model_pattern = 'gpt-?[0-9]+(\.[0-9]+)?o?(-(mini|nano|transcribe))?|o[0-9]+(-mini)?|text-embedding-(3-large|3-small|ada-002)' -%}
    select
        cost_rows.*,
        coalesce(
            meters.model_ref,
            {{ regexp_replace_all(cloud_regexp_extract(compact, model_pattern), '^gpt-?', 'gpt-') }}
        ) as model_ref,
        coalesce(
            meters.token_type,
            case
                when {{ cloud_regexp_matches(meter, 'cached|cchd|cache-read|cache read') }} then 'cache_read_input'
                when {{ cloud_regexp_matches(meter, '(^|[^a-z])inp(ut|t)?([^a-z]|$)') }} then 'input'
                when {{ cloud_regexp_matches(meter, '(^|[^a-z])(outp|output|outpt)([^a-z]|$)') }} then 'output'
                else 'other'
            end
        ) as token_type,
        coalesce(
            meters.deployment_type,
            case
                when {{ cloud_regexp_matches(meter, 'dzone|data.?zone') }} then 'data_zone'
                when {{ cloud_regexp_matches(meter, 'regnl|regional') }} then 'regional'
                when {{ cloud_regexp_matches(meter, 'glbl|global') }} then 'global'
                else 'standard'
            end
            || case when {{ cloud_regexp_matches(meter, 'batch') }} then '_batch' else '' end
        ) as deployment_type,
        coalesce(
            cost_rows.pricing_block_size,
            case
                when upper(cost_rows.pricing_unit_description) like '1K%' then 1000
                when upper(cost_rows.pricing_unit_description) like '1M%' then 1000000
                else 1
            end
        ) as block_size
    from {{ ref('stg_azure_focus__cost_rows') }} as cost_rows
    left join {{ ref('azure_openai_meters') }} as meters
        on lower(trim(meters.meter_name)) = {{ meter }}
{%- endmacro %}
