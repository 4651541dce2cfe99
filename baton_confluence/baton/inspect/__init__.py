"""Readable views of a c1z for the `inspect` command (the CLI wiring lives elsewhere)."""

from __future__ import annotations

from baton_confluence.baton.inspect.render import KINDS, derived_marker, render

__all__ = ["KINDS", "derived_marker", "render"]
