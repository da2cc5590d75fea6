"""Who may log in, with which role, seeing which entities, and which pages each role gets.

Users live in a YAML file (`dashboards/users.yaml`, or `BACKBONE_DASHBOARD_USERS`) with bcrypt
password hashes. The role decides the menu; the entity list decides the rows (enforced in
`dashboards.data`, not here).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import bcrypt
import yaml

ROLES = ("executive", "entity_manager", "steward", "analyst")
ALL = "*"

# page id -> roles that see it in their menu (the SQL console also needs all-entity access)
PAGE_ROLES: dict[str, tuple[str, ...]] = {
    "executive": ("executive", "entity_manager", "analyst"),
    "exceptions": ("executive", "entity_manager", "steward"),
    "inventory": ("executive", "entity_manager", "analyst"),
    "procurement": ("executive", "entity_manager", "analyst"),
    "quality": ("steward", "analyst"),
    "models": ("executive", "steward", "analyst"),
    "sql": ("analyst", "steward"),
}
# pages that show data not partitioned by entity (audit, quarantine, any table): all-data users only
ALL_DATA_PAGES = {"quality", "sql", "models"}
_DUMMY_HASH = b"$2b$10$GiaKEjTJRoW1Clmaf7RiPuKo/J2pnubCx2TdXj3Ks0r4xQ6ymEXea"


@dataclass(frozen=True)
class User:
    username: str
    name: str
    role: str
    entities: tuple[str, ...] | None  # None: every entity, and the consolidated GROUP

    @property
    def all_data(self) -> bool:
        return self.entities is None

    def may_open(self, page: str) -> bool:
        if self.role not in PAGE_ROLES.get(page, ()):
            return False
        return self.all_data or page not in ALL_DATA_PAGES


def users_file() -> Path:
    return Path(os.environ.get("BACKBONE_DASHBOARD_USERS", Path(__file__).with_name("users.yaml")))


def load_users(path: Path | None = None) -> dict[str, dict]:
    doc = yaml.safe_load((path or users_file()).read_text(encoding="utf-8")) or {}
    users = doc.get("users") or {}
    for username, entry in users.items():
        if entry.get("role") not in ROLES:
            raise ValueError(f"user {username}: role must be one of {', '.join(ROLES)}")
        if not entry.get("password_hash"):
            raise ValueError(f"user {username}: no password_hash")
    return users


def authenticate(username: str, password: str, path: Path | None = None) -> User | None:
    """The user if the password matches its hash, else None (same answer for unknown users)."""
    users = load_users(path)
    entry = users.get((username or "").strip())
    if entry is None or not password:
        # spend the same time as a real check, so timing does not reveal which names exist
        bcrypt.checkpw(b"x", _DUMMY_HASH)
        return None
    if not bcrypt.checkpw(password.encode("utf-8"), entry["password_hash"].encode("ascii")):
        return None
    return user_from_entry(username.strip(), entry)


def user_from_entry(username: str, entry: dict) -> User:
    entities = entry.get("entities", [])
    if entities == ALL or entities == [ALL]:
        scope = None
    else:
        scope = tuple(sorted({str(e).upper() for e in (entities or [])}))
        if "GROUP" in scope:
            raise ValueError(f"user {username}: GROUP is not an entity; use '*' for all data")
    return User(
        username=username,
        name=str(entry.get("name") or username),
        role=entry["role"],
        entities=scope,
    )
