-- A retired application's credentials are still used on or after its retirement date.

select
    'retired_application_in_use' as rule,
    usage.*
from {{ ref('int_usage_governed') }} as usage
where usage.lifecycle_status = 'retired'
    and usage.usage_date >= usage.retired_on
