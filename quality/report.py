"""The steward's quality report: one self-contained HTML file (inline CSS and SVG, no CDN, no fonts).

Per source: entities, rows loaded and quarantined, the latest run's gates with failing samples,
trends over runs, freshness, unmapped codes and the quarantine with reasons. Then the modelled
layer (the run's dbt build: failing tests with samples) and open exceptions per legal entity.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from typing import Any

import duckdb

from quality.gates import DATA_DAY, FILE_DAY, LOADED, STORE_SOURCES
from quality.results import latest_run_id, run_results, verdict
from quality.suites import Suite, load_suites

TREND_RUNS = 12


def build_summary(
    con: duckdb.DuckDBPyConnection,
    status: dict[str, Any] | None = None,
    suites: dict[str, Suite] | None = None,
) -> dict[str, Any]:
    """The latest run in a machine-readable shape (what `backbone quality --json` prints)."""
    run_id = latest_run_id(con) if _has_results(con) else None
    results = run_results(con, run_id) if run_id else []
    judged = verdict(con, suites) if run_id else None
    return {
        "run_id": run_id,
        "checked_at": max((str(r["checked_at"]) for r in results), default=None),
        "ok": judged.ok if judged else None,
        "blocked_by": judged.blocked_by if judged else [],
        "warnings": [
            {"asset": r["asset"], "check": r["check_name"], "failing_count": r["failing_count"]}
            for r in results
            if not r["passed"] and r["severity"] == "warn"
        ],
        "publication": status or {},
        "by_entity": _by_entity(con),
        "results": [
            {
                "asset": r["asset"],
                "check": r["check_name"],
                "kind": r["kind"],
                "severity": r["severity"],
                "passed": r["passed"],
                "blocking": r["blocking"],
                "failing_count": r["failing_count"],
                "rows_checked": r["element_count"],
                "sample_failing_rows": r["sample_failing_rows"],
                "checked_at": str(r["checked_at"]),
            }
            for r in results
        ],
    }


def render_html(
    con: duckdb.DuckDBPyConnection,
    status: dict[str, Any] | None = None,
    suites: dict[str, Suite] | None = None,
    source_note: str = "",
) -> str:
    """The whole report as one HTML string."""
    suites = suites if suites is not None else load_suites()
    summary = build_summary(con, status, suites)
    results_by_source: dict[str, list[dict[str, Any]]] = {}
    if summary["run_id"]:
        for r in run_results(con, summary["run_id"]):
            results_by_source.setdefault(r["source_system"], []).append(r)
    loads = _loads(con)
    freshness = _freshness(con)
    trends = _trends(con)
    quarantine = _quarantine(con)
    unmapped = _unmapped(con, suites)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")

    parts = [_HEAD, "<body><header>", "<h1>Backbone &middot; data quality report</h1>"]
    parts.append(
        f"<p class='muted'>Generated {now}{_e(' · ' + source_note) if source_note else ''}</p>"
    )
    parts.append(_banner(summary, status or {}))
    parts.append("</header><main>")
    parts.append(_overview(suites, results_by_source, loads))
    for source, suite in suites.items():
        parts.append(
            _source_section(
                suite,
                results_by_source.get(source, []),
                loads.get(source, []),
                freshness.get(source, []),
                trends.get(source, {}),
                quarantine.get(source, []),
                unmapped.get(source, []),
            )
        )
    parts.append(_dbt_section(results_by_source.get("dbt", [])))
    parts.append(_entity_section(summary["by_entity"]))
    parts.append(_edi_sets(con))
    parts.append("</main></body></html>")
    return "\n".join(parts)


# --- data --------------------------------------------------------------------------------------


# Marts dbt pre-aggregates from the manifest and the quarantine (dbt/models/marts/dashboards), so
# the dashboard's quality page need not group every load and quarantined row per render.
FEED_LOADS = "agg_feed_loads"
QUARANTINE_REASONS = "agg_quarantine_reasons"


def marts_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the quality marts exist and cover every load and quarantined row (dbt builds
    them after the loads: a warehouse from before them, or loads after the dbt run, and the
    sections below read audit and quarantine themselves)."""
    found = {
        r[0]
        for r in con.execute(
            "select table_name from duckdb_tables() where database_name = current_database()"
            " and schema_name = 'marts' and table_name in (?, ?)",
            [FEED_LOADS, QUARANTINE_REASONS],
        ).fetchall()
    }
    if found != {FEED_LOADS, QUARANTINE_REASONS}:
        return False
    return bool(
        con.execute(
            f"""
            select (select coalesce(sum(manifest_rows), 0) from marts.{FEED_LOADS})
                       = (select count(*) from audit.load_manifest)
               and (select coalesce(sum(quarantined_rows), 0) from marts.{QUARANTINE_REASONS})
                       = (select count(*) from quarantine.records)
            """
        ).fetchone()[0]
    )


