-- The WMS and the ERPs tell the same shipment story: every shipment line the WMS reports is
-- booked in its entity's ERP with the same EA (the ERP is the system of record for the facts;
-- the WMS is used for stock positions and counts). Warns so a steward can follow up.
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'int_shipment_lines_unioned'}}}) }}  {#- the model it checks, for Dagster -#}

with wms_lines as (
    select * from {{ ref('stg_wms__shipment_lines') }}
),

wms_headers as (
    select * from {{ ref('stg_wms__shipments') }}
),

erp_lines as (
    select * from {{ ref('int_shipment_lines_unioned') }}
),

wms as (
    select
        wms_headers.shipment_id,
        wms_lines.shipment_line_no,
        wms_lines.qty_shipped_ea
    from wms_lines
    inner join wms_headers on wms_lines.event_id = wms_headers.event_id
)

select
    wms.shipment_id,
    wms.shipment_line_no,
    wms.qty_shipped_ea as wms_qty_ea,
    erp_lines.qty_shipped_ea as erp_qty_ea
from wms
left join erp_lines
    on
        wms.shipment_id = erp_lines.shipment_id
        and wms.shipment_line_no = erp_lines.shipment_line_no
where erp_lines.shipment_id is null or wms.qty_shipped_ea <> erp_lines.qty_shipped_ea
