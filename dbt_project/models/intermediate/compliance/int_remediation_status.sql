{#-
    The remediation status of each finding as last set, wherever it was set: an entry of the
    register (remediation.yml) or an imported ticket. The later changed_at wins; on the same moment
    the register's entry, which a person wrote, wins over the ticket's.
-#}

with changes as (

    select
        finding_key, policy_id, subject_id, remediation_status, ticket_id, status_note,
        status_changed_at, status_changed_by,
        'register' as status_source,
        1 as source_rank
    from {{ ref('stg_governance__remediation_register') }}

    union all

    select
        finding_key, policy_id, subject_id, remediation_status, ticket_id, status_note,
        status_changed_at, status_changed_by,
        'ticket_import' as status_source,
        2 as source_rank
    from {{ ref('stg_governance__remediation_tickets') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by finding_key order by status_changed_at desc, source_rank
        ) as recency
    from changes

)

select
    finding_key,
    policy_id,
    subject_id,
    remediation_status,
    ticket_id,
    status_note,
    status_changed_at,
    status_changed_by,
    status_source
from ranked
where recency = 1
