"""Validate: find the problems a sync would hit, each reported with its fix (docs/validate.md)."""

from baton_confluence.confluence.validation.findings import Finding
from baton_confluence.confluence.validation.run import validate_site

__all__ = ["Finding", "validate_site"]
