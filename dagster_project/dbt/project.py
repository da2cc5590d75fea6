"""The dbt project as Dagster sees it, and its manifest kept current.

dagster-dbt builds the asset graph from `dbt/target/manifest.json`. `dagster dev` re-parses on
start (`prepare_if_dev`), but `backbone run` and the tests load the definitions directly, so the
manifest is re-parsed here whenever the project's files changed since the last parse: an edited
model shows up in the next run without a manual `dbt parse`.

Several processes import the definitions at once (pytest workers, `dagster dev` next to
`backbone run`), so the parse runs under a file lock and writes into a private target folder whose
manifest then replaces the shared one in one rename: no process ever reads a half-written manifest.
"""

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from dagster_dbt import DbtProject

DBT_DIR = Path(__file__).resolve().parents[2] / "dbt"
PROJECT_FILES = (
    "dbt_project.yml",
    "profiles.yml",
    "models",
    "macros",
    "seeds",
    "snapshots",
    "tests",
)

backbone_dbt = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)


def dbt_executable() -> str:
    """The venv's `dbt` next to this interpreter (PATH may not include the venv's bin/)."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def ensure_manifest(project: DbtProject = backbone_dbt) -> Path:
    """Parse the project unless the manifest was parsed from exactly the files there now.

    The fingerprint (every project file's path, size and mtime, taken before parsing) catches
    edits, new and deleted files, and an edit made while a parse was running.
    """
    manifest = Path(project.manifest_path)
    stamp = manifest.with_name("backbone_manifest.fingerprint")
    fingerprint = _fingerprint(Path(project.project_dir))
    if _is_current(manifest, stamp, fingerprint):
        return manifest
    manifest.parent.mkdir(parents=True, exist_ok=True)
    with open(manifest.with_name("backbone_manifest.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # Another process may have parsed the same files while this one waited for the lock.
        if not _is_current(manifest, stamp, fingerprint):
            _parse_into(project, manifest)
            stamp.write_text(fingerprint)
    return manifest


def _is_current(manifest: Path, stamp: Path, fingerprint: str) -> bool:
    return manifest.exists() and stamp.exists() and stamp.read_text() == fingerprint


def _parse_into(project: DbtProject, manifest: Path) -> None:
    """`dbt parse` into a private target folder, then move its manifest over the shared one."""
    private_target = Path(tempfile.mkdtemp(prefix="parse-", dir=manifest.parent))
    try:
        completed = subprocess.run(
            [
                dbt_executable(),
                "parse",
                "--project-dir",
                str(project.project_dir),
                "--profiles-dir",
                str(project.profiles_dir),
                "--target-path",
                str(private_target),
                "--quiet",
            ],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        )
        parsed = private_target / "manifest.json"
        if completed.returncode != 0 or not parsed.exists():
            raise RuntimeError(
                f"`dbt parse` failed:\n{completed.stdout[-3000:]}{completed.stderr[-3000:]}"
            )
        os.replace(parsed, manifest)
    finally:
        shutil.rmtree(private_target, ignore_errors=True)


def _fingerprint(project_dir: Path) -> str:
    digest = hashlib.sha256()
    for name in PROJECT_FILES:
        root = project_dir / name
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            stat = path.stat()
            digest.update(
                f"{path.relative_to(project_dir)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode()
            )
    return digest.hexdigest()
