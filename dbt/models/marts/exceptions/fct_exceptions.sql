-- The exception queue: every exception the governed rules detect, with what people did about
-- it (acknowledged, assigned, resolved: the workflow store's log) and when the queue first
-- showed it (snapshot of earlier runs), which starts its resolution clock.
with detected as (
    select * from {{ ref('int_exceptions_detected') }}
),

workflow as (
    select * from {{ ref('int_exception_workflow') }}
),

first_seen as (
    select
        exception_id,
        min(dbt_valid_from) as first_seen_at
    from {{ ref('snp_exceptions_seen') }}
    group by exception_id
),

final as (
    select
        detected.exception_id,
        detected.exception_type,
        detected.exception_key,
        detected.severity,
        detected.entity_code,
        detected.owner_role,
        detected.detected_at,
        detected.sla_due,
        detected.money_at_stake_usd,
        -- a record the source cancelled stays cancelled; otherwise people's actions decide
        case
            when detected.status = 'open' then coalesce(workflow.workflow_status, 'open')
            else detected.status
        end as status,
        detected.detail,
        workflow.assignee,
        workflow.acknowledged_at,
        workflow.resolved_at,
        workflow.last_action_at,
        workflow.last_comment,
        first_seen.first_seen_at,
        cast(
            {{ dbt.datediff('first_seen.first_seen_at', 'workflow.resolved_at', 'second') }}
            as {{ type_double() }}
        ) / 3600.0 as resolution_hours
    from detected
    left join workflow on detected.exception_id = workflow.exception_id
    left join first_seen on detected.exception_id = first_seen.exception_id
)

select * from final
