"""`backbone dashboard [--port N]`: serve the Streamlit app over the published warehouse.

Runs `streamlit run dashboards/app.py` as a child process (headless, usage statistics off)
with this process's `BACKBONE_HOME`, so the app reads the same published copy as `backbone kpi`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

APP = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"


def register(app: typer.Typer) -> None:
    app.command("dashboard")(dashboard)


def dashboard(
    port: Annotated[int, typer.Option("--port", help="Port to serve on.")] = 8501,
    host: Annotated[
        str, typer.Option("--host", help="Address to bind (0.0.0.0 to serve other machines).")
    ] = "127.0.0.1",
) -> None:
    """Serve the dashboard (login required; demo users in the README) until interrupted."""
    from backbone.config import backbone_home, paths

    published = paths().published
    if not published.exists():
        typer.echo(
            f"nothing published yet at {published}: the dashboard shows an empty state until"
            " `backbone run` publishes",
            err=True,
        )
    env = dict(os.environ)
    env["BACKBONE_HOME"] = str(backbone_home())  # absolute: streamlit may change directory
    env.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.port",
        str(port),
        "--server.address",
        host,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--client.toolbarMode",
        "viewer",
    ]
    typer.echo(f"Backbone dashboard: http://{host}:{port}  (published warehouse: {published})")
    process = subprocess.Popen(command, env=env)

    def stop(signum: int, _frame: object) -> None:
        # a terminated `backbone dashboard` must not leave the server running on its port
        process.send_signal(signum)

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)
    try:
        code = process.wait()
    except KeyboardInterrupt:
        process.terminate()
        code = process.wait()
    raise typer.Exit(code=code)
