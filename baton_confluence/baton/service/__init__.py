"""Service mode: the connector as a long-running agent that takes tasks from ConductorOne.

`run_service(ServiceConfig(...), connector_factory)` authenticates with the client id and
secret, says Hello, then polls the BatonService for sync, grant and revoke tasks until SIGTERM.
Nothing here knows which connector it runs.
"""

from baton_confluence.baton.service.config import PlatformError, ServiceConfig, ServiceConfigError, ServiceError
from baton_confluence.baton.service.loop import Timing
from baton_confluence.baton.service.runner import run_service

__all__ = ["PlatformError", "ServiceConfig", "ServiceConfigError", "ServiceError", "Timing", "run_service"]
