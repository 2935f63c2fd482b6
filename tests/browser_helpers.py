"""Driving the dashboard in a real browser: Debian's Chromium through Playwright for Python.

Shared by the browser tests: start ``panopticum dashboard`` on a store and a free port,
open tabs that record any request leaving this machine, check screenshots are not blank.
:func:`require_browser` skips a module, with the reason shown, when Playwright or
Chromium is missing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

CHROMIUM = os.environ.get("PANOPTICUM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]
SRC = Path(__file__).resolve().parents[1] / "src"
LOCAL = ("http://127.0.0.1", "blob:", "data:")


def require_browser():
    """Playwright's sync API; skips the calling module when it or Chromium is missing."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium); browser tests skipped",
                    allow_module_level=True)
    return sync_api


@contextlib.contextmanager
def chromium():
    """Debian's Chromium, headless, until the block ends."""
    from playwright import sync_api

    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def dashboard(store: Path, cache: Path, log_dir: Path):
    """``panopticum dashboard`` on ``store`` and a free port, until the block ends: its URL."""
    port = free_port()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])))
    env.setdefault("PANOPTICUM_CACHE_DIR", str(cache))
    log_path = log_dir / f"dashboard-{port}.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "panopticum", "dashboard", "--port", str(port), "--store",
                                 str(store)], stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                if proc.poll() is not None:
                    pytest.fail(f"the dashboard exited: {log_path.read_text()}")
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.3)
            else:
                pytest.fail("the dashboard did not start listening in 120 s")
            yield f"http://127.0.0.1:{port}/"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def shots_folder(tmp_path_factory) -> Path:
    """Where screenshots go: ``$PANOPTICUM_DASHBOARD_SHOTS`` (docs/img to refresh the docs'), else a temporary folder."""
    folder = Path(os.environ.get("PANOPTICUM_DASHBOARD_SHOTS") or tmp_path_factory.mktemp("shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Tab:
    """One browser tab on the dashboard, recording any request that leaves this machine."""

    def __init__(self, browser, url: str, height: int = 1000):
        self.context = browser.new_context(viewport={"width": 1400, "height": height})
        self.page = self.context.new_page()
        self.outside, self.failed = [], []
        self.page.on("request", lambda r: None if r.url.startswith(LOCAL) else self.outside.append(r.url))
        self.page.on("response", lambda r: self.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        self.context.on("page", lambda p: p.on("request", lambda r: None if r.url.startswith(LOCAL)
                                               else self.outside.append(r.url)))
        self.page.goto(url)
        self.page.get_by_text("Key parameters").wait_for(timeout=60_000)

    def field(self, path: str):
        return self.page.locator(".pan-field-" + path.replace(".", "-"))

    def view(self, name: str) -> None:
        """Show one of the right-hand views (Charts, Map, ..., Experiments, Surveys)."""
        self.page.locator(".pan-views").get_by_role("button", name=name, exact=True).click()

    def choose(self, label: str, option: str) -> None:
        """Pick ``option`` in the drop-down list labelled ``label``."""
        self.page.locator(".v-select", has_text=label).first.click()
        self.page.locator(".menuable__content__active").get_by_role("option", name=option, exact=True).click()
        # the list fades out after the choice: wait until it is gone, so it covers nothing in a screenshot
        self.page.wait_for_function("() => [...document.querySelectorAll('.v-menu__content')]"
                                    ".every(e => getComputedStyle(e).display === 'none')")

    def close(self):
        self.context.close()


def assert_not_blank(path: Path) -> None:
    import matplotlib.image

    pixels = matplotlib.image.imread(path)[..., :3]
    assert pixels.shape[0] > 300 and pixels.shape[1] > 600
    assert pixels.std() > 0.05  # not one flat colour
    assert len(np.unique((pixels * 255).astype(np.uint8).reshape(-1, 3), axis=0)) > 50