def _by_source(rows: list[tuple]) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {}
    for row in rows:
        out.setdefault(row[0], []).append(row[1:])
    return out


def _loads(con: duckdb.DuckDBPyConnection, from_marts: bool = False) -> dict[str, list[tuple]]:
    """Per source: each feed's loads, files rejected, duplicates skipped, rows read, loaded and
    quarantined, and its last load (from the feed-loads mart when `from_marts`)."""
    if from_marts:
        sql = f"""
            select source_system, feed, cast(sum(loads) as bigint),
                   cast(sum(files_rejected) as bigint), cast(sum(duplicates_skipped) as bigint),
                   coalesce(sum(rows_read), 0), coalesce(sum(rows_loaded), 0),
                   coalesce(sum(rows_quarantined), 0), max(last_finished_at)
            from marts.{FEED_LOADS} group by 1, 2 order by 1, 2
            """
    else:
        sql = """
        select source_system, feed, count(*) filter (where status in ('loaded', 'quarantined')) as loads,
               count(*) filter (where status = 'quarantined') as files_rejected,
               count(*) filter (where status = 'skipped_duplicate') as duplicates_skipped,
               coalesce(sum(rows_read), 0), coalesce(sum(rows_loaded), 0), coalesce(sum(rows_quarantined), 0),
               max(finished_at)
        from audit.load_manifest group by 1, 2 order by 1, 2
        """
    return _by_source(con.execute(sql).fetchall())


def _freshness(con: duckdb.DuckDBPyConnection, from_marts: bool = False) -> dict[str, list[tuple]]:
    """Per source: each feed's newest data day, last load and days behind the newest feed.

    From the marts: each feed's newest file day, or for loads without a day in their file's
    name (database batches, few) the cursor's day, read from the manifest; Backbone's own
    stores have no data day (as `DATA_DAY` says)."""
    if from_marts:
        days = f"""
            with file_days as (
                select source_system, feed, max(file_day) as data_day,
                       max(last_loaded_at) as last_loaded_at
                from marts.{FEED_LOADS} where loads > 0 group by 1, 2
            ), cursor_days as (
                select source_system, feed,
                       max(try_cast(try_cast(cursor_to as timestamp) as date)) as data_day
                from audit.load_manifest
                where status in {LOADED} and cursor_to is not null and {FILE_DAY} is null
                group by 1, 2
            ), days as (
                select f.source_system, f.feed, f.last_loaded_at,
                       case when f.source_system in ({STORE_SOURCES}) then null
                            else greatest(f.data_day, c.data_day) end as data_day
                from file_days f
                left join cursor_days c on c.source_system = f.source_system and c.feed = f.feed
            )
            """
    else:
        days = f"""
            with loads as (
                select source_system, feed, {DATA_DAY} as data_day, finished_at
                from audit.load_manifest where status in {LOADED}
            ), days as (
                select source_system, feed, max(data_day) as data_day,
                       max(finished_at) as last_loaded_at
                from loads group by 1, 2
            )
            """
    rows = con.execute(
        days
        + """
        , ref as (select max(data_day) as reference_day from days)
        select source_system, feed, data_day, last_loaded_at,
               date_diff('day', data_day, (select reference_day from ref))
        from days order by 1, 5 desc, 2
        """
    ).fetchall()
    return _by_source(rows)


