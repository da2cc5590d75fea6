{#- Like `relationships`, restricted to the child rows matching from_condition (e.g. only the
    mapped rows must find their golden record). -#}
{% test relationships_where(model, column_name, to, field, from_condition='1 = 1', to_condition='1 = 1') %}
with child as (
    select {{ column_name }} as ref_key
    from {{ model }}
    where {{ column_name }} is not null and ({{ from_condition }})
),

parent as (
    select {{ field }} as ref_key
    from {{ to }}
    where {{ to_condition }}
)

select child.ref_key
from child
left join parent on child.ref_key = parent.ref_key
where parent.ref_key is null
{% endtest %}
