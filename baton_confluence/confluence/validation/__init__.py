"""Validate: find the problems a sync would hit, each reported with its fix (docs/validate.md)."""

from baton_confluence.confluence.validation.findings import Finding, report
from baton_confluence.confluence.validation.run import validate_site

__all__ = ["Finding", "report", "validate_site"]
