{#-
    The catalog's standard list price per provider, canonical model and token component, valid on
    [effective_from, effective_to): the base band (no long-context surcharge). What savings compare
    models and caching at.
-#}

with aliases as (

    select provider, model_ref as model_id, catalog_model_id
    from {{ ref('stg_prices__model_aliases') }}

),

catalog as (

    select provider, catalog_model_id, component, price_per_mtok, effective_from, effective_to
    from {{ ref('stg_prices__catalog') }}
    where price_tier = 'standard'
        and band_threshold_tokens = 0
        and component in ('input', 'cache_read', 'output')

)

select distinct
    aliases.provider,
    aliases.model_id,
    catalog.component,
    cast(catalog.price_per_mtok as decimal(38, 10)) as price_per_mtok,
    catalog.effective_from,
    catalog.effective_to
from aliases
inner join catalog
    on catalog.provider = aliases.provider
    and catalog.catalog_model_id = aliases.catalog_model_id
