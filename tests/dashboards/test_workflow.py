"""The exceptions workflow store: its schema is a contract with ingestion; its state folds the log."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from backbone.workflow import current_state, ensure_store, history, record_action

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def test_schema_is_the_ingestion_contract(tmp_path: Path) -> None:
    store = ensure_store(tmp_path / "wf.sqlite")
    con = sqlite3.connect(store)
    columns = [
        (r[1], r[2], bool(r[3]), bool(r[5]))
        for r in con.execute("pragma table_info(exception_actions)")
    ]
    con.close()
    assert columns == [
        ("action_id", "TEXT", False, True),
        ("exception_id", "TEXT", True, False),
        ("action", "TEXT", True, False),
        ("assignee", "TEXT", False, False),
        ("comment", "TEXT", False, False),
        ("actor", "TEXT", True, False),
        ("acted_at", "TEXT", True, False),
        ("updated_at", "TEXT", True, False),
    ]


def test_the_table_refuses_unknown_actions(tmp_path: Path) -> None:
    store = ensure_store(tmp_path / "wf.sqlite")
    con = sqlite3.connect(store)
    with pytest.raises(sqlite3.IntegrityError):
        con.execute(
            "insert into exception_actions values ('a', 'e', 'delete', null, null, 'x', 't', 't')"
        )
    con.close()
    with pytest.raises(ValueError):
        record_action("e", "delete", "x", store=store)
    with pytest.raises(ValueError):
        record_action("e", "assign", "x", store=store)  # assign without an assignee


def test_state_follows_the_latest_action(tmp_path: Path) -> None:
    store = tmp_path / "wf.sqlite"
    record_action("E1", "acknowledge", "ana", store=store, at=T0)
    record_action("E1", "assign", "ana", assignee="bo", store=store, at=T0 + timedelta(hours=1))
    record_action(
        "E1",
        "comment",
        "bo",
        comment="calling the customer",
        store=store,
        at=T0 + timedelta(hours=2),
    )
    record_action(
        "E1", "resolve", "bo", comment="released", store=store, at=T0 + timedelta(hours=5)
    )
    record_action("E2", "resolve", "ana", store=store, at=T0)
    record_action("E2", "reopen", "ana", comment="again", store=store, at=T0 + timedelta(days=1))

    state = current_state(["E1", "E2", "E3"], store=store)
    assert set(state) == {"E1", "E2"}  # E3 has no action: not in the store's answer
    e1 = state["E1"]
    assert (e1.status, e1.assignee, e1.last_actor, e1.actions) == ("resolved", "bo", "bo", 4)
    assert e1.resolved_at == "2025-03-01T14:00:00.000000Z"
    assert e1.last_comment == "released"
    e2 = state["E2"]
    assert (e2.status, e2.resolved_at) == ("open", None)

    log = history("E1", store=store)
    assert [a["action"] for a in log] == ["acknowledge", "assign", "comment", "resolve"]
    assert all(a["updated_at"].endswith("Z") for a in log)
    assert current_state(store=store).keys() == {"E1", "E2"}


def test_many_ids_and_a_missing_store(tmp_path: Path) -> None:
    store = tmp_path / "wf.sqlite"
    assert current_state(["E1"], store=store) == {}
    assert not store.exists()  # reading never creates the file
    for i in range(0, 1200, 100):
        record_action(f"E{i}", "acknowledge", "ana", store=store)
    state = current_state([f"E{i}" for i in range(1200)], store=store)  # more ids than SQLite binds
    assert len(state) == 12 and all(s.status == "acknowledged" for s in state.values())


def test_store_defaults_to_backbone_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKBONE_HOME", str(tmp_path))
    monkeypatch.delenv("BACKBONE_WORKFLOW_DB", raising=False)
    record_action("E1", "acknowledge", "ana")
    assert (tmp_path / "workflow" / "workflow.sqlite").exists()
