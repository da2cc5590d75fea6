"""The dbt manifest is re-parsed safely when several processes load the definitions at once."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

from dagster_project.dbt.project import DBT_DIR

PARSE_IN_A_CHILD = """
import sys
from dagster_dbt import DbtProject
from dagster_project.dbt.project import ensure_manifest
project_dir = sys.argv[1]
print(ensure_manifest(DbtProject(project_dir=project_dir, profiles_dir=project_dir)))
"""


def test_concurrent_loads_parse_once_and_never_read_a_half_written_manifest(tmp_path: Path):
    project_dir = tmp_path / "dbt"
    shutil.copytree(DBT_DIR, project_dir, ignore=shutil.ignore_patterns("target", "logs"))

    children = [
        subprocess.Popen(
            [sys.executable, "-c", PARSE_IN_A_CHILD, str(project_dir)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outcomes = [(*child.communicate(timeout=300), child.returncode) for child in children]

    assert [code for _, _, code in outcomes] == [0, 0, 0], [err[-2000:] for _, err, _ in outcomes]
    manifest = project_dir / "target" / "manifest.json"
    assert "model.backbone.kpi_monthly" in json.loads(manifest.read_bytes())["nodes"]
    # Only the shared manifest, its fingerprint and the lock are left: no private parse folders.
    leftovers = {p.name for p in (project_dir / "target").iterdir()}
    assert leftovers == {"manifest.json", "backbone_manifest.fingerprint", "backbone_manifest.lock"}
