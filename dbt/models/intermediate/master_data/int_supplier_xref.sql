-- Supplier crosswalk: (source system, entity, local supplier code) → golden supplier_id. Group
-- ERP suppliers are group-wide (one row per group ERP entity); legacy codes map through the
-- steward's crosswalk.
with erp_suppliers as (
    select * from {{ ref('stg_group_erp__suppliers') }}
    where not coalesce(is_deleted, false)
),

erp_entities as (
    select entity_code from {{ ref('int_entities') }}
    where source_system = 'group_erp'
),

mx_suppliers as (
    {{ latest_version(ref('stg_legacy_mx__suppliers'), ['supplier_code'], 'file_date desc, _source_row desc') }}
),

us_suppliers as (
    {{ latest_version(ref('stg_legacy_us__suppliers'), ['supplier_code'], 'file_date desc, _source_row desc') }}
),

crosswalk as (
    select * from {{ ref('stg_crosswalk__suppliers') }}
),

legacy_suppliers as (
    select
        entity_code,
        'legacy_mx' as source_system,
        supplier_code,
        supplier_name,
        country,
        currency,
        planned_lead_time_days,
        edi_partner_id
    from mx_suppliers

    union all

    select
        entity_code,
        'legacy_us' as source_system,
        supplier_code,
        supplier_name,
        country,
        currency,
        planned_lead_time_days,
        edi_partner_id
    from us_suppliers
),

final as (
    select
        erp_entities.entity_code,
        'group_erp' as source_system,
        erp_suppliers.supplier_id as local_supplier_code,
        erp_suppliers.supplier_id,
        erp_suppliers.supplier_name,
        erp_suppliers.country,
        erp_suppliers.currency,
        erp_suppliers.planned_lead_time_days,
        erp_suppliers.edi_partner_id,
        true as is_mapped
    from erp_suppliers
    cross join erp_entities

    union all

    select
        legacy_suppliers.entity_code,
        legacy_suppliers.source_system,
        legacy_suppliers.supplier_code as local_supplier_code,
        crosswalk.golden_code as supplier_id,
        legacy_suppliers.supplier_name,
        legacy_suppliers.country,
        legacy_suppliers.currency,
        legacy_suppliers.planned_lead_time_days,
        legacy_suppliers.edi_partner_id,
        crosswalk.golden_code is not null as is_mapped
    from legacy_suppliers
    left join crosswalk
        on
            legacy_suppliers.source_system = crosswalk.source_system
            and legacy_suppliers.entity_code = crosswalk.entity_code
            and legacy_suppliers.supplier_code = crosswalk.local_code
)

select * from final
