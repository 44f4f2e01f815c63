{#-
    Amazon Bedrock usage from CUR 2.0, the provider's report of record. CUR bills one row per token
    type (input, output, cache read, cache write); they are pivoted into one row per day x account x
    region x model x resource, input_tokens inclusive of cache reads and writes. Request counts come
    from the invocation logs (count of requests per day, account, region and modelId) where logging
    is on, else 0; the logs' token counts are never added here.
-#}

with line_items as (

    select
        *,
        {{ aws_bedrock_token_type('usage_type') }} as token_type,
        {{ aws_bedrock_model_name('usage_type', 'product_name') }} as model_name,
        lower(usage_type) like '%batch%' as is_batch,
        case
            when lower(usage_type) like '%priority%' then 'priority'
            when lower(usage_type) like '%flex%' then 'flex'
            else 'default'
        end as service_tier,
        cast(round(usage_amount) as bigint) as tokens
    from {{ ref('stg_aws_cur__bedrock_line_items') }}
    where line_item_type in ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')

),

token_rows as (

    select
        *,
        {{ aws_bedrock_model_ref('resource_id', 'model_name') }} as model_ref,
        {{ aws_bedrock_model_key('resource_id') }} as model_key,
        case when resource_id like 'arn:%:application-inference-profile/%' then resource_id end as api_key_id
    from line_items
    where token_type <> 'other'

),

pivoted as (

    select
        source_id,
        usage_date,
        usage_account_id,
        region_code,
        model_name,
        model_ref,
        model_key,
        api_key_id,
        is_batch,
        service_tier,
        sum(case when token_type <> 'output' then tokens else 0 end) as input_tokens,
        sum(case when token_type = 'cache_read_input' then tokens else 0 end) as cache_read_input_tokens,
        sum(case when token_type = 'cache_creation_input' then tokens else 0 end) as cache_creation_input_tokens,
        sum(case when token_type = 'output' then tokens else 0 end) as output_tokens
    from token_rows
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10

),

requests as (

    select
        usage_date,
        account_id,
        region,
        model_id,
        count(*) as request_count
    from {{ ref('stg_aws_bedrock_invocation_logs__invocations') }}
    group by 1, 2, 3, 4

),

final as (

    select
        pivoted.source_id,
        'aws_bedrock' as provider,
        pivoted.usage_date,
        pivoted.model_name,
        pivoted.model_ref,
        case when lower(pivoted.model_ref) like '%embed%' then 'embeddings' else 'chat' end as operation,
        pivoted.usage_account_id as project_id,
        pivoted.api_key_id,
        coalesce(pivoted.api_key_id, pivoted.usage_account_id) as credential_id,
        cast(null as {{ dbt.type_string() }}) as person_id,
        pivoted.is_batch,
        pivoted.service_tier,
        case
            when pivoted.is_batch then cast(0 as bigint)
            else cast(coalesce(requests.request_count, 0) as bigint)
        end as request_count,
        cast(pivoted.input_tokens as bigint) as input_tokens,
        cast(pivoted.cache_read_input_tokens as bigint) as cache_read_input_tokens,
        cast(pivoted.cache_creation_input_tokens as bigint) as cache_creation_input_tokens,
        cast(pivoted.output_tokens as bigint) as output_tokens,
        cast(null as bigint) as reasoning_output_tokens,
        cast(null as decimal(38, 6)) as unit_count,
        cast(null as {{ dbt.type_string() }}) as unit,
        false as is_gateway
    from pivoted
    left join requests
        on pivoted.usage_date = requests.usage_date
        and pivoted.usage_account_id = requests.account_id
        and pivoted.region_code = requests.region
        and pivoted.model_key = requests.model_id

)

select * from final
