"""Which proxy, if any, the environment routes a site through (HTTP_PROXY, HTTPS_PROXY, NO_PROXY).

httpx applies these itself (`trust_env=True`); this module only finds out the same answer so that
an error can say "through proxy X": a refused connection to a proxy otherwise reads as if the
Confluence site itself refused. The proxy URL is shown without any credentials it may carry.
"""

from __future__ import annotations

import urllib.request
from urllib.parse import urlsplit, urlunsplit


def environment_proxy(site_url: str) -> str:
    """The proxy URL requests to `site_url` go through, or '' for a direct connection."""
    parts = urlsplit(site_url)
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(parts.scheme) or proxies.get("all") or ""
    if not proxy or _bypassed(parts.hostname or "", proxies.get("no", "")):
        return ""
    return _without_credentials(proxy)


def _bypassed(host: str, no_proxy: str) -> bool:
    """NO_PROXY: `*`, or hosts and domain suffixes (`example.com` also covers `a.example.com`)."""
    host = host.lower()
    for entry in (item.strip().lower() for item in no_proxy.split(",")):
        name = entry.split(":")[0].lstrip(".") if entry.count(":") <= 1 else entry.strip("[]")
        if entry == "*" or (name and (host == name or host.endswith("." + name))):
            return True
    return False


def _without_credentials(url: str) -> str:
    parts = urlsplit(url if "://" in url else f"http://{url}")
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
