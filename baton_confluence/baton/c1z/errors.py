"""The one exception type of the c1z package."""

from __future__ import annotations

from baton_confluence.baton.errors import EXIT_FAILURE, BatonError


class C1ZError(BatonError):
    """A c1z file cannot be read or written (exit code 1).

    The message is one readable line that names the file and says what to do about it,
    so the CLI can print it as is.
    """

    exit_code = EXIT_FAILURE
