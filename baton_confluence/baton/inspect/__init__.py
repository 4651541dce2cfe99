"""Readable views of a c1z for the `inspect` command (the CLI wiring lives elsewhere)."""

from __future__ import annotations

from baton_confluence.baton.inspect import diff, export, lookups
from baton_confluence.baton.inspect.access import AccessView, Holding, InspectError, ResourceInfo, ResourceRef
from baton_confluence.baton.inspect.render import KINDS, derived_marker, render

__all__ = [
    "KINDS",
    "AccessView",
    "Holding",
    "InspectError",
    "ResourceInfo",
    "ResourceRef",
    "derived_marker",
    "diff",
    "export",
    "lookups",
    "render",
]
