"""Readable views of a c1z for the `inspect` command (the CLI wiring lives elsewhere)."""

from __future__ import annotations

from baton_confluence.baton.inspect import diff, export, lookups
from baton_confluence.baton.inspect.access import AccessView, Holding, InspectError, ResourceInfo, ResourceRef
from baton_confluence.baton.inspect.layered_access import LayeredAccessRule, layered_access, render_layered
from baton_confluence.baton.inspect.render import KINDS, derived_marker, render
from baton_confluence.baton.inspect.review import ReviewRules

__all__ = [
    "KINDS",
    "AccessView",
    "Holding",
    "InspectError",
    "LayeredAccessRule",
    "ResourceInfo",
    "ResourceRef",
    "ReviewRules",
    "derived_marker",
    "diff",
    "export",
    "layered_access",
    "lookups",
    "render",
    "render_layered",
]
