"""Users, roles and what each may open: demo users from dashboards/users.yaml."""

from __future__ import annotations

from pathlib import Path

import bcrypt
import pytest

from dashboards.auth import PAGE_ROLES, User, authenticate, load_users, user_from_entry
from tests.dashboards.conftest import PASSWORDS


def test_demo_users_log_in_with_their_documented_passwords() -> None:
    for username, password in PASSWORDS.items():
        user = authenticate(username, password)
        assert user is not None and user.username == username
    assert authenticate("ceo", "wrong") is None
    assert authenticate("nobody", "exec-demo") is None
    assert authenticate("ceo", "") is None


def test_scopes_of_the_demo_users() -> None:
    assert authenticate("ceo", PASSWORDS["ceo"]).entities is None
    assert authenticate("us_manager", PASSWORDS["us_manager"]).entities == ("US01", "US02")
    assert authenticate("mx_manager", PASSWORDS["mx_manager"]).entities == ("MX01", "MX02")


def test_passwords_are_stored_as_bcrypt_hashes() -> None:
    for entry in load_users().values():
        assert entry["password_hash"].startswith("$2b$")
        assert bcrypt.checkpw(b"not-the-password", entry["password_hash"].encode()) is False


def test_menus_by_role() -> None:
    ceo = User("ceo", "CEO", "executive", None)
    manager = User("m", "M", "entity_manager", ("US01",))
    steward = User("s", "S", "steward", None)
    analyst = User("a", "A", "analyst", None)
    opened = {
        u.role: {p for p in PAGE_ROLES if u.may_open(p)} for u in (ceo, manager, steward, analyst)
    }
    assert opened["executive"] == {"executive", "exceptions", "inventory", "procurement", "models"}
    assert opened["entity_manager"] == {"executive", "exceptions", "inventory", "procurement"}
    assert opened["steward"] == {"exceptions", "quality", "sql", "models"}
    assert opened["analyst"] == {
        "executive",
        "inventory",
        "procurement",
        "quality",
        "sql",
        "models",
    }
    # the SQL console and the quality page are for users allowed every entity's data
    restricted_analyst = User("a", "A", "analyst", ("US01",))
    assert not restricted_analyst.may_open("sql") and not restricted_analyst.may_open("quality")
    assert not restricted_analyst.may_open("models")


def test_config_errors_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "users.yaml"
    bad.write_text("users:\n  x:\n    role: admin\n    password_hash: '$2b$10$x'\n")
    with pytest.raises(ValueError, match="role"):
        load_users(bad)
    with pytest.raises(ValueError, match="GROUP"):
        user_from_entry(
            "x", {"role": "entity_manager", "entities": ["GROUP"], "password_hash": "h"}
        )
