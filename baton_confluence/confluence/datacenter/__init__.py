"""Confluence Data Center/Server: an API adapter that lets the Cloud syncers serve DC sites.

See docs/datacenter.md for the endpoints, the facts behind them and the minimum version.
"""

from baton_confluence.confluence.datacenter.api import ConfluenceDataCenterAPI
from baton_confluence.confluence.datacenter.catalog import dc_catalog
from baton_confluence.confluence.datacenter.remote_api import REMOTE_API_FIX

__all__ = [
    "REMOTE_API_FIX",
    "ConfluenceDataCenterAPI",
    "dc_catalog",
]
