{#- Quantities and amounts that can never be below zero. -#}
{% test not_negative(model, column_name, where=none) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} < 0
  {%- if where %} and ({{ where }}){% endif %}
{% endtest %}
