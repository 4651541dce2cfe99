"""Many requests in flight through one governor never exceed its cap (the real event loop; the
site holds its first answers until the cap is reached, so the order is set by events, not time)."""

from __future__ import annotations

import asyncio
import random

import httpx
import respx

from baton_confluence.confluence.client import BasicAuth, ConfluenceHTTP

BASE = "https://example.atlassian.net"


def test_50_concurrent_gets_never_exceed_8_in_flight() -> None:
    in_flight = 0
    peak = 0
    cap_reached = asyncio.Event()

    async def slow_answer(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        if in_flight == 8:
            cap_reached.set()
        await cap_reached.wait()  # nothing is answered before 8 are in flight: the pool is used
        in_flight -= 1
        return httpx.Response(200, json={"id": request.url.params["id"]})

    async def scenario() -> tuple[list[str], ConfluenceHTTP]:
        async with ConfluenceHTTP(BASE, auth=BasicAuth("u", "t"), max_concurrency=8, rng=random.Random(1)) as http:
            with respx.mock(base_url=BASE) as router:
                router.get("/wiki/api/v2/spaces").mock(side_effect=slow_answer)
                responses = await asyncio.gather(*(http.get_json("/wiki/api/v2/spaces", {"id": n}) for n in range(50)))
        return [response.data["id"] for response in responses], http

    ids, http = asyncio.run(scenario())
    assert ids == [str(n) for n in range(50)]
    assert peak == 8  # the cap is reached (the pool is used) but never exceeded
    assert http.governor.in_flight == 0
    assert http.stats.total == 50 and http.stats.repeated() == {}
