"""What every task handler works with."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from baton_confluence.baton.service.config import ServiceConfig
from baton_confluence.baton.service.platform import PlatformClient
from baton_confluence.baton.service.timing import Timing
from baton_confluence.baton.syncer import Connector


@dataclass
class TaskEnv:
    platform: PlatformClient
    # A new connector per task: a sync closes its connector when done, and tasks run side by side.
    connector_factory: Callable[[], Connector]
    config: ServiceConfig
    timing: Timing = field(default_factory=Timing)
    # Set on SIGTERM: no new tasks; syncs give up their work and report it as cancelled.
    shutdown: asyncio.Event = field(default_factory=asyncio.Event)
