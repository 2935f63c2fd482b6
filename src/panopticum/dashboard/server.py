"""Serving the dashboard: Solara on uvicorn, bound to one address, with nothing fetched.

Solara's page loads its JavaScript and fonts from a CDN unless told otherwise. Here the
assets come from the ``solara-assets`` package through Solara's local asset route; the
CDN address is pointed at a closed local port, so a missing asset fails at once instead of
reaching out; telemetry and the version check are off. Settings are environment variables
Solara reads on import, so :func:`configure` runs before Solara is imported. The HTML
reports are served at addresses of their own in front of the page (:mod:`.reports`).
"""

from __future__ import annotations

import os
import socket
import warnings
from pathlib import Path

from panopticum.dashboard.storeview import STORE_ENV
from panopticum.errors import PanopticumError

APP = "panopticum.dashboard.app"
OFFLINE = {
    "SOLARA_ASSETS_PROXY": "True",  # serve /_solara/cdn from the solara-assets package
    "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/",  # never the internet, even for a missing asset
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "SOLARA_MODE": "production",  # no solara.dev check frame
    "SOLARA_THEME_SHOW_BANNER": "False",
    "SOLARA_THEME_TITLE": "panopticum",
}


def configure(store: str | os.PathLike, host: str, port: int) -> None:
    """Set the environment Solara reads: the app, the store, the offline settings."""
    os.environ.update(OFFLINE)
    os.environ.update({"SOLARA_APP": APP, STORE_ENV: str(Path(store).resolve()), "SERVER_NAME": host,
                       "SERVER_PORT": str(port)})


def check_port(host: str, port: int) -> None:
    """A PanopticumError if nothing can listen on ``host:port``."""
    if not 1 <= port <= 65535:
        raise PanopticumError(f"--port must be from 1 to 65535, got {port}")
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise PanopticumError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def serve(store: str | os.PathLike, host: str = "127.0.0.1", port: int = 8765, log_level: str = "warning") -> None:
    """Serve the dashboard until interrupted."""
    check_port(host, port)
    configure(store, host, port)
    warnings.filterwarnings("ignore", message="Cookies with samesite")  # plain http on one machine
    import solara.server.starlette
    import uvicorn

    from panopticum.dashboard.reports import with_reports

    uvicorn.run(with_reports(solara.server.starlette.app), host=host, port=port, log_level=log_level)
