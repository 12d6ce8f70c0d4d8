"""Command-line entry point: parse arguments, call library functions, turn errors into exit codes.

Each subcommand lives in its own module here and exposes `register(subparsers)`, which adds its parser
and sets `func` (a callable taking the parsed namespace and returning an exit code).
Exit codes (docs/design.md): 0 analysed; 2 bad input or refused (one line on stderr); 1 internal error.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from formcheck import __version__
from formcheck.errors import FormcheckError

# Subcommand modules, in the order `--help` lists them.
COMMANDS = ("analyze", "batch", "history", "live", "serve", "landmarks", "synth", "models", "validate")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The top-level parser with every available subcommand registered, or just `only`: a command's
    module imports what it runs (the server, the history plots, Ray), which `analyze` should not wait for."""
    parser = argparse.ArgumentParser(
        prog="formcheck",
        description="Check barbell hip-thrust form from a side-view video and give coaching cues.",
    )
    parser.add_argument("--version", action="version", version=f"formcheck {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS if only is None else (only,):
        try:
            module = importlib.import_module(f"formcheck.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"formcheck.cli.{name}":
                continue  # not built yet
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv[0] if argv and argv[0] in COMMANDS else None)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except FormcheckError as exc:
        print(f"formcheck: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("formcheck: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # last resort: one line, exit 1, no traceback
        print(f"formcheck: internal error: {type(exc).__name__}: {exc} "
              "(set FORMCHECK_DEBUG=1 for a traceback)", file=sys.stderr)
        if _debug():
            raise
        return 1


def _debug() -> bool:
    import os

    return os.environ.get("FORMCHECK_DEBUG", "") not in ("", "0")


if __name__ == "__main__":
    sys.exit(main())
