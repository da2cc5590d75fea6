-- Item crosswalk: (source system, entity, local item code) → golden item_id, with the local
-- master's attributes. Group ERP entities use the golden code as local code; legacy codes map
-- through the steward's crosswalk and stay unmapped (golden null) when it has no row.
with erp_items as (
    select * from {{ ref('stg_group_erp__items') }}
    where not coalesce(is_deleted, false)
),

erp_entities as (
    select entity_code from {{ ref('int_entities') }}
    where source_system = 'group_erp'
),

mx_items as (
    {{ latest_version(ref('stg_legacy_mx__items'), ['item_code'], 'file_date desc, _source_row desc') }}
),

us_items as (
    {{ latest_version(ref('stg_legacy_us__items'), ['item_code'], 'file_date desc, _source_row desc') }}
),

crosswalk as (
    select * from {{ ref('stg_crosswalk__items') }}
),

legacy_items as (
    select
        entity_code,
        'legacy_mx' as source_system,
        item_code,
        description,
        category,
        abc_class,
        case_size,
        pack_size,
        is_stock_item
    from mx_items

    union all

    select
        entity_code,
        'legacy_us' as source_system,
        item_code,
        description,
        category,
        abc_class,
        case_size,
        pack_size,
        is_stock_item
    from us_items
),

erp_xref as (
    select
        erp_entities.entity_code,
        'group_erp' as source_system,
        erp_items.item_id as local_item_code,
        erp_items.item_id,
        erp_items.description,
        erp_items.category,
        erp_items.abc_class,
        erp_items.case_size,
        erp_items.pack_size,
        erp_items.is_stock_item,
        true as is_mapped
    from erp_items
    cross join erp_entities
),

legacy_xref as (
    select
        legacy_items.entity_code,
        legacy_items.source_system,
        legacy_items.item_code as local_item_code,
        crosswalk.golden_code as item_id,
        legacy_items.description,
        legacy_items.category,
        legacy_items.abc_class,
        legacy_items.case_size,
        legacy_items.pack_size,
        legacy_items.is_stock_item,
        crosswalk.golden_code is not null as is_mapped
    from legacy_items
    left join crosswalk
        on
            legacy_items.source_system = crosswalk.source_system
            and legacy_items.entity_code = crosswalk.entity_code
            and legacy_items.item_code = crosswalk.local_code
),

final as (
    select * from erp_xref
    union all
    select * from legacy_xref
)

select * from final
