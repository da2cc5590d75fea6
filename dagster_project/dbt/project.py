"""The dbt project as Dagster sees it, and its manifest kept current.

dagster-dbt builds the asset graph from `dbt/target/manifest.json`. `dagster dev` re-parses on
start (`prepare_if_dev`), but `backbone run` and the tests load the definitions directly, so the
manifest is re-parsed here whenever a file of the project is newer than it: an edited model shows
up in the next run without a manual `dbt parse`.
"""

import os
import subprocess
import sys
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
    """Parse the project if the manifest is missing or older than any project file."""
    manifest = Path(project.manifest_path)
    if manifest.exists() and manifest.stat().st_mtime >= _newest_project_file(
        Path(project.project_dir)
    ):
        return manifest
    completed = subprocess.run(
        [
            dbt_executable(),
            "parse",
            "--project-dir",
            str(project.project_dir),
            "--profiles-dir",
            str(project.profiles_dir),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        check=False,
        # parse never connects, but the profile must render: give it a harmless path
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )
    if completed.returncode != 0 or not manifest.exists():
        raise RuntimeError(
            f"`dbt parse` failed:\n{completed.stdout[-3000:]}{completed.stderr[-3000:]}"
        )
    return manifest


def _newest_project_file(project_dir: Path) -> float:
    newest = 0.0
    for name in PROJECT_FILES:
        root = project_dir / name
        if root.is_file():
            newest = max(newest, root.stat().st_mtime)
        elif root.is_dir():
            for path in root.rglob("*"):
                if path.is_file():
                    newest = max(newest, path.stat().st_mtime)
    return newest
