"""The exceptions workflow store: who acknowledged, assigned, resolved or commented on an exception.

A small SQLite file of its own (`paths().workflow_store`), never the warehouse: the dashboard
writes to it while a run may be loading, and ingestion reads it back as a source (cursor on
`updated_at`), so resolution time becomes a governed KPI on the next run. The dashboard merges
`current_state` with the published `fct_exceptions` so an action shows at once.

The table is an append-only log; its schema is a contract with ingestion, keep it exactly.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ACTIONS = ("acknowledge", "assign", "resolve", "reopen", "comment")
# what each action leaves the exception as; a comment changes nothing
STATUS_AFTER = {
    "acknowledge": "acknowledged",
    "assign": "assigned",
    "resolve": "resolved",
    "reopen": "open",
}
OPEN = "open"

SCHEMA = """
create table if not exists exception_actions (
    action_id TEXT PRIMARY KEY,
    exception_id TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action in ('acknowledge','assign','resolve','reopen','comment')),
    assignee TEXT,
    comment TEXT,
    actor TEXT NOT NULL,
    acted_at TEXT NOT NULL /* ISO-8601 UTC */,
    updated_at TEXT NOT NULL
);
create index if not exists exception_actions_by_exception
    on exception_actions (exception_id, acted_at);
create index if not exists exception_actions_by_updated on exception_actions (updated_at);
"""


@dataclass(frozen=True)
class ExceptionState:
    """The workflow's view of one exception, after every action recorded so far."""

    exception_id: str
    status: str
    assignee: str | None
    last_action: str
    last_actor: str
    last_acted_at: str
    last_comment: str | None
    resolved_at: str | None  # the latest resolve, unless reopened since
    actions: int


def record_action(
    exception_id: str,
    action: str,
    actor: str,
    *,
    assignee: str | None = None,
    comment: str | None = None,
    store: Path | str | None = None,
    at: datetime | None = None,
) -> str:
    """Append one action to the log and return its `action_id`."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}: one of {', '.join(ACTIONS)}")
    if not exception_id or not actor:
        raise ValueError("an action needs an exception_id and an actor")
    if action == "assign" and not assignee:
        raise ValueError("assign needs an assignee")
    acted = _iso(at or datetime.now(UTC))
    action_id = uuid.uuid4().hex
    with _connect(store) as con:
        con.execute(
            "insert into exception_actions"
            " (action_id, exception_id, action, assignee, comment, actor, acted_at, updated_at)"
            " values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                action_id,
                exception_id,
                action,
                assignee or None,
                comment or None,
                actor,
                acted,
                _iso(datetime.now(UTC)),
            ],
        )
    return action_id


def current_state(
    exception_ids: Iterable[str] | None = None, store: Path | str | None = None
) -> dict[str, ExceptionState]:
    """Latest status and assignee per exception that has any action (all of them when None)."""
    ids = list(dict.fromkeys(exception_ids)) if exception_ids is not None else None
    if ids is not None and not ids:
        return {}
    target = _store_path(store)
    if not target.exists():
        return {}
    with _connect(target) as con:
        if ids is None:
            rows = con.execute(
                "select exception_id, action, assignee, comment, actor, acted_at"
                " from exception_actions order by exception_id, acted_at, updated_at"
            ).fetchall()
        else:
            rows = []
            # SQLite caps bound variables per statement; chunk the id list
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                rows.extend(
                    con.execute(
                        "select exception_id, action, assignee, comment, actor, acted_at"
                        f" from exception_actions where exception_id in ({','.join('?' * len(chunk))})"
                        " order by exception_id, acted_at, updated_at",
                        chunk,
                    ).fetchall()
                )
    return _fold(rows)


def history(exception_id: str, store: Path | str | None = None) -> list[dict[str, str | None]]:
    """Every action on one exception, oldest first."""
    target = _store_path(store)
    if not target.exists():
        return []
    with _connect(target) as con:
        cur = con.execute(
            "select action_id, exception_id, action, assignee, comment, actor, acted_at, updated_at"
            " from exception_actions where exception_id = ? order by acted_at, updated_at",
            [exception_id],
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def ensure_store(store: Path | str | None = None) -> Path:
    """Create the store file and its table if missing; return its path."""
    with _connect(store):
        pass
    return _store_path(store)


def _fold(rows: list[tuple]) -> dict[str, ExceptionState]:
    out: dict[str, ExceptionState] = {}
    state: dict[str, dict] = {}
    for exception_id, action, assignee, comment, actor, acted_at in rows:
        s = state.setdefault(
            exception_id, {"status": OPEN, "assignee": None, "resolved_at": None, "actions": 0}
        )
        s["actions"] += 1
        if action in STATUS_AFTER:
            s["status"] = STATUS_AFTER[action]
        if action == "assign":
            s["assignee"] = assignee
        if action == "resolve":
            s["resolved_at"] = acted_at
        elif action == "reopen":
            s["resolved_at"] = None
        s.update(last_action=action, last_actor=actor, last_acted_at=acted_at)
        s["last_comment"] = comment if comment else s.get("last_comment")
    for exception_id, s in state.items():
        out[exception_id] = ExceptionState(
            exception_id=exception_id,
            status=s["status"],
            assignee=s["assignee"],
            last_action=s["last_action"],
            last_actor=s["last_actor"],
            last_acted_at=s["last_acted_at"],
            last_comment=s.get("last_comment"),
            resolved_at=s["resolved_at"],
            actions=s["actions"],
        )
    return out


@contextmanager
def _connect(store: Path | str | None) -> Iterator[sqlite3.Connection]:
    target = _store_path(store)
    target.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(target, timeout=10)
    try:
        con.executescript(SCHEMA)
        with con:
            yield con
    finally:
        con.close()


def _store_path(store: Path | str | None) -> Path:
    if store is not None:
        return Path(store)
    from backbone.config import paths

    return paths().workflow_store


def _iso(moment: datetime) -> str:
    """ISO-8601 UTC with microseconds and a Z, so text order is time order."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
