"""``panopticum dashboard``: the Solara page, served offline on this machine."""

from __future__ import annotations

from pathlib import Path

import typer

from panopticum.cli import app
from panopticum.store.layout import DEFAULT_STORE


@app.command("dashboard")
def dashboard(
    port: int = typer.Option(8765, "--port", help="the port to serve on"),
    host: str = typer.Option("127.0.0.1", "--host", help="the address to bind (default: this machine only)"),
    store_dir: Path = typer.Option(Path(DEFAULT_STORE), "--store", help="the run store to browse and run into"),
) -> None:
    """Serve the dashboard: pick a scenario, move sliders, run it with live charts, browse runs."""
    from panopticum.dashboard.server import check_port, serve
    from panopticum.store import RunStore

    check_port(host, port)
    RunStore.open(store_dir, create=True)  # fail now, with one line, if the store cannot be written
    print(f"panopticum dashboard on http://{host}:{port}/ (store: {store_dir}); Ctrl-C stops it", flush=True)
    serve(store_dir, host=host, port=port)
