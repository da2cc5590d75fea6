-- What people did about each exception, from the queue's action log: its workflow status (the
-- latest status-changing action), assignee, and when it was first acknowledged and resolved.
-- Comments change nothing but the last comment; a reopen clears the resolution.
with actions as (
    select * from {{ ref('stg_workflow__exception_actions') }}
),

status_changes as (
    select
        exception_id,
        action,
        acted_at,
        row_number() over (partition by exception_id order by acted_at desc, action_id desc) as recency
    from actions
    where action in ('acknowledge', 'assign', 'resolve', 'reopen')
),

latest_status as (
    select
        exception_id,
        case action
            when 'acknowledge' then 'acknowledged'
            when 'assign' then 'assigned'
            when 'resolve' then 'resolved'
            else 'open'
        end as workflow_status,
        case when action = 'resolve' then acted_at end as resolved_at
    from status_changes
    where recency = 1
),

latest_assignee as (
    select
        exception_id,
        assignee,
        row_number() over (partition by exception_id order by acted_at desc, action_id desc) as recency
    from actions
    where action = 'assign'
),

latest_comment as (
    select
        exception_id,
        action_comment,
        row_number() over (partition by exception_id order by acted_at desc, action_id desc) as recency
    from actions
    where action_comment is not null and action_comment <> ''
),

per_exception as (
    select
        exception_id,
        min(case when action in ('acknowledge', 'assign', 'resolve') then acted_at end) as acknowledged_at,
        max(acted_at) as last_action_at,
        count(*) as action_count
    from actions
    group by exception_id
),

final as (
    select
        per_exception.exception_id,
        coalesce(latest_status.workflow_status, 'open') as workflow_status,
        latest_assignee.assignee,
        per_exception.acknowledged_at,
        latest_status.resolved_at,
        per_exception.last_action_at,
        latest_comment.action_comment as last_comment,
        per_exception.action_count
    from per_exception
    left join latest_status on per_exception.exception_id = latest_status.exception_id
    left join latest_assignee
        on per_exception.exception_id = latest_assignee.exception_id and latest_assignee.recency = 1
    left join latest_comment
        on per_exception.exception_id = latest_comment.exception_id and latest_comment.recency = 1
)

select * from final
