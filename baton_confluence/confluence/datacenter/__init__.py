"""Confluence Data Center/Server: an API adapter that lets the Cloud syncers serve DC sites.

See docs/datacenter.md for the endpoints, the facts behind them and the minimum version.
"""

from baton_confluence.confluence.datacenter.api import ConfluenceDataCenterAPI
from baton_confluence.confluence.datacenter.catalog import dc_catalog

__all__ = ["ConfluenceDataCenterAPI", "dc_catalog"]
