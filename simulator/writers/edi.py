"""EDI X12 004010 files per trading partner: orders, acknowledgments, ship notices, invoices, 846, 997.

The whole horizon's interchanges are built in day order (so control numbers continue across
appended runs), then only the days being generated are written. Envelope faults are placed on
those days only.
"""

from __future__ import annotations

import csv
import os
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from simulator.faults import duplicate_name, pick
from simulator.world import World
from simulator.writers import WriteContext
from simulator.writers.x12 import (
    ELEMENT,
    OTHER_STYLES,
    SINGLE,
    TERMINATOR,
    VICS,
    FunctionalGroup,
    Interchange,
    TransactionSet,
    X12Style,
    encode,
    render,
)

SOURCE = "edi"
CONTROL_STATE = "control_numbers.csv"

FUNCTIONAL_ID = {"850": "PO", "855": "PR", "856": "SH", "810": "IN", "846": "IB", "997": "FA"}


@dataclass(frozen=True)
class Document:
    partner_id: str
    entity_code: str
    direction: str
    day: date
    tset: TransactionSet


def write_edi(ctx: WriteContext) -> int:
    """Write the interchanges of the days being generated; returns the number of files.

    An appended run continues the control numbers saved by the previous run and acknowledges
    the groups of the last day that run wrote, read back from its outbound files.
    """
    styles = partner_styles(ctx.world)
    root = ctx.out / "edi"
    state = root / CONTROL_STATE
    if ctx.write_from > ctx.start and state.exists():
        isa, gs = _read_counters(state)
        yesterday = _read_outbound(root, ctx.write_from - timedelta(days=1))
    else:
        isa, gs, yesterday = defaultdict(int), defaultdict(int), []
    written = build_interchanges(ctx.world, ctx.write_from, ctx.end, styles, isa, gs, yesterday)
    duplicates = _inject_faults(ctx, written)
    folders: set[str] = set()
    for ic in written:
        folder = f"{root}/{ic.partner_id}/{ic.direction}"
        if folder not in folders:
            os.makedirs(folder, exist_ok=True)
            folders.add(folder)
        data = render(ic).encode("ascii", errors="replace")
        _write(f"{folder}/{ic.file_name}", data)
        if id(ic) in duplicates:
            _write(f"{folder}/{duplicate_name(ic.file_name)}", data)
    _write_partners(ctx, styles)
    _write_counters(state, isa, gs)
    return len(written) + len(duplicates)


def _read_counters(path: Path) -> tuple[dict[str, int], dict[str, int]]:
    isa: dict[str, int] = defaultdict(int)
    gs: dict[str, int] = defaultdict(int)
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            isa[row["partner_id"]] = int(row["last_isa13"])
            gs[row["partner_id"]] = int(row["last_gs06"])
    return isa, gs


def _write_counters(path: Path, isa: dict[str, int], gs: dict[str, int]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["partner_id", "last_isa13", "last_gs06"])
        writer.writerows((pid, isa[pid], gs[pid]) for pid in sorted(isa))


def _read_outbound(root: Path, day: date) -> list[Interchange]:
    """The groups of our interchanges of `day` (enough to acknowledge them the next day)."""
    result = []
    for path in sorted(root.glob(f"*/outbound/{day:%Y%m%d}_*.x12")):
        if path.stem.endswith("_r1"):
            continue
        text = path.read_text(encoding="ascii")
        element, terminator = text[3], text[105]
        segments = [seg.strip("\r\n").split(element) for seg in text.split(terminator)]
        isa = segments[0]
        receiver = isa[8].strip()
        ic = Interchange(receiver, "outbound", isa[6].strip().removeprefix("BACKBONE"), day, isa[10],
                         isa[6].strip(), receiver, int(isa[13]), VICS)  # fmt: skip
        for seg in segments[1:]:
            if seg[0] == "GS":
                ic.groups.append(FunctionalGroup(seg[1], int(seg[6])))
            elif seg[0] == "ST":
                ic.groups[-1].sets.append(TransactionSet(seg[1], "", seg[2]))
        result.append(ic)
    return result


def _write(path: str, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)


