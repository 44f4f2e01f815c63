{#-
    Rated cost: tokens x the list price in effect on the usage day (never today's price), per
    provider, model and tier, with negotiated overrides from governance (see _int_cost__models.yml).

    - Gateway traffic (LiteLLM, OpenTelemetry) is rated per request, so a request that crosses a
      context band pays that band's price; it is then summed to the usage grain. Requests of the
      same input size are rated together (int_gateway_requests_by_size): same band, same price.
    - Provider usage APIs give daily aggregates: a daily total never selects a context band. Rows
      whose provider reports the context-window bucket (Anthropic's context_window) pay that band;
      other daily rows pay the base band and are flagged is_price_approximate where the model has
      bands (long requests inside them cannot be told apart).
    - A model or component without a price is no_price_known with rated_cost null, never zero.
    - Cache reads and writes without their own price pay the input price (as genai-prices does);
      1-hour cache writes pay their own price, else the (5-minute) cache-write price. Both cache
      writes are summed in rated_cache_write_cost.
    - Bedrock-style references (us.anthropic.claude-...-v1:0) that no exact alias names resolve by
      the catalog's prefix/suffix/substring rules, first matching model wins (genai-prices' order).
    - Models with time-of-day (off-peak) prices are rated at the price outside those windows and
      flagged is_price_approximate.
    - Non-token usage (images, audio characters or seconds, tool calls, sessions, storage: rows with
      a unit_count in their unit) pays unit_count x the unit's list price in effect that day
      (stg_governance__unit_prices), in rated_unit_cost: the price of the row's model or tool first,
      else the provider's price for the unit without a model. Usage still without a price is
      no_price_known with its unrated_reason.
-#}

{#- A table (the reconciliation and the restatement history both read it in the same run), kept
    incrementally: a run re-rates the provider rows of its window and the gateway rows of the days
    that changed (macros/rating_window.sql), so its cost does not grow with history. -#}
{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        meta={'aiuw': {'test_days': 'window', 'landed_rows': 'is_gateway'}},
        **rated_window_config()
    )
}}

{%- set keys = [
    'usage_date', 'source_id', 'provider', 'gateway', 'is_gateway', 'model_id', 'model_name',
    'model_ref', 'operation', 'project_id', 'api_key_id', 'credential_id', 'person_id', 'is_batch',
    'service_tier', 'price_tier', 'rating_grain', 'unit',
] -%}
{%- set components = ['input', 'cache_read', 'cache_write', 'output'] -%}
{%- set priced_components = ['input', 'cache_read', 'cache_write', 'cache_write_1h', 'output'] -%}

with provider_usage as (

    select
        usage_date, source_id, provider, gateway, is_gateway, model_id, model_name, model_ref,
        operation, project_id, api_key_id, credential_id, person_id, is_batch, service_tier,
        'daily' as rating_grain,
        request_count, input_tokens, cache_read_input_tokens, cache_creation_input_tokens,
        coalesce(cache_creation_1h_input_tokens, 0) as cache_creation_1h_input_tokens,
        output_tokens, unit_count, unit,
        {#- a request size inside the reported bucket: n > min selects the band above min -#}
        case
            when context_band_min_tokens > 0 then context_band_min_tokens + 1
            else cast(0 as bigint)
        end as band_input_tokens,
        context_band_min_tokens is not null as has_context_band
    from {{ ref('int_usage_records_normalized') }}
    where not is_gateway and {{ in_refresh_window('usage_date') }}

),

request_usage as (

    {#- Gateway requests are rated per request: groups of requests with the same input size. -#}
    select
        usage_date, source_id, provider, gateway, true as is_gateway,
        {{ canonical_model_id('model_ref') }} as model_id, model_name, model_ref, operation,
        project_id, api_key_id, credential_id, person_id, false as is_batch,
        'default' as service_tier, 'request' as rating_grain,
        request_count, input_tokens, cache_read_input_tokens, cache_creation_input_tokens,
        cast(0 as bigint) as cache_creation_1h_input_tokens,
        output_tokens, cast(null as decimal(38, 6)) as unit_count, cast(null as {{ dbt.type_string() }}) as unit,
        request_input_tokens as band_input_tokens, true as has_context_band
    from {{ ref('int_gateway_requests_by_size') }}
    {%- if is_incremental() %}
    where usage_date >= cast('{{ gateway_rating_min_date() }}' as date)
        and usage_date < cast('{{ run_var('max_date') }}' as date)
    {%- endif %}

),

units as (

    {#- A unit is (usage_date, unit_id): numbered within its day, so the numbering sorts one day at a
        time, and ordered by every column, so engines that evaluate this CTE once per reader (Spark)
        number it alike each time (rows equal in every column are interchangeable). -#}
    select
        row_number() over (
            partition by unioned.usage_date
            order by
                {% for key in keys if key not in ('usage_date', 'price_tier', 'unit') -%}
                unioned.{{ key }},
                {% endfor -%}
                unioned.band_input_tokens, unioned.has_context_band, unioned.unit,
                unioned.request_count, unioned.input_tokens, unioned.cache_read_input_tokens,
                unioned.cache_creation_input_tokens, unioned.cache_creation_1h_input_tokens,
                unioned.output_tokens, unioned.unit_count
        ) as unit_id,
        unioned.*,
        case
            when is_batch then 'batch'
            when lower(service_tier) in ('flex', 'priority') then lower(service_tier)
            else 'standard'
        end as price_tier
    from (
        select * from provider_usage
        union all
        select * from request_usage
    ) as unioned

),

aliases as (

    select * from {{ ref('stg_prices__model_aliases') }}

),

creators as (

    select
        model_id,
        case model_creator when 'google' then 'google_vertex' else model_creator end as provider
    from {{ ref('model_catalog') }}

),

model_refs as (

    select distinct provider, lower(model_ref) as model_ref from units where model_ref is not null

),

pattern_matches as (

    {#- genai-prices tries a provider's models in order; the first whose rule matches wins. -#}
    select
        model_refs.provider,
        model_refs.model_ref,
        patterns.catalog_model_id,
        row_number() over (
            partition by model_refs.provider, model_refs.model_ref order by patterns.match_order
        ) as preference
    from model_refs
    inner join aliases as patterns
        on patterns.provider = model_refs.provider
        and (
            (patterns.match_kind = 'starts_with' and {{ dbt.position('patterns.model_ref', 'model_refs.model_ref') }} = 1)
            or (patterns.match_kind = 'contains' and {{ dbt.position('patterns.model_ref', 'model_refs.model_ref') }} > 0)
            or (
                patterns.match_kind = 'ends_with'
                and {{ dbt.right('model_refs.model_ref', dbt.length('patterns.model_ref')) }} = patterns.model_ref
            )
        )

),

resolved as (

    {#- The provider's own list price first: its raw reference exactly, then by the catalog's match
        rules, then the canonical id; else the model creator's (e.g. a Claude model on a gateway
        whose upstream the catalog lacks). -#}
    select
        units.*,
        case
            when coalesce(by_ref.catalog_model_id, by_pattern.catalog_model_id, by_id.catalog_model_id) is not null
                then units.provider
            when by_creator.catalog_model_id is not null then creators.provider
        end as catalog_provider,
        coalesce(
            by_ref.catalog_model_id,
            by_pattern.catalog_model_id,
            by_id.catalog_model_id,
            by_creator.catalog_model_id
        ) as catalog_model_id
    from units
    left join aliases as by_ref
        on by_ref.provider = units.provider and by_ref.model_ref = lower(units.model_ref)
        and by_ref.match_kind = 'equals'
    left join pattern_matches as by_pattern
        on by_pattern.provider = units.provider and by_pattern.model_ref = lower(units.model_ref)
        and by_pattern.preference = 1
    left join aliases as by_id
        on by_id.provider = units.provider and by_id.model_ref = units.model_id
        and by_id.match_kind = 'equals'
    left join creators
        on creators.model_id = units.model_id
    left join aliases as by_creator
        on by_creator.provider = creators.provider and by_creator.model_ref = units.model_id
        and by_creator.match_kind = 'equals'

),

component_tokens as (

    {% for component in priced_components %}
    select
        unit_id, usage_date, provider, model_id, price_tier, band_input_tokens, catalog_provider,
        catalog_model_id, '{{ component }}' as component,
        {%- if component == 'input' %}
        input_tokens - cache_read_input_tokens - cache_creation_input_tokens as tokens
        {%- elif component == 'cache_read' %}
        cache_read_input_tokens as tokens
        {%- elif component == 'cache_write' %}
        cache_creation_input_tokens - cache_creation_1h_input_tokens as tokens
        {%- elif component == 'cache_write_1h' %}
        cache_creation_1h_input_tokens as tokens
        {%- else %}
        output_tokens as tokens
        {%- endif %}
    from resolved
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

catalog as (

    select
        *,
        count(*) over (
            partition by provider, catalog_model_id, price_tier, component, effective_from
        ) as band_count
    from {{ ref('stg_prices__catalog') }}

),

list_price_candidates as (

    {#- The requested tier before standard; a component's own price before the cache-write price
        (1-hour writes) before the input price (cache reads and writes). -#}
    select
        component_tokens.unit_id,
        component_tokens.component,
        catalog.price_tier as catalog_price_tier,
        catalog.price_per_mtok,
        catalog.band_count,
        catalog.has_time_of_day_prices,
        component_tokens.usage_date,
        row_number() over (
            partition by component_tokens.usage_date, component_tokens.unit_id, component_tokens.component
            order by
                case when catalog.price_tier = component_tokens.price_tier then 0 else 1 end,
                case catalog.component
                    when component_tokens.component then 0
                    when 'cache_write' then 1
                    else 2
                end
        ) as preference
    from component_tokens
    inner join catalog
        on catalog.provider = component_tokens.catalog_provider
        and catalog.catalog_model_id = component_tokens.catalog_model_id
        and catalog.price_tier in (component_tokens.price_tier, 'standard')
        and (
            catalog.component = component_tokens.component
            or (catalog.component = 'input' and component_tokens.component in ('cache_read', 'cache_write', 'cache_write_1h'))
            or (catalog.component = 'cache_write' and component_tokens.component = 'cache_write_1h')
        )
        and (catalog.effective_from is null or component_tokens.usage_date >= catalog.effective_from)
        and (catalog.effective_to is null or component_tokens.usage_date < catalog.effective_to)
        and (catalog.band_threshold_tokens = 0 or component_tokens.band_input_tokens > catalog.band_threshold_tokens)
        and (catalog.band_upper_tokens is null or component_tokens.band_input_tokens <= catalog.band_upper_tokens)

),

overrides as (

    select * from {{ ref('stg_governance__price_overrides') }}

),

unit_price_list as (

    select * from {{ ref('stg_governance__unit_prices') }}

),

unit_price_candidates as (

    {#- A unit's list price: its model or tool's own price before the provider's price for the unit. -#}
    select
        resolved.usage_date,
        resolved.unit_id,
        unit_prices.unit_price_id,
        {#- operand precisions leave the product its decimals on engines that cut the scale to fit
            38 digits (Spark keeps 13 here): up to 10^18 units, prices below 10^6 per unit -#}
        cast(
            cast(resolved.unit_count as decimal(24, 6)) * cast(unit_prices.price_per_unit as decimal(30, 24))
            as decimal(38, 10)
        ) as rated_unit_cost,
        row_number() over (
            partition by resolved.usage_date, resolved.unit_id
            order by case when unit_prices.model_ref is null then 1 else 0 end, unit_prices.unit_price_id
        ) as preference
    from resolved
    inner join unit_price_list as unit_prices
        on unit_prices.provider = resolved.provider
        and unit_prices.unit = resolved.unit
        and (
            unit_prices.model_ref is null
            or unit_prices.model_ref = lower(resolved.model_ref)
            or unit_prices.model_ref = resolved.model_id
        )
        and resolved.usage_date >= unit_prices.starts_on
        and (unit_prices.ends_on is null or resolved.usage_date < unit_prices.ends_on)
    where resolved.unit_count is not null

),

component_prices as (

    select
        component_tokens.usage_date,
        component_tokens.unit_id,
        component_tokens.component,
        component_tokens.tokens,
        list_prices.catalog_price_tier,
        list_prices.band_count,
        list_prices.has_time_of_day_prices,
        overrides.override_id,
        case
            when overrides.price_per_mtok is not null then overrides.price_per_mtok
            when overrides.discount_percent is not null
                then cast(
                    list_prices.price_per_mtok * (100 - overrides.discount_percent) * cast('0.01' as decimal(38, 10))
                    as decimal(38, 10)
                )
            else list_prices.price_per_mtok
        end as price_per_mtok
    from component_tokens
    left join list_price_candidates as list_prices
        on list_prices.usage_date = component_tokens.usage_date
        and list_prices.unit_id = component_tokens.unit_id
        and list_prices.component = component_tokens.component
        and list_prices.preference = 1
    left join overrides
        on overrides.provider = component_tokens.provider
        and overrides.model_id = component_tokens.model_id
        and overrides.price_tier = component_tokens.price_tier
        and (
            overrides.component = component_tokens.component
            {#- a discount takes every component off, the 1-hour cache writes too #}
            or (
                component_tokens.component = 'cache_write_1h'
                and overrides.component = 'cache_write'
                and overrides.discount_percent is not null
            )
        )
        and component_tokens.usage_date >= overrides.starts_on
        and (overrides.ends_on is null or component_tokens.usage_date < overrides.ends_on)

),

component_costs as (

    select
        *,
        case
            when tokens = 0 then cast(0 as decimal(38, 10))
            else cast(
                cast(tokens as decimal(38, 0)) * price_per_mtok * cast('0.000001' as decimal(38, 10))
                as decimal(38, 10)
            )
        end as cost,
        case when tokens <> 0 and price_per_mtok is null then 1 else 0 end as is_unpriced,
        case when tokens <> 0 and override_id is not null then 1 else 0 end as is_overridden,
        case when tokens <> 0 and band_count > 1 then 1 else 0 end as is_banded,
        case when tokens <> 0 and has_time_of_day_prices and override_id is null then 1 else 0 end
            as is_time_of_day
    from component_prices

),

unit_costs as (

    select
        usage_date,
        unit_id,
        {% for component in components %}
        sum(
            case when component {% if component == 'cache_write' %}in ('cache_write', 'cache_write_1h'){% else %}= '{{ component }}'{% endif %} then cost end
        ) as rated_{{ component }}_cost,
        {% endfor %}
        sum(cost) as component_cost,
        max(is_unpriced) as has_unpriced_component,
        max(is_overridden) as has_override,
        max(is_banded) as has_bands,
        max(is_time_of_day) as has_time_of_day_prices,
        max(case when tokens <> 0 then override_id end) as override_id,
        max(case when tokens <> 0 then catalog_price_tier end) as catalog_price_tier
    from component_costs
    group by usage_date, unit_id

),

rated_units as (

    select
        resolved.*,
        unit_costs.rated_input_cost,
        unit_costs.rated_cache_read_cost,
        unit_costs.rated_cache_write_cost,
        unit_costs.rated_output_cost,
        unit_costs.override_id,
        unit_costs.catalog_price_tier,
        unit_prices.unit_price_id,
        {#- no unit, nothing to pay for it; a unit without a price: unknown (null) -#}
        coalesce(
            unit_prices.rated_unit_cost,
            case when resolved.unit_count is null or resolved.unit_count = 0 then cast(0 as decimal(38, 10)) end
        ) as rated_unit_cost,
        case
            when unit_costs.has_unpriced_component = 1 then 'no_token_price'
            when resolved.unit_count is not null and resolved.unit_count <> 0
                and resolved.input_tokens + resolved.output_tokens = 0
                and unit_prices.unit_price_id is null then 'no_unit_price'
            when resolved.catalog_model_id is null and unit_costs.has_override = 0
                and unit_prices.unit_price_id is null then 'unknown_model'
        end as unrated_reason,
        case
            when unit_costs.has_unpriced_component = 1 then 'no_price_known'
            when resolved.unit_count is not null and resolved.unit_count <> 0
                and resolved.input_tokens + resolved.output_tokens = 0
                and unit_prices.unit_price_id is null then 'no_price_known'
            when resolved.catalog_model_id is null and unit_costs.has_override = 0
                and unit_prices.unit_price_id is null then 'no_price_known'
            when unit_costs.has_override = 1 then 'priced_by_override'
            else 'priced'
        end as price_status,
        (not resolved.has_context_band and unit_costs.has_bands = 1)
            or unit_costs.has_time_of_day_prices = 1 as is_price_approximate,
        unit_costs.component_cost + coalesce(unit_prices.rated_unit_cost, cast(0 as decimal(38, 10)))
            as component_cost
    from resolved
    inner join unit_costs
        on unit_costs.usage_date = resolved.usage_date
        and unit_costs.unit_id = resolved.unit_id
    left join unit_price_candidates as unit_prices
        on unit_prices.usage_date = resolved.usage_date
        and unit_prices.unit_id = resolved.unit_id
        and unit_prices.preference = 1

),

pricing_snapshot as (

    select snapshots.overrides_sha256, catalog.catalog_version
    from (
        select max(overrides_sha256) as overrides_sha256
        from {{ ref('stg_governance__price_override_snapshots') }}
    ) as snapshots
    cross join (
        select max(catalog_version) as catalog_version from {{ ref('stg_prices__catalog') }}
    ) as catalog

),

final as (

    select
        {% for key in keys %}rated_units.{{ key }},
        {% endfor %}
        max(rated_units.catalog_provider) as catalog_provider,
        max(rated_units.catalog_model_id) as catalog_model_id,
        max(rated_units.catalog_price_tier) as catalog_price_tier,
        max(rated_units.override_id) as override_id,
        max(rated_units.unit_price_id) as unit_price_id,
        min(rated_units.unrated_reason) as unrated_reason,
        case
            when max(case when rated_units.price_status = 'no_price_known' then 1 else 0 end) = 1 then 'no_price_known'
            when max(case when rated_units.price_status = 'priced_by_override' then 1 else 0 end) = 1 then 'priced_by_override'
            else 'priced'
        end as price_status,
        max(case when rated_units.is_price_approximate then 1 else 0 end) = 1 as is_price_approximate,
        sum(case when rated_units.price_status = 'no_price_known' then rated_units.request_count else 0 end)
            as unpriced_request_count,
        sum(rated_units.request_count) as request_count,
        sum(rated_units.input_tokens) as input_tokens,
        sum(rated_units.cache_read_input_tokens) as cache_read_input_tokens,
        sum(rated_units.cache_creation_input_tokens) as cache_creation_input_tokens,
        sum(rated_units.output_tokens) as output_tokens,
        sum(rated_units.unit_count) as unit_count,
        {% for component in components %}
        sum(rated_units.rated_{{ component }}_cost) as rated_{{ component }}_cost,
        {% endfor %}
        sum(rated_units.rated_unit_cost) as rated_unit_cost,
        case
            when max(case when rated_units.price_status = 'no_price_known' then 1 else 0 end) = 0
                then sum(rated_units.component_cost)
        end as rated_cost
    from rated_units
    group by {% for key in keys %}rated_units.{{ key }}{% if not loop.last %}, {% endif %}{% endfor %}

)

select
    cast(final.usage_date as date) as usage_date,
    cast(final.source_id as {{ dbt.type_string() }}) as source_id,
    cast(final.provider as {{ dbt.type_string() }}) as provider,
    cast(final.gateway as {{ dbt.type_string() }}) as gateway,
    cast(final.is_gateway as boolean) as is_gateway,
    cast(final.rating_grain as {{ dbt.type_string() }}) as rating_grain,
    cast(final.model_id as {{ dbt.type_string() }}) as model_id,
    cast(final.model_name as {{ dbt.type_string() }}) as model_name,
    cast(final.model_ref as {{ dbt.type_string() }}) as model_ref,
    cast(final.operation as {{ dbt.type_string() }}) as operation,
    cast(final.project_id as {{ dbt.type_string() }}) as project_id,
    cast(final.api_key_id as {{ dbt.type_string() }}) as api_key_id,
    cast(final.credential_id as {{ dbt.type_string() }}) as credential_id,
    cast(final.person_id as {{ dbt.type_string() }}) as person_id,
    cast(final.is_batch as boolean) as is_batch,
    cast(final.service_tier as {{ dbt.type_string() }}) as service_tier,
    cast(final.price_tier as {{ dbt.type_string() }}) as price_tier,
    cast(final.catalog_price_tier as {{ dbt.type_string() }}) as catalog_price_tier,
    cast(final.catalog_provider as {{ dbt.type_string() }}) as catalog_provider,
    cast(final.catalog_model_id as {{ dbt.type_string() }}) as catalog_model_id,
    cast(final.override_id as {{ dbt.type_string() }}) as override_id,
    cast(final.unit_price_id as {{ dbt.type_string() }}) as unit_price_id,
    cast(final.price_status as {{ dbt.type_string() }}) as price_status,
    cast(final.unrated_reason as {{ dbt.type_string() }}) as unrated_reason,
    cast(final.is_price_approximate as boolean) as is_price_approximate,
    cast(final.request_count as bigint) as request_count,
    cast(final.unpriced_request_count as bigint) as unpriced_request_count,
    cast(final.input_tokens as bigint) as input_tokens,
    cast(final.cache_read_input_tokens as bigint) as cache_read_input_tokens,
    cast(final.cache_creation_input_tokens as bigint) as cache_creation_input_tokens,
    cast(final.output_tokens as bigint) as output_tokens,
    cast(final.unit_count as decimal(38, 6)) as unit_count,
    cast(final.unit as {{ dbt.type_string() }}) as unit,
    {% for component in components %}
    cast(final.rated_{{ component }}_cost as decimal(38, 10)) as rated_{{ component }}_cost,
    {% endfor %}
    cast(final.rated_unit_cost as decimal(38, 10)) as rated_unit_cost,
    cast(final.rated_cost as decimal(38, 10)) as rated_cost,
    cast('USD' as {{ dbt.type_string() }}) as billing_currency,
    cast(pricing_snapshot.overrides_sha256 as {{ dbt.type_string() }}) as overrides_sha256,
    cast(pricing_snapshot.catalog_version as {{ dbt.type_string() }}) as catalog_version
from final
cross join pricing_snapshot
