"""The ``panopticum`` command line.

Each group of commands lives in its own module and registers itself on :data:`app`;
:func:`main` turns every user error (a :class:`~panopticum.errors.PanopticumError` or a
usage error such as an unknown option) into one line on stderr and exit status 2, with no
traceback.
"""

from __future__ import annotations

import importlib
import sys

import click
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
]

EXIT_USER_ERROR = 2


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
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else "", err=False)
    except click.UsageError as exc:
        fail(exc.format_message())
    except click.exceptions.Abort:
        fail("interrupted")
    except click.exceptions.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except PanopticumError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail("interrupted")


if __name__ == "__main__":
    main()
