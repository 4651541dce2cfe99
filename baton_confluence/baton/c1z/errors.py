"""The one exception type of the c1z package."""

from __future__ import annotations


class C1ZError(Exception):
    """A c1z file cannot be read or written.

    The message is one readable line that names the file and says what to do about it,
    so the CLI can print it as is.
    """