def _trends(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    """Per source: the last runs (oldest first) and, per gate, passed/failed and failing rows."""
    if not _has_results(con):
        return {}
    runs = [
        r[0]
        for r in con.execute(
            "select run_id from audit.quality_results group by run_id order by max(checked_at) desc limit ?",
            [TREND_RUNS],
        ).fetchall()
    ][::-1]
    if not runs:
        return {}
    rows = con.execute(
        f"select source_system, check_name, run_id, passed, severity, failing_count from audit.quality_results"
        f" where run_id in ({', '.join('?' for _ in runs)})",
        runs,
    ).fetchall()
    out: dict[str, dict[str, Any]] = {}
    for source, check, run_id, passed, severity, failing in rows:
        entry = out.setdefault(source, {"runs": runs, "gates": {}})
        entry["gates"].setdefault(check, {})[run_id] = (passed, severity, failing)
    return out


def _by_entity(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Open exceptions per entity from the exception queue (empty before dbt has built it)."""
    if not _exists(con, "fct_exceptions", schema="marts"):
        return []
    frame = con.execute(
        """
        select
            entity_code,
            count(*) filter (where exception_type in
                ('quarantined_record', 'quarantined_edi_set', 'load_failed')) as data_quality,
            count(*) filter (where exception_type like 'unmapped%') as master_data,
            count(*) filter (where exception_type not in
                ('quarantined_record', 'quarantined_edi_set', 'load_failed')
                and exception_type not like 'unmapped%') as business,
            count(*) as open_total,
            coalesce(sum(money_at_stake_usd), 0) as money_at_stake_usd
        from marts.fct_exceptions
        where status not in ('resolved', 'cancelled')
        group by entity_code
        order by entity_code nulls last
        """
    ).df()
    return frame.to_dict(orient="records")


def _quarantine(con: duckdb.DuckDBPyConnection, from_marts: bool = False) -> dict[str, list[tuple]]:
    """Per source: quarantined rows per feed and reason, with an example of each (from the
    quarantine-reasons mart when `from_marts`)."""
    if from_marts:
        sql = f"""
            select source_system, feed, reason_code, quarantined_rows, example_detail,
                   example_position, example_raw
            from marts.{QUARANTINE_REASONS} order by 1, 4 desc
            """
    else:
        sql = """
        select source_system, feed, reason_code, count(*) as n,
               min(detail), min(source_file || ':' || coalesce(cast(source_row as varchar), '?')),
               min(left(raw_text, 160))
        from quarantine.records group by 1, 2, 3 order by 1, 4 desc
        """
    return _by_source(con.execute(sql).fetchall())


def _unmapped(con: duckdb.DuckDBPyConnection, suites: dict[str, Suite]) -> dict[str, list[tuple]]:
    """Unmapped codes: the dbt model when it exists, else the `unmapped_codes` gates' rules."""
    model = con.execute(
        "select schema_name, table_name from duckdb_tables() where table_name like '%unmapped%'"
        " and database_name = current_database() order by schema_name = 'marts' desc limit 1"
    ).fetchall()
    out: dict[str, list[tuple]] = {}
    if model:
        schema, table = model[0]
        cur = con.execute(f'select * from "{schema}"."{table}" limit 500')
        names = [d[0] for d in cur.description]
        source_col = next((n for n in names if n in ("source_system", "source")), None)
        for row in cur.fetchall():
            record = dict(zip(names, row, strict=True))
            source = str(record.get(source_col)) if source_col else "all"
            out.setdefault(source, []).append(
                (
                    f"{schema}.{table}",
                    ", ".join(f"{k}={v}" for k, v in record.items() if k != source_col),
                    None,
                )
            )
        return out
    for source, suite in suites.items():
        for gate in suite.gates:
            if gate.name != "unmapped_codes":
                continue
            for rule in gate.rules:
                if not _exists(con, rule["table"]):
                    continue
                where = f" where {rule['ref_where']}" if rule.get("ref_where") else ""
                known = (
                    " union ".join(
                        f"select cast({c} as varchar) from raw.{t}{where}"
                        for t, c in (r.split(".") for r in rule["refs"])
                        if _exists(con, t)
                    )
                    or "select null where false"
                )
                col = rule["column"]
                for code, n in con.execute(
                    f"select cast({col} as varchar), count(*) from raw.{rule['table']}"
                    f" where {col} is not null and cast({col} as varchar) not in ({known})"
                    " group by 1 order by 2 desc, 1 limit 50"
                ).fetchall():
                    out.setdefault(source, []).append((f"{rule['table']}.{col}", code, n))
    return out


# --- html --------------------------------------------------------------------------------------


def _banner(summary: dict[str, Any], status: dict[str, Any]) -> str:
    ok = summary.get("ok")
    cls = "ok" if ok else ("bad" if ok is False else "muted")
    verdict_text = {
        True: "Latest gates passed",
        False: "Latest run BLOCKED",
        None: "No gate results yet",
    }[ok]
    lines = [f"<div class='banner {cls}'><strong>{verdict_text}</strong>"]
    if summary.get("run_id"):
        lines.append(
            f" &middot; run <code>{_e(summary['run_id'])}</code> at {_e(summary.get('checked_at'))}"
        )
    if status.get("message"):
        lines.append(f"<br>Published warehouse: {_e(status['message'])}")
    if summary.get("blocked_by"):
        items = "".join(
            f"<li><code>{_e(b['asset'])}</code> &middot; <b>{_e(b['check'])}</b> &mdash; {_e(b.get('reason', ''))}</li>"
            for b in summary["blocked_by"]
        )
        lines.append(f"<ul class='blocked'>{items}</ul>")
    lines.append("</div>")
    return "".join(lines)


def _overview(
    suites: dict[str, Suite], results: dict[str, list[dict]], loads: dict[str, list[tuple]]
) -> str:
    rows = []
    for source, suite in suites.items():
        res = results.get(source, [])
        feeds = loads.get(source, [])
        failed_err = sum(1 for r in res if r["blocking"])
        failed_warn = sum(1 for r in res if not r["passed"] and r["severity"] == "warn")
        state = "bad" if failed_err else ("warn" if failed_warn else ("ok" if res else "muted"))
        label = {"bad": "blocked", "warn": "warnings", "ok": "passed", "muted": "not checked"}[
            state
        ]
        rows.append(
            f"<tr><td><a href='#src-{_e(source)}'>{_e(source)}</a></td><td>{_e(', '.join(suite.entities))}</td>"
            f"<td class='num'>{sum(f[1] for f in feeds):,}</td><td class='num'>{sum(f[4] for f in feeds):,}</td>"
            f"<td class='num'>{sum(f[5] for f in feeds):,}</td><td class='num'>{sum(f[6] for f in feeds):,}</td>"
            f"<td class='num'>{_pct(sum(f[6] for f in feeds), sum(f[4] for f in feeds))}</td>"
            f"<td><span class='pill {state}'>{label}</span> {len(res) - failed_err - failed_warn}/{len(res)}</td></tr>"
        )
    return (
        "<section><h2>Sources</h2><table><thead><tr><th>source</th><th>entities</th><th>loads</th>"
        "<th>rows read</th><th>rows loaded</th><th>quarantined</th><th>quarantine rate</th><th>gates passed</th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def _source_section(
    suite: Suite,
    results: list[dict],
    feeds: list[tuple],
    freshness: list[tuple],
    trend: dict[str, Any],
    quarantine: list[tuple],
    unmapped: list[tuple],
) -> str:
    s = suite.source
    out = [
        f"<section id='src-{_e(s)}'><h2>{_e(s)} <span class='muted small'>{_e(', '.join(suite.entities))}</span></h2>"
    ]
    rows = _gate_rows(results)
    out.append("<h3>Gates (latest run)</h3>")
    out.append(_gate_table(rows, "not checked yet"))
    # trends
    if trend:
        runs = trend["runs"]
        head = "".join(f"<th title='{_e(r)}'>{i + 1}</th>" for i, r in enumerate(runs))
        body = []
        for check, by_run in trend["gates"].items():
            cells = []
            for run in runs:
                if run not in by_run:
                    cells.append("<td class='muted'>&middot;</td>")
                    continue
                passed, severity, failing = by_run[run]
                cls = "ok" if passed else ("bad" if severity == "error" else "warn")
                cells.append(f"<td title='{failing} failing'><span class='dot {cls}'></span></td>")
            body.append(
                f"<tr><td>{_e(check)}</td>{''.join(cells)}<td>{_spark([by_run.get(r, (1, '', 0))[2] for r in runs])}</td></tr>"
            )
        out.append(
            "<h3>Trend over the last runs</h3><table class='trend'><thead><tr><th>gate</th>"
            f"{head}<th>failing rows</th></tr></thead><tbody>{''.join(body)}</tbody></table>"
        )
    # loads
    if feeds:
        body = "".join(
            f"<tr><td>{_e(f[0])}</td><td class='num'>{f[1]:,}</td><td class='num'>{f[2]:,}</td><td class='num'>{f[3]:,}</td>"
            f"<td class='num'>{f[4]:,}</td><td class='num'>{f[5]:,}</td><td class='num'>{f[6]:,}</td>"
            f"<td class='num'>{_pct(f[6], f[4])}</td></tr>"
            for f in feeds
        )
        out.append(
            "<details><summary>Rows loaded and quarantined per feed (audit.load_manifest)</summary><table><thead><tr>"
            "<th>feed</th><th>loads</th><th>files rejected</th><th>duplicates skipped</th><th>rows read</th>"
            f"<th>loaded</th><th>quarantined</th><th>rate</th></tr></thead><tbody>{body}</tbody></table></details>"
        )
    # freshness
    if freshness:
        body = "".join(
            f"<tr><td>{_e(f[0])}</td><td>{_e(f[1])}</td><td>{_e(str(f[2])[:19])}</td>"
            f"<td class='num'><span class='pill {'ok' if (f[3] or 0) <= 3 else 'bad'}'>{_e(f[3])}</span></td></tr>"
            for f in freshness
        )
        out.append(
            "<details><summary>Freshness: newest data per feed</summary><table><thead><tr><th>feed</th>"
            "<th>newest data day</th><th>last loaded</th><th>days behind newest delivery</th></tr></thead>"
            f"<tbody>{body}</tbody></table></details>"
        )
    # unmapped codes
    if unmapped:
        body = "".join(
            f"<tr><td>{_e(u[0])}</td><td><code>{_e(u[1])}</code></td><td class='num'>{_e(u[2] if u[2] is not None else '')}</td></tr>"
            for u in unmapped
        )
        out.append(
            f"<details open><summary>Unmapped codes ({len(unmapped)}): steward tasks</summary><table><thead><tr>"
            f"<th>where</th><th>code</th><th>rows</th></tr></thead><tbody>{body}</tbody></table></details>"
        )
    # quarantine
    if quarantine:
        body = "".join(
            f"<tr><td>{_e(q[0])}</td><td><span class='pill warn'>{_e(q[1])}</span></td><td class='num'>{q[2]:,}</td>"
            f"<td>{_e(q[3])}</td><td class='small'>{_e(q[4])}</td><td class='raw'>{_e(q[5])}</td></tr>"
            for q in quarantine
        )
        out.append(
            "<details><summary>Quarantine by reason</summary><table><thead><tr><th>feed</th><th>reason</th><th>rows</th>"
            f"<th>example detail</th><th>example position</th><th>example raw text</th></tr></thead><tbody>{body}</tbody></table></details>"
        )
    out.append("</section>")
    return "".join(out)


def _gate_rows(results: list[dict]) -> list[str]:
    rows = []
    for r in results:
        state = "ok" if r["passed"] else ("bad" if r["severity"] == "error" else "warn")
        label = "passed" if r["passed"] else ("BLOCKS" if r["severity"] == "error" else "warning")
        tolerated = (
            f" <span class='muted'>({r['failing_count']:,} tolerated)</span>"
            if r["passed"] and r["failing_count"]
            else ""
        )
        failed_labels = [d.get("label", "") for d in r["details"] if not d.get("success", True)]
        sample = (
            _sample_table(r["sample_failing_rows"]) if not r["passed"] or r["failing_count"] else ""
        )
        detail = f"<div class='small'>{_e('; '.join(failed_labels))}</div>" if failed_labels else ""
        rows.append(
            f"<tr><td><b>{_e(r['check_name'])}</b><div class='muted small'>{_e(r['description'])}</div>{detail}</td>"
            f"<td>{_e(r['severity'])}</td><td><span class='pill {state}'>{label}</span>{tolerated}</td>"
            f"<td class='num'>{r['failing_count']:,}</td><td class='num'>{r['element_count']:,}</td></tr>"
            + (f"<tr class='sample'><td colspan='5'>{sample}</td></tr>" if sample else "")
        )
    return rows


def _gate_table(rows: list[str], empty: str) -> str:
    return (
        "<table><thead><tr><th>gate</th><th>severity</th><th>result</th><th>failing</th><th>checked</th></tr></thead>"
        f"<tbody>{''.join(rows) or f'<tr><td colspan=5 class=muted>{_e(empty)}</td></tr>'}</tbody></table>"
    )


def _dbt_section(results: list[dict]) -> str:
    """The modelled layer: the latest `dbt build` of this run, problems first."""
    if not results:
        return ""
    by_kind: dict[str, list[int]] = {}
    for r in results:
        counts = by_kind.setdefault(r["kind"].removeprefix("dbt_"), [0, 0, 0])
        counts[0 if r["passed"] else (1 if r["severity"] == "error" else 2)] += 1
    summary = "".join(
        f"<tr><td>{_e(kind)}</td><td class='num'>{c[0]:,}</td><td class='num'>{c[1]:,}</td><td class='num'>{c[2]:,}</td></tr>"
        for kind, c in sorted(by_kind.items())
    )
    problems = sorted(
        (r for r in results if not r["passed"]),
        key=lambda r: (r["severity"] != "error", r["asset"]),
    )
    rows = []
    for r in problems:
        rows.extend(_gate_rows([{**r, "check_name": f"{r['asset']} · {r['check_name']}"}]))
    return (
        "<section id='src-dbt'><h2>Modelled layer (dbt build)</h2>"
        "<table><thead><tr><th>node</th><th>passed</th><th>failed (blocks)</th><th>warnings</th></tr></thead>"
        f"<tbody>{summary}</tbody></table><h3>Failing and warning tests and models</h3>"
        f"{_gate_table(rows, 'every model built and every test passed')}</section>"
    )


def _entity_section(rows: list[dict[str, Any]]) -> str:
    """Open exceptions per legal entity: what is broken where, and the money at stake."""
    if not rows:
        return ""
    body = "".join(
        f"<tr><td>{_e(r['entity_code'] or '(not attributable)')}</td>"
        f"<td class='num'>{r['data_quality']:,}</td><td class='num'>{r['master_data']:,}</td>"
        f"<td class='num'>{r['business']:,}</td><td class='num'>{r['open_total']:,}</td>"
        f"<td class='num'>{r['money_at_stake_usd']:,.0f}</td></tr>"
        for r in rows
    )
    return (
        "<section id='by-entity'><h2>Open exceptions by entity</h2>"
        "<p class='muted small'>From the published exception queue (marts.fct_exceptions). Data quality:"
        " quarantined records and EDI sets, failed loads; master data: unmapped codes; business:"
        " late suppliers, credit, prices below floor. Records of multi-entity sources that could not"
        " be parsed far enough to know their entity are counted as not attributable.</p>"
        "<table><thead><tr><th>entity</th><th>data quality</th><th>master data</th><th>business</th>"
        f"<th>open</th><th>money at stake (USD)</th></tr></thead><tbody>{body}</tbody></table></section>"
    )


def _edi_sets(con: duckdb.DuckDBPyConnection) -> str:
    rows = con.execute(
        "select partner, transaction_set, split_part(detail, ';', 1), count(*), min(source_file)"
        " from quarantine.edi_sets group by 1, 2, 3 order by 4 desc, 1 limit 100"
    ).fetchall()
    if not rows:
        return ""
    body = "".join(
        f"<tr><td>{_e(r[0])}</td><td>{_e(r[1])}</td><td>{_e(r[2])}</td><td class='num'>{r[3]}</td><td class='small'>{_e(r[4])}</td></tr>"
        for r in rows
    )
    return (
        "<section><h2>EDI transaction sets quarantined for envelope errors</h2><table><thead><tr><th>partner</th>"
        f"<th>set</th><th>reason</th><th>sets</th><th>example file</th></tr></thead><tbody>{body}</tbody></table></section>"
    )


def _sample_table(sample: list[dict[str, Any]]) -> str:
    if not sample:
        return ""
    columns = list(dict.fromkeys(k for row in sample for k in row))
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_e(_cell(row.get(c)))}</td>" for c in columns) + "</tr>"
        for row in sample
    )
    return f"<div class='samplebox'><span class='muted small'>sample of failing rows</span><table class='inner'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"


