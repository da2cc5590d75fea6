"""Fixed facts of the demo group and the knobs of each world scale.

The group (entities, warehouses, currencies) is the same at every scale; a scale only changes
how many items, customers and suppliers exist and how many order lines a year brings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

HORIZON_START = date(2025, 1, 1)
REPORTING_CURRENCY = "USD"


@dataclass(frozen=True)
class Entity:
    code: str
    name: str
    country: str
    currency: str
    source_system: str


@dataclass(frozen=True)
class Warehouse:
    code: str
    entity_code: str
    name: str
    city: str
    country: str
    # Share of its entity's customers served from here; entities' own volume share is below.
    weight: float


ENTITIES: tuple[Entity, ...] = (
    Entity("US01", "Backbone Distribution Inc.", "US", "USD", "group_erp"),
    Entity("CA01", "Backbone Distribution Canada Ltd.", "CA", "CAD", "group_erp"),
    Entity("MX01", "Backbone Distribución México S.A. de C.V.", "MX", "MXN", "group_erp"),
    Entity("MX02", "Distribuidora del Norte S.A. de C.V.", "MX", "MXN", "legacy_mx"),
    Entity("US02", "Great Lakes Industrial Supply LLC", "US", "USD", "legacy_us"),
)

# Share of the group's order lines booked by each entity.
ENTITY_VOLUME_SHARE: dict[str, float] = {
    "US01": 0.45,
    "CA01": 0.15,
    "MX01": 0.15,
    "MX02": 0.10,
    "US02": 0.15,
}

WAREHOUSES: tuple[Warehouse, ...] = (
    Warehouse("US01-ATL", "US01", "Atlanta DC", "Atlanta", "US", 0.35),
    Warehouse("US01-DAL", "US01", "Dallas DC", "Dallas", "US", 0.35),
    Warehouse("US01-CHI", "US01", "Chicago DC", "Chicago", "US", 0.30),
    Warehouse("CA01-TOR", "CA01", "Toronto DC", "Toronto", "CA", 0.60),
    Warehouse("CA01-VAN", "CA01", "Vancouver DC", "Vancouver", "CA", 0.40),
    Warehouse("MX01-MTY", "MX01", "CEDIS Monterrey", "Monterrey", "MX", 0.55),
    Warehouse("MX01-QRO", "MX01", "CEDIS Querétaro", "Querétaro", "MX", 0.45),
    Warehouse("MX02-GDL", "MX02", "Almacén Guadalajara", "Guadalajara", "MX", 1.00),
    Warehouse("US02-DET", "US02", "Detroit Warehouse", "Detroit", "US", 1.00),
)

# Where the FX random walks start (USD per unit) and the book rate used to turn USD master
# prices into entity-currency price lists and costs.
FX_START: dict[str, float] = {"USD": 1.0, "CAD": 0.73, "MXN": 0.055}

# Intercompany trade: (selling entity, buying entity). The buyer appears as a customer of the
# seller; its share of the seller's orders is INTERCOMPANY_ORDER_SHARE.
INTERCOMPANY_PAIRS: tuple[tuple[str, str], ...] = (
    ("US01", "CA01"),
    ("US01", "MX01"),
    ("US01", "US02"),
    ("MX01", "MX02"),
)
INTERCOMPANY_ORDER_SHARE = 0.04

CHANNELS = ("EDI", "ECOM", "REP", "COUNTER")
CHANNEL_SHARE = (0.30, 0.25, 0.30, 0.15)
# Mean number of lines an order has beyond its first, by channel.
EXTRA_LINES = (3.2, 1.4, 2.4, 0.8)

CATEGORIES = (
    "Fasteners",
    "Electrical",
    "Plumbing",
    "HVAC",
    "Safety",
    "Tools",
    "Janitorial",
    "Packaging",
)

CARRIERS: dict[str, tuple[str, ...]] = {
    "US": ("UPS", "FedEx", "XPO", "Estes"),
    "CA": ("Purolator", "Canpar", "UPS"),
    "MX": ("Estafeta", "DHL", "Paquetexpress"),
}

FORECAST_LAG_WEEKS = 2


@dataclass(frozen=True)
class ScaleConfig:
    name: str
    n_items: int
    n_customers: int
    n_suppliers: int
    order_lines_per_year: int
    # EDI customers trade through a handful of partners (retail chains, buying groups): each
    # partner's interchange carries the orders of many ship-to accounts (N1*ST).
    n_edi_customer_partners: int


SCALES: dict[str, ScaleConfig] = {
    "xs": ScaleConfig(
        "xs",
        n_items=60,
        n_customers=60,
        n_suppliers=8,
        order_lines_per_year=5_000,
        n_edi_customer_partners=5,
    ),
    "s": ScaleConfig(
        "s",
        n_items=800,
        n_customers=600,
        n_suppliers=40,
        order_lines_per_year=200_000,
        n_edi_customer_partners=24,
    ),
    "m": ScaleConfig(
        "m",
        n_items=5_000,
        n_customers=4_000,
        n_suppliers=150,
        order_lines_per_year=5_000_000,
        n_edi_customer_partners=60,
    ),
    "l": ScaleConfig(
        "l",
        n_items=20_000,
        n_customers=20_000,
        n_suppliers=400,
        order_lines_per_year=50_000_000,
        n_edi_customer_partners=120,
    ),
}


def scale_config(scale: str) -> ScaleConfig:
    """The named scale, or a clear error listing the valid names."""
    try:
        return SCALES[scale]
    except KeyError:
        raise ValueError(f"unknown scale {scale!r}; choose one of {sorted(SCALES)}") from None
