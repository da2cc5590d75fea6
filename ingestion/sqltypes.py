"""Text to typed values in DuckDB SQL, shared by the readers: a value that doesn't parse is NULL,
and the reader turns "present but NULL after conversion" into a quarantine reason."""

from __future__ import annotations

from dataclasses import dataclass

from ingestion.warehouse import lit


@dataclass(frozen=True)
class TextFormat:
    decimal: str = "."
    thousands: str | None = None
    date_formats: tuple[str, ...] = ("%Y-%m-%d",)
    timestamp_formats: tuple[str, ...] = ("%Y-%m-%d %H:%M:%S",)
    true_tokens: tuple[str, ...] = ("true", "t", "1", "yes", "y")
    false_tokens: tuple[str, ...] = ("false", "f", "0", "no", "n")


def convert(value: str, sql_type: str, fmt: TextFormat, formats: tuple[str, ...] = ()) -> str:
    """SQL turning the text expression `value` into `sql_type`, NULL when it doesn't parse."""
    if sql_type == "VARCHAR":
        return value
    if sql_type in ("BIGINT", "DOUBLE") or sql_type.startswith("DECIMAL"):
        number = value
        if fmt.thousands:
            number = f"replace({number}, {lit(fmt.thousands)}, '')"
        if fmt.decimal != ".":
            number = f"replace({number}, {lit(fmt.decimal)}, '.')"
        return f"try_cast({number} as {sql_type})"
    if sql_type in ("DATE", "TIMESTAMP"):
        chosen = formats or (fmt.date_formats if sql_type == "DATE" else fmt.timestamp_formats)
        listed = "[" + ", ".join(lit(f) for f in chosen) + "]"
        return f"cast(try_strptime({value}, {listed}) as {sql_type})"
    if sql_type == "BOOLEAN":
        true = ", ".join(lit(t.lower()) for t in fmt.true_tokens)
        false = ", ".join(lit(t.lower()) for t in fmt.false_tokens)
        return (
            f"case when lower({value}) in ({true}) then true"
            f" when lower({value}) in ({false}) then false end"
        )
    return f"try_cast({value} as {sql_type})"


def checks(
    label: str,
    raw: str,
    present: str,
    converted: str,
    sql_type: str,
    *,
    required: bool,
    minimum: float | None,
) -> tuple[list[str], list[str]]:
    """SQL expressions naming a type error (or range violation) and a missing required value."""
    errors, missing = [], []
    if sql_type != "VARCHAR":
        errors.append(
            f"case when {present} and {converted} is null then"
            f" {lit(label + ': not ' + sql_type.lower() + ': ')} || {raw} end"
        )
    if minimum is not None:
        errors.append(
            f"case when {converted} < {minimum} then {lit(label + f': below {minimum}: ')} || {raw} end"
        )
    if required:
        missing.append(f"case when not ({present}) then {lit(label + ': missing')} end")
    return errors, missing


def joined(parts: list[str]) -> str:
    """NULL when no part is non-NULL, else the parts joined by '; '."""
    return f"nullif(concat_ws('; ', {', '.join(parts) or 'null'}), '')"
