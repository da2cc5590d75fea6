"""Stand-ins for dbt's Jinja context so sqlfluff's jinja templater renders the models.

Only for linting: each cross-database macro renders as plausible DuckDB SQL.
"""

from types import SimpleNamespace


def _call(name):
    return lambda *args, **kwargs: f"{name}({', '.join(str(a) for a in args)})"


dbt = SimpleNamespace(
    type_string=lambda: "varchar",
    type_float=lambda: "double",
    type_bigint=lambda: "bigint",
    type_timestamp=lambda: "timestamp",
    type_int=lambda: "integer",
    type_numeric=lambda: "numeric",
    safe_cast=lambda field, type_: f"try_cast({field} as {type_})",
    date_trunc=lambda part, expr: f"date_trunc('{part}', {expr})",
    last_day=lambda expr, part: f"last_day({expr})",
    datediff=lambda start, end, part: f"date_diff('{part}', {start}, {end})",
    dateadd=lambda part, n, expr: f"({expr} + interval ({n}) {part})",
)
adapter = SimpleNamespace(dispatch=lambda name, namespace=None: _call(name))
target = SimpleNamespace(type="duckdb", name="dev", schema="main")
globals()["return"] = lambda value: value
# No warehouse to look things up in: every relation is missing.
api = SimpleNamespace(Relation=SimpleNamespace(create=lambda **kwargs: None))
load_relation = lambda relation: None  # noqa: E731
run_query = lambda sql: SimpleNamespace(rows=[], columns=[SimpleNamespace(values=lambda: [False])])  # noqa: E731