def partner_styles(world: World) -> dict[str, X12Style]:
    """Styles by sorted partner id: the first partner is the VICS one, the rest cycle through the
    other batch styles, and the smallest customer partner (fewest accounts) sends one set per
    interchange, as a small partner on a cheap EDI service does."""
    customer_partners = _customer_partners(world)
    ids = sorted(
        set(customer_partners["edi_partner_id"]) | set(_supplier_partners(world)["edi_partner_id"])
    )
    accounts = (
        customer_partners.group_by("edi_partner_id")
        .len()
        .sort(["len", "edi_partner_id"], descending=[False, True])
    )
    single = accounts["edi_partner_id"][0] if accounts.height else None
    batch = [pid for pid in ids if pid != single]
    styles = {
        pid: VICS if i == 0 else OTHER_STYLES[(i - 1) % len(OTHER_STYLES)]
        for i, pid in enumerate(batch)
    }
    if single is not None:
        styles[single] = SINGLE
    return styles


def our_id(entity_code: str) -> str:
    return f"BACKBONE{entity_code}"


def build_interchanges(
    world: World,
    first: date,
    end: date,
    styles: dict[str, X12Style],
    isa_counter: dict[str, int],
    gs_counter: dict[str, int],
    yesterday_outbound: list[Interchange],
) -> list[Interchange]:
    """The interchanges of days [first, end], in day order, numbered on from the counters.

    Per partner and day: at 08:00 the partner's interchange (its documents of the day plus
    997s for our groups of the previous day), at 14:00 ours (our documents plus 997s for the
    partner's groups received that morning).
    """
    order = {code: n for n, code in enumerate(("850", "855", "856", "810", "846"))}
    frame = (
        _business_documents(world, first, end)
        .with_columns(_order=pl.col("code").replace_strict(order, return_dtype=pl.Int8))
        .sort("day", "partner_id", "entity_code", "_order", "key")
    )
    by_day: dict[date, list[Document]] = defaultdict(list)
    for partner, entity, direction, day, code, _key, body, _ in frame.iter_rows():
        by_day[day].append(Document(partner, entity, direction, day, TransactionSet(code, body)))
    result: list[Interchange] = []
    for offset in range((end - first).days + 1):
        day = first + timedelta(days=offset)
        business = by_day.get(day, [])
        inbound_docs = [d for d in business if d.direction == "inbound"]
        inbound_docs += _acks(yesterday_outbound, "inbound", day)
        inbound = _envelope(inbound_docs, "inbound", "0800", styles, isa_counter, gs_counter)
        outbound_docs = [d for d in business if d.direction == "outbound"]
        outbound_docs += _acks(inbound, "outbound", day)
        outbound = _envelope(outbound_docs, "outbound", "1400", styles, isa_counter, gs_counter)
        result += inbound + outbound
        yesterday_outbound = outbound
    return result


def _acks(interchanges: list[Interchange], direction: str, day: date) -> list[Document]:
    """997s acknowledging every non-997 group of `interchanges`, sent in `direction` on `day`."""
    return [
        Document(ic.partner_id, ic.entity_code, direction, day, _ack(group))
        for ic in interchanges
        for group in ic.groups
        if group.functional_id != "FA"
    ]


def _envelope(docs, direction, hhmm, styles, isa_counter, gs_counter) -> list[Interchange]:
    batches: dict[tuple[str, str], list[Document]] = defaultdict(list)
    for doc in docs:
        batches[(doc.partner_id, doc.entity_code)].append(doc)
    out = []
    for (partner, entity), batch in sorted(batches.items()):
        style = styles[partner]
        chunks = [[d] for d in batch] if style.one_set_per_interchange else [batch]
        for chunk in chunks:
            isa_counter[partner] += 1
            sender, receiver = (
                (partner, our_id(entity)) if direction == "inbound" else (our_id(entity), partner)
            )
            ic = Interchange(partner, direction, entity, chunk[0].day, hhmm, sender, receiver,
                             isa_counter[partner], style)  # fmt: skip
            by_fid: dict[str, list[TransactionSet]] = defaultdict(list)
            for d in chunk:
                by_fid[FUNCTIONAL_ID[d.tset.code]].append(d.tset)
            for fid, sets in by_fid.items():
                gs_counter[partner] += 1
                for n, ts in enumerate(sets, start=1):
                    ts.control = f"{n:04d}"
                ic.groups.append(FunctionalGroup(fid, gs_counter[partner], sets))
            out.append(ic)
    return out


