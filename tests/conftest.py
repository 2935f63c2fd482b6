"""Shared helpers for the fault tests: the CLI run in-process, and a truly read-only directory."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    """``panopticum ARGV`` in this process: (exit status, stdout, stderr). An exception other
    than the one-line exit escapes, so a traceback fails the test."""
    from panopticum.cli import main

    try:
        main([str(a) for a in argv])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    """The single ``error:`` line of a failed command (and no traceback)."""
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, err
    return lines[0]


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@pytest.fixture()
def make_readonly():
    """``make_readonly(dir)``: make a directory read-only for real, to everyone in this process.

    As root (whom permissions do not stop) it is bind-mounted read-only onto itself; as
    anyone else its tree loses write permission. Skips where neither is possible.
    """
    undo = []

    def make(path: Path) -> Path:
        path = Path(path)
        if os.geteuid() == 0:
            if not shutil.which("mount") or not _mount("--bind", str(path), str(path)):
                pytest.skip("running as root without permission to mount: cannot make a read-only directory")
            undo.append(lambda: subprocess.run(["umount", str(path)], capture_output=True))
            if not _mount("-o", "remount,bind,ro", str(path)):
                pytest.skip("cannot remount a bind mount read-only here")
        else:
            dirs = [path, *(p for p in path.rglob("*") if p.is_dir())]
            for d in dirs:
                d.chmod(0o555)
            undo.append(lambda: [d.chmod(0o755) for d in dirs])
        return path

    yield make
    for step in reversed(undo):
        with contextlib.suppress(OSError):
            step()


@pytest.fixture()
def small_tmpfs(tmp_path):
    """``small_tmpfs(size)``: a directory on a tmpfs of ``size`` (e.g. ``"2m"``), to fill up for
    real; root only (skips elsewhere). Returns (directory, resize) where ``resize(size)``
    remounts it larger, as a user freeing space would."""
    mounted = []

    def make(size: str):
        if os.geteuid() != 0 or not shutil.which("mount"):
            pytest.skip("mounting a small tmpfs needs root")
        path = tmp_path / "tmpfs"
        path.mkdir()
        if not _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)):
            pytest.skip("cannot mount a tmpfs here")
        mounted.append(path)
        return path, lambda new: _mount("-o", f"remount,size={new}", str(path))

    yield make
    for path in mounted:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)
