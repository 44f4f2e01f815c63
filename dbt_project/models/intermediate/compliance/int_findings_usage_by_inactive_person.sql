{#-
    A credential held by a person who had left or was suspended on the day it was used. Usage's
    person_id is the holder's normalized email. A person version (int_person_versions) with status
    departed or suspended covers its own validity, reaching back to left_at / suspended_at when the
    identity source knows when the change happened (history before the first snapshot is otherwise
    unknown).
-#}

with usage as (

    select * from {{ ref('int_usage_governed') }}
    where person_id is not null

),

inactive as (

    select
        email,
        status as person_status,
        coalesce(
            cast(case when status = 'departed' then left_at else suspended_at end as date),
            valid_from
        ) as inactive_from,
        valid_to
    from {{ ref('int_person_versions') }}
    where status in ('departed', 'suspended')

)

select
    'usage_by_inactive_person' as rule,
    inactive.person_status,
    usage.*
from usage
inner join inactive
    on inactive.email = usage.person_id
    and usage.usage_date >= inactive.inactive_from
    and (inactive.valid_to is null or usage.usage_date < inactive.valid_to)
