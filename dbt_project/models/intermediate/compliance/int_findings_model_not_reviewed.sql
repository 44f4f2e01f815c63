-- Any usage (attributed or not) of a model governance does not know, or has not cleared.

select
    'model_not_reviewed' as rule,
    usage.*
from {{ ref('int_usage_governed') }} as usage
where usage.review_status is null
    or usage.review_status in ('under_review', 'prohibited')
