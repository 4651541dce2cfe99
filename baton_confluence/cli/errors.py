"""Turning failures into one readable line and an exit code that means something.

Only errors of the runtime's error tree (`baton/errors.py`: `BatonError` and its subclasses)
are the user's to fix: their message and exit code are printed as they are. Exit codes follow
the Go SDK: the gRPC status code of the failure (3 invalid argument, 7 permission denied,
14 unavailable, 16 unauthenticated, ...), plus 1 for an unusable c1z file and 2 for a usage or
configuration error. An `OSError` (a full disk, a file that cannot be written) is the
machine's, not a bug: exit 1 with what the system said. Anything else is a bug: exit 1 with
"please report", its traceback in the debug log, never on the terminal.
"""

from __future__ import annotations

import pydantic

from baton_confluence.baton.errors import EXIT_FAILURE, EXIT_USAGE, BatonError, UsageError
from baton_confluence.baton.logsetup import REDACTOR

EXIT_C1Z = EXIT_FAILURE
EXIT_BUG = EXIT_FAILURE

__all__ = ["EXIT_BUG", "EXIT_C1Z", "EXIT_USAGE", "UsageError", "describe", "invalid_setting", "is_bug", "one_line"]


def invalid_setting(err: pydantic.ValidationError) -> UsageError:
    """The first problem pydantic found in the settings, named by its flag."""
    first = err.errors()[0]
    where = ".".join(str(p) for p in first["loc"]).replace("_", "-")
    return UsageError(f"invalid setting --{where}: {first['msg']}")


def is_bug(err: BaseException) -> bool:
    """Whether the failure is outside the error tree and not the machine's: a bug to report."""
    return not isinstance(err, BatonError | OSError)


def describe(err: BaseException) -> tuple[str, int]:
    """(one line for the user, exit code)."""
    if isinstance(err, BatonError):
        return err.message, err.exit_code
    if isinstance(err, OSError):
        return f"{type(err).__name__}: {err}", EXIT_FAILURE
    return (
        f"unexpected {type(err).__name__}: {err}; this is a bug, please report it "
        "(run with --log-level debug for the traceback)",
        EXIT_BUG,
    )


def one_line(err: BaseException) -> tuple[str, int]:
    message, code = describe(err)
    return REDACTOR.text(" ".join(message.split())), code
