"""Exceptions the CLI turns into one clear line and an exit code.

Exit codes (docs/design.md): 0 analysed; 2 bad input or refused; 1 internal error.
Library code raises these; only the CLI prints and exits.
"""

from __future__ import annotations


class FormcheckError(Exception):
    """Base class for errors formcheck reports to the user in one line."""

    exit_code: int = 1


class InputError(FormcheckError):
    """The input (a path, a video, a file of rules) is unusable: exit 2."""

    exit_code = 2


class RefusedError(FormcheckError):
    """The input is readable but the tool will not judge it (e.g. not a side view): exit 2."""

    exit_code = 2


class ModelError(FormcheckError):
    """The pose model cannot be provisioned or loaded: exit 2 with what to do."""

    exit_code = 2