def _ascii(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    return decomposed.encode("ascii", errors="ignore").decode("ascii")


def _ack(group: FunctionalGroup) -> TransactionSet:
    segments = [["AK1", group.functional_id, str(group.control)]]
    for ts in group.sets:
        segments += [["AK2", ts.code, ts.control], ["AK5", "A"]]
    n = str(len(group.sets))
    segments.append(["AK9", "A", n, n, n])
    return TransactionSet("997", encode(*segments))


# --- business documents --------------------------------------------------------------------


def _customer_partners(world: World) -> pl.DataFrame:
    return world.customers.filter(pl.col("edi_partner_id").is_not_null()).select(
        "entity_code", "customer_id", "local_customer_code", "customer_name", "edi_partner_id"
    )


def _supplier_partners(world: World) -> pl.DataFrame:
    return world.suppliers.filter(pl.col("edi_partner_id").is_not_null()).select(
        "supplier_id", "edi_partner_id"
    )


# Columnar segment building: every body is one style-free string (see x12.encode).
_DELIMITERS = r"[*|^~>:\r\n\x1e\x1f]"


def _v(value: pl.Expr | str) -> pl.Expr:
    """A data value: text without any delimiter character, null as empty."""
    expr = pl.col(value) if isinstance(value, str) else value
    return expr.cast(pl.Utf8).fill_null("").str.replace_all(_DELIMITERS, "")


def _lit(text: str) -> pl.Expr:
    return pl.lit(text)


def _seg(seg_id: str, *elements: pl.Expr) -> pl.Expr:
    parts: list[pl.Expr] = [_lit(seg_id)]
    for element in elements:
        parts += [_lit(ELEMENT), element]
    return pl.concat_str([*parts, _lit(TERMINATOR)])


def _opt_seg(condition: pl.Expr, seg_id: str, *elements: pl.Expr) -> pl.Expr:
    return pl.when(condition).then(_seg(seg_id, *elements)).otherwise(_lit(""))


def _d8(column: str) -> pl.Expr:
    return pl.col(column).dt.strftime("%Y%m%d")


def _num(column: str | pl.Expr) -> pl.Expr:
    """A decimal without trailing zeros (X12 R type)."""
    expr = pl.col(column) if isinstance(column, str) else column
    return expr.round(4).cast(pl.Utf8).str.replace(r"\.0$", "").fill_null("0")


def _docs(
    frame: pl.DataFrame, code: str, direction: str, day: str, key: str, body: pl.Expr
) -> pl.DataFrame:
    return frame.select(
        partner_id=pl.col("edi_partner_id"),
        entity_code=pl.col("entity_code"),
        direction=pl.lit(direction),
        day=pl.col(day),
        code=pl.lit(code),
        key=pl.col(key).cast(pl.Utf8),
        body=body,
    )


def _lines_by(
    frame: pl.DataFrame, keys: list[str], order: list[str], segments: pl.Expr
) -> pl.DataFrame:
    """Per document key: its line segments joined in order, and how many lines it has."""
    return (
        frame.sort(order)
        .with_columns(_segments=segments)
        .group_by(keys, maintain_order=True)
        .agg(lines=pl.col("_segments").str.join(""), n_lines=pl.len())
    )


def _business_documents(world: World, start: date, end: date) -> pl.DataFrame:
    """Every business document (no 997s): partner_id, entity_code, direction, day, code, key, body."""
    codes = world.item_xref.select("entity_code", "item_id", item_code="local_item_code").unique(
        ["entity_code", "item_id"], keep="first", maintain_order=True
    )
    frames = _customer_documents(world, codes) + _supplier_documents(world, codes, start, end)
    return pl.concat(frames).filter(pl.col("day").is_between(start, end))


def _customer_documents(world: World, codes: pl.DataFrame) -> list[pl.DataFrame]:
    partners = _customer_partners(world).with_columns(
        customer_name=_ascii_names(pl.col("customer_name"))
    )
    orders = world.sales_orders.filter(pl.col("channel") == "EDI").join(
        partners, on=["entity_code", "customer_id"]
    )
    po_number = _v(pl.coalesce("customer_po", "order_id"))
    item = _v(pl.coalesce("item_code", "item_id"))
    lines = world.sales_order_lines.join(
        orders.select("order_id", "entity_code"), on="order_id"
    ).join(codes, on=["entity_code", "item_id"], how="left")
    po1 = _seg(
        "PO1",
        _v("line_no"),
        _v("original_qty_ordered"),
        _v("uom"),
        _num("unit_price"),
        _lit(""),
        _lit("VP"),
        item,
    )
    originals = lines.filter(pl.col("substitute_for_line_no").is_null())
    ordered = _lines_by(originals, ["order_id"], ["order_id", "line_no"], po1)
    status = (
        pl.when(pl.col("substitute_for_line_no").is_not_null()).then(_lit("IS"))
        .when(pl.col("line_status") == "cancelled").then(_lit("IR"))
        .when(pl.col("qty_ordered") != pl.col("original_qty_ordered")).then(_lit("IQ"))
        .otherwise(_lit("IA"))
    )  # fmt: skip
    ack_qty = pl.when(status == "IR").then(0).otherwise(pl.col("qty_ordered"))
    confirmed = lines.join(orders.select("order_id", "confirmed_date"), on="order_id")
    acked = _lines_by(
        confirmed,
        ["order_id"],
        ["order_id", "line_no"],
        pl.concat_str(
            po1, _seg("ACK", status, _v(ack_qty), _v("uom"), _lit("068"), _d8("confirmed_date"))
        ),
    )
    orders_850 = orders.join(ordered, on="order_id", how="left")
    order_850 = _docs(orders_850, "850", "inbound", "order_date", "order_id", pl.concat_str(
        _seg("BEG", _lit("00"), _lit("SA"), po_number, _lit(""), _d8("order_date")),
        _seg("CUR", _lit("BY"), _v("currency")),
        _opt_seg(pl.col("requested_date").is_not_null(), "DTM", _lit("002"), _d8("requested_date")),
        _seg("N1", _lit("ST"), _v("customer_name"), _lit("92"), _v("local_customer_code")),
        pl.col("lines").fill_null(""),
        _seg("CTT", _v(pl.col("n_lines").fill_null(0))),
    ))  # fmt: skip
    orders_855 = orders.filter(pl.col("confirmed_date").is_not_null()).join(
        acked, on="order_id", how="left"
    )
    ack_855 = _docs(orders_855, "855", "outbound", "confirmed_date", "order_id", pl.concat_str(
        _seg("BAK", _lit("00"), _lit("AC"), po_number, _d8("order_date"), _lit(""), _lit(""), _lit(""), _v("order_id"),
             _d8("confirmed_date")),
        pl.col("lines").fill_null(""),
        _seg("CTT", _v(pl.col("n_lines").fill_null(0))),
    ))  # fmt: skip

    ship = world.shipments.join(
        orders.select("order_id", "customer_po", "edi_partner_id"), on="order_id"
    ).join(codes, on=["entity_code", "item_id"], how="left")
    ship_items = _lines_by(
        ship.with_columns(_hl=pl.col("shipment_line_no").rank("ordinal").over("shipment_id") + 2),
        ["shipment_id"],
        ["shipment_id", "shipment_line_no"],
        pl.concat_str(
            _seg("HL", _v("_hl"), _lit("2"), _lit("I")),
            _seg("LIN", _v("order_line_no"), _lit("VP"), item),
            _seg("SN1", _v("order_line_no"), _v("qty_shipped_ea"), _lit("EA")),
        ),
    )
    ship_heads = (
        ship.group_by("shipment_id", maintain_order=True).first().join(ship_items, on="shipment_id")
    )
    asn_856 = _docs(ship_heads, "856", "outbound", "ship_date", "shipment_id", pl.concat_str(
        _seg("BSN", _lit("00"), _v("shipment_id"), _d8("ship_date"), _lit("1600")),
        _seg("HL", _lit("1"), _lit(""), _lit("S")),
        _seg("TD5", _lit("B"), _lit("2"), _v("carrier")),
        _seg("REF", _lit("CN"), _v("tracking_number")),
        _seg("DTM", _lit("011"), _d8("ship_date")),
        _opt_seg(pl.col("delivery_date").is_not_null(), "DTM", _lit("017"), _d8("delivery_date")),
        _seg("HL", _lit("2"), _lit("1"), _lit("O")),
        _seg("PRF", _v(pl.coalesce("customer_po", "order_id"))),
        _seg("REF", _lit("VN"), _v("order_id")),
        pl.col("lines"),
        _seg("CTT", _v(pl.col("n_lines") + 2)),
    ))  # fmt: skip

    invoices = world.invoices.join(
        orders.select("order_id", "customer_po", "edi_partner_id"), on="order_id"
    )
    inv_lines = _lines_by(
        world.invoice_lines.join(invoices.select("invoice_id", "entity_code"), on="invoice_id").join(
            codes, on=["entity_code", "item_id"], how="left"
        ),
        ["invoice_id"],
        ["invoice_id", "line_no"],
        _seg("IT1", _v("line_no"), _v(pl.col("qty_ea").abs()), _lit("EA"), _num("unit_price_ea"), _lit(""), _lit("VP"),
             item),
    )  # fmt: skip
    totals = world.invoice_lines.group_by("invoice_id").agg(
        _total=(pl.col("net_amount").sum().abs() * 100).round(0)
    )
    invoices = invoices.join(inv_lines, on="invoice_id", how="left").join(
        totals, on="invoice_id", how="left"
    )
    credit = pl.col("invoice_type") == "CM"
    invoice_810 = _docs(invoices, "810", "outbound", "invoice_date", "invoice_id", pl.concat_str(
        _seg("BIG", _d8("invoice_date"), _v("invoice_id"), _lit(""), _v(pl.coalesce("customer_po", "order_id")),
             _lit(""), _lit(""), pl.when(credit).then(_lit("CR")).otherwise(_lit("DI"))),
        _seg("CUR", _lit("SE"), _v("currency")),
        _opt_seg(credit & pl.col("original_invoice_id").is_not_null(), "REF", _lit("OI"), _v("original_invoice_id")),
        _seg("DTM", _lit("011"), _d8("invoice_date")),
        pl.col("lines").fill_null(""),
        _seg("TDS", _v(pl.col("_total").fill_null(0).cast(pl.Int64))),
        _seg("CTT", _v(pl.col("n_lines").fill_null(0))),
    ))  # fmt: skip
    return [order_850, ack_855, asn_856, invoice_810]


def _supplier_documents(
    world: World, codes: pl.DataFrame, start: date, end: date
) -> list[pl.DataFrame]:
    partners = _supplier_partners(world)
    pos = world.purchase_orders.join(partners, on="supplier_id").filter(
        pl.col("sent_date").is_not_null()
    )
    item = _v(pl.coalesce("item_code", "item_id"))
    lines = world.po_lines.join(
        pos.select("po_id", "entity_code", "edi_partner_id"), on="po_id"
    ).join(codes, on=["entity_code", "item_id"], how="left")
    po1 = _seg(
        "PO1",
        _v("line_no"),
        _v("qty_ordered"),
        _v("uom"),
        _num("unit_cost"),
        _lit(""),
        _lit("BP"),
        item,
    )
    ordered = _lines_by(
        lines, ["po_id"], ["po_id", "line_no"],
        pl.concat_str(po1, _opt_seg(pl.col("expected_date").is_not_null(), "DTM", _lit("002"), _d8("expected_date"))),
    )  # fmt: skip
    po_850 = _docs(pos.join(ordered, on="po_id", how="left"), "850", "outbound", "sent_date", "po_id", pl.concat_str(
        _seg("BEG", _lit("00"), _lit("NE"), _v("po_id"), _lit(""), _d8("po_date")),
        _seg("CUR", _lit("BY"), _v("currency")),
        _seg("N1", _lit("ST"), _v("warehouse_code"), _lit("92"), _v("warehouse_code")),
        pl.col("lines").fill_null(""),
        _seg("CTT", _v(pl.col("n_lines").fill_null(0))),
    ))  # fmt: skip

    def acknowledgment(
        heads: pl.DataFrame, ack_lines: pl.DataFrame, purpose: str, date_col: str, day: str
    ):
        grouped = _lines_by(
            ack_lines, ["po_id"], ["po_id", "line_no"],
            pl.concat_str(po1, _seg("ACK", _lit("IA"), _v("qty_ordered"), _v("uom"), _lit("068"), _d8(date_col))),
        )  # fmt: skip
        return _docs(heads.join(grouped, on="po_id"), "855", "inbound", day, "po_id", pl.concat_str(
            _seg("BAK", _lit(purpose), _lit("AC"), _v("po_id"), _d8("po_date")),
            pl.col("lines"),
            _seg("CTT", _v("n_lines")),
        ))  # fmt: skip

    acked = pos.filter(pl.col("ack_date").is_not_null())
    first_ack = acknowledgment(acked, lines, "00", "expected_date", "ack_date")
    # Promises that moved later are re-acknowledged (BAK01 05 = replace) on the day they moved.
    moved = lines.filter(pl.col("promised_date") != pl.col("expected_date"))
    moved_heads = acked.join(
        moved.group_by("po_id").agg(_moved=pl.col("updated_at").max().dt.date()), on="po_id"
    ).with_columns(_day=pl.max_horizontal("ack_date", "_moved"))
    second_ack = acknowledgment(moved_heads, moved, "05", "promised_date", "_day")

    receipts = (
        world.receipts.join(pos.select("po_id", "entity_code", "edi_partner_id", "currency"), on="po_id")
        .join(lines.select("po_id", pl.col("line_no").alias("po_line_no"), "unit_cost", "qty_ordered", "qty_ordered_ea"),
              on=["po_id", "po_line_no"], how="left")
        .join(codes, on=["entity_code", "item_id"], how="left")
        .with_columns(_per_ea=pl.col("unit_cost").fill_null(0.0) * pl.col("qty_ordered").fill_null(1)
                      / pl.col("qty_ordered_ea").fill_null(1).clip(lower_bound=1))
    )  # fmt: skip
    asn_856 = _docs(receipts, "856", "inbound", "receipt_date", "receipt_id", pl.concat_str(
        _seg("BSN", _lit("00"), pl.concat_str(_lit("ASN-"), _v("receipt_id")), _d8("receipt_date"), _lit("0700")),
        _seg("HL", _lit("1"), _lit(""), _lit("S")),
        _seg("DTM", _lit("011"), _d8("receipt_date")),
        _seg("HL", _lit("2"), _lit("1"), _lit("O")),
        _seg("PRF", _v("po_id")),
        _seg("HL", _lit("3"), _lit("2"), _lit("I")),
        _seg("LIN", _v("po_line_no"), _lit("BP"), item),
        _seg("SN1", _v("po_line_no"), _v("qty_received_ea"), _lit("EA")),
        _seg("CTT", _lit("3")),
    ))  # fmt: skip
    invoice_810 = _docs(receipts, "810", "inbound", "receipt_date", "receipt_id", pl.concat_str(
        _seg("BIG", _d8("receipt_date"), pl.concat_str(_lit("SINV-"), _v("receipt_id")), _lit(""), _v("po_id"),
             _lit(""), _lit(""), _lit("DI")),
        _seg("CUR", _lit("SE"), _v("currency")),
        _seg("IT1", _v("po_line_no"), _v("qty_received_ea"), _lit("EA"), _num("_per_ea"), _lit(""), _lit("BP"), item),
        _seg("TDS", _v((pl.col("_per_ea") * pl.col("qty_received_ea") * 100).round(0).cast(pl.Int64))),
        _seg("CTT", _lit("1")),
    ))  # fmt: skip

    # 846: each Monday, every EDI supplier reports stock of the items each entity buys from it.
    first_monday = start + timedelta(days=(7 - start.weekday()) % 7)
    mondays = pl.DataFrame(
        {"_day": pl.date_range(first_monday, max(end, first_monday), "1w", eager=True)}
    )
    assortment = lines.select("edi_partner_id", "entity_code", "item_id", "item_code").unique()
    stock = assortment.join(mondays, how="cross").with_columns(
        _qty=(
            pl.concat_str("edi_partner_id", "item_id", pl.col("_day").cast(pl.Utf8)).hash(846)
            % 5000
        )
    )
    advice = _lines_by(
        stock, ["edi_partner_id", "entity_code", "_day"], ["edi_partner_id", "entity_code", "_day", "item_id"],
        pl.concat_str(_seg("LIN", _lit(""), _lit("BP"), item), _seg("QTY", _lit("33"), _v("_qty"), _lit("EA"))),
    ).with_columns(_key=pl.col("_day").dt.strftime("%Y%m%d"))  # fmt: skip
    advice_846 = _docs(advice, "846", "inbound", "_day", "_key", pl.concat_str(
        _seg("BIA", _lit("00"), _lit("MM"), pl.concat_str(_lit("INV"), _d8("_day")), _d8("_day")),
        pl.col("lines"),
    ))  # fmt: skip
    return [po_850, first_ack, second_ack, asn_856, invoice_810, advice_846]


def _ascii_names(names: pl.Expr) -> pl.Expr:
    """Names in the X12 character set: accents dropped (Peñasco → Penasco)."""
    return names.map_elements(_ascii, return_dtype=pl.Utf8)


# --- faults and partner list ---------------------------------------------------------------


def _inject_faults(ctx: WriteContext, interchanges: list[Interchange]) -> set[int]:
    """Mark envelope faults on a few sets and interchanges; return ids of interchanges re-sent."""
    rng = ctx.plan.rng(SOURCE)
    sets = [(ic, g, ts) for ic in interchanges for g in ic.groups for ts in g.sets]
    k = ctx.plan.count(len(sets), share=0.1)
    chosen = pick(rng, len(sets), 3 * k)
    root = ctx.out / "edi"

    def rel(ic: Interchange) -> str:
        return ctx.rel(root / ic.partner_id / ic.direction / ic.file_name)

    for n, i in enumerate(chosen):
        ic, group, ts = sets[int(i)]
        where = f"GS06={group.control}/ST02={ts.control}"
        if n % 3 == 0 and not ic.bad_iea:
            ic.bad_iea = True
            ctx.faults.add("x12_control_mismatch", SOURCE, rel(ic), f"ISA13={ic.control:09d}",
                           f"IEA02 {ic.control + 1:09d} != ISA13 {ic.control:09d}")  # fmt: skip
        elif n % 3 == 1 and ts.fault is None:
            ts.fault = "se02"
            ctx.faults.add("x12_control_mismatch", SOURCE, rel(ic), where,
                           f"{ts.code}: SE02 != ST02 {ts.control}")  # fmt: skip
        elif ts.fault is None:
            ts.fault = "se01"
            ctx.faults.add("x12_segment_count", SOURCE, rel(ic), where,
                           f"{ts.code}: SE01 {ts.segment_count + 1} != {ts.segment_count} segments")  # fmt: skip
    clean = [
        ic
        for ic in interchanges
        if not ic.bad_iea and all(ts.fault is None for g in ic.groups for ts in g.sets)
    ]
    n_dup = ctx.plan.count(len(clean), share=0.2)
    duplicates = set()
    for i in pick(rng, len(clean), n_dup):
        ic = clean[int(i)]
        duplicates.add(id(ic))
        copy = root / ic.partner_id / ic.direction / duplicate_name(ic.file_name)
        ctx.faults.add(
            "duplicate_file", SOURCE, ctx.rel(copy), "", f"byte-identical copy of {rel(ic)}"
        )
    return duplicates


def _write_partners(ctx: WriteContext, styles: dict[str, X12Style]) -> None:
    world = ctx.world
    customers = _customer_partners(world).select("edi_partner_id", "entity_code").unique()
    rows = [(pid, "customer", ent) for pid, ent in customers.iter_rows()]
    entities = world.entities["entity_code"].to_list()
    rows += [
        (pid, "supplier", ent)
        for pid in _supplier_partners(world)["edi_partner_id"]
        for ent in entities
    ]
    path = ctx.out / "edi" / "partners.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    names = {"~": "~", "|": "|", "\n": "\\n"}
    breaks = {"\r\n": "CRLF", "\n": "LF", "": ""}
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["partner_id", "partner_type", "entity_code", "style", "element_separator",
                         "component_separator", "segment_terminator", "line_break", "one_set_per_interchange",
                         "gs08"])  # fmt: skip
        for pid, kind, ent in sorted(rows):
            s = styles[pid]
            writer.writerow([pid, kind, ent, s.name, s.element, s.component, names[s.segment], breaks[s.line_break],
                             str(s.one_set_per_interchange).lower(), s.gs08])  # fmt: skip
