"""Validate reads the site through capabilities: a client without probes is refused, not passed."""

from __future__ import annotations

import asyncio
from typing import cast

import grpc
import pytest

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client import ConfluenceAPI, Deployment, SiteProbes, probes_of
from baton_confluence.confluence.options import ConfluenceOptions
from baton_confluence.confluence.validation import validate_site


class CoreOnly:
    """A client with the product and no probes: any probe Validate tried would be an AttributeError."""

    deployment = Deployment.CLOUD


def test_a_client_without_probes_fails_validate_in_one_line_without_a_request() -> None:
    api = cast(ConfluenceAPI, CoreOnly())
    assert probes_of(api) is None and not isinstance(api, SiteProbes)
    with pytest.raises(ConnectorError) as caught:
        asyncio.run(validate_site(api, ConfluenceOptions(domain_url="https://x.atlassian.net")))
    assert caught.value.code == grpc.StatusCode.UNIMPLEMENTED
    assert caught.value.message.startswith("baton-confluence: validate: ") and "probes" in caught.value.message