def _spark(values: list[int]) -> str:
    """A tiny inline SVG bar chart (no JavaScript)."""
    top = max(values) or 1
    width, height = 6 * len(values), 18
    bars = "".join(
        f"<rect x='{i * 6}' y='{height - max(1, round(v / top * height)) if v else height - 1}' width='4' "
        f"height='{max(1, round(v / top * height)) if v else 1}' fill='{'#c0392b' if v else '#bbb'}'/>"
        for i, v in enumerate(values)
    )
    return f"<svg width='{width}' height='{height}' role='img' aria-label='failing rows per run'>{bars}</svg>"


def _cell(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)[:200]
    return "" if value is None else str(value)[:200]


def _pct(part: float, whole: float) -> str:
    return f"{part / whole:.2%}" if whole else "–"


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _exists(con: duckdb.DuckDBPyConnection, table: str, schema: str = "raw") -> bool:
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?"
            " and database_name = current_database()",
            [schema, table],
        ).fetchall()[0][0]
    )


def _has_results(con: duckdb.DuckDBPyConnection) -> bool:
    return _exists(con, "quality_results", schema="audit")


_HEAD = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Backbone data quality report</title>
<style>
:root { --ok:#1e8449; --bad:#c0392b; --warn:#b9770e; --muted:#6b7280; --line:#e5e7eb; --bg:#f8fafc; }
* { box-sizing: border-box; }
body { margin:0; font: 14px/1.45 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color:#111827; background:var(--bg); }
header { background:#0f172a; color:#f8fafc; padding:18px 28px 14px; }
header h1 { margin:0 0 4px; font-size:22px; font-weight:600; }
header .muted { color:#cbd5e1; }
main { padding: 8px 28px 40px; max-width: 1280px; }
section { background:#fff; border:1px solid var(--line); border-radius:8px; padding:14px 18px; margin:16px 0; }
h2 { font-size:18px; margin:4px 0 10px; } h3 { font-size:15px; margin:14px 0 6px; color:#374151; }
table { border-collapse: collapse; width:100%; margin:4px 0 8px; }
th, td { text-align:left; padding:5px 8px; border-bottom:1px solid var(--line); vertical-align: top; }
th { background:#f1f5f9; font-weight:600; font-size:12px; text-transform: uppercase; letter-spacing:.02em; color:#334155; }
td.num, th.num { text-align:right; font-variant-numeric: tabular-nums; }
.muted { color:var(--muted); } .small { font-size:12px; }
.pill { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; font-weight:600; color:#fff; background:var(--muted); }
.pill.ok { background:var(--ok); } .pill.bad { background:var(--bad); } .pill.warn { background:var(--warn); }
.dot { display:inline-block; width:10px; height:10px; border-radius:50%; background:var(--muted); }
.dot.ok { background:var(--ok); } .dot.bad { background:var(--bad); } .dot.warn { background:var(--warn); }
.banner { margin-top:10px; padding:10px 14px; border-radius:6px; background:#334155; }
.banner.ok { background:#14532d; } .banner.bad { background:#7f1d1d; }
.banner code { color:#fde68a; } ul.blocked { margin:6px 0 0 18px; padding:0; }
details { margin:8px 0; } summary { cursor:pointer; font-weight:600; color:#1f2937; }
tr.sample td { background:#fff7ed; border-bottom:1px solid var(--line); }
.samplebox { overflow-x:auto; } table.inner th, table.inner td { font-size:12px; padding:3px 6px; }
td.raw { font-family: ui-monospace, Menlo, Consolas, monospace; font-size:11px; max-width:380px; overflow-wrap:anywhere; }
table.trend td { text-align:center; } table.trend td:first-child { text-align:left; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
a { color:#1d4ed8; text-decoration:none; }
</style></head>"""
