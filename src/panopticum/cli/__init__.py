"""The ``panopticum`` command line.

Each group of commands lives in its own module and registers itself on :data:`app`;
:func:`main` turns every user error (a :class:`~panopticum.errors.PanopticumError` or a
usage error such as an unknown option) into one line on stderr and exit status 2, with no
traceback.
"""

from __future__ import annotations

import importlib
import sys

import typer

from panopticum.errors import PanopticumError

app = typer.Typer(
    name="panopticum",
    help="A research simulator of a surveillance state: a synthetic country, day by day.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

# Modules that define commands on `app`; one line each, imported in this order.
COMMAND_MODULES = [
    "panopticum.cli.population",
    "panopticum.cli.epstein",
    "panopticum.cli.run",
    "panopticum.cli.runs",
    "panopticum.cli.info",
    "panopticum.cli.survey",
    "panopticum.cli.calibrate",
    "panopticum.cli.dashboard",
    "panopticum.cli.experiments",
]

EXIT_USER_ERROR = 2


@app.callback()
def _root() -> None:
    """A research simulator of a surveillance state: a synthetic country, day by day."""


def _click_errors(name: str) -> tuple[type[BaseException], ...]:
    """The class ``name`` from click and from the copy of click that newer typer vendors."""
    found = []
    for module in ("click.exceptions", "typer._click.exceptions"):
        try:
            found.append(getattr(importlib.import_module(module), name))
        except (ImportError, AttributeError):
            continue
    return tuple(found)


_NO_ARGS = _click_errors("NoArgsIsHelpError")
_USAGE = _click_errors("UsageError")
_ABORT = _click_errors("Abort")
_EXIT = _click_errors("Exit")


def _register_commands() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name)


def fail(message: str) -> None:
    """Print one error line and exit with the user-error status."""
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(EXIT_USER_ERROR)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    _register_commands()
    command = typer.main.get_command(app)
    try:
        command.main(args=argv, prog_name="panopticum", standalone_mode=False)
    except _NO_ARGS as exc:
        print(exc.ctx.get_help() if getattr(exc, "ctx", None) else "")
    except _USAGE as exc:
        fail(exc.format_message())
    except _ABORT:
        fail("interrupted")
    except _EXIT as exc:
        raise SystemExit(exc.exit_code) from None
    except PanopticumError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail("interrupted")


if __name__ == "__main__":
    main()
