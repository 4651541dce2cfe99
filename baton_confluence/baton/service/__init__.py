"""Service mode: the connector as a long-running agent that takes tasks from ConductorOne.

`run_service(ServiceConfig(...), connector_factory)` authenticates with the client id and
secret, says Hello, then polls the BatonService for sync, grant and revoke tasks until SIGTERM.
Nothing here knows which connector it runs.

The agent (`agent.py`: startup, Hello, the poll loop) runs tasks (`tasks.py`) through the
platform client (`platform.py`), authenticated by `credentials.py` and `token_source.py`; a
sync's c1z goes up with `upload.py`, Hello is `hello.py`. The one-shot runs a task performs
(sync, grant, revoke) are `baton/runner/`.
"""

from baton_confluence.baton.service.agent import run_service
from baton_confluence.baton.service.config import PlatformError, ServiceConfig, ServiceConfigError, ServiceError
from baton_confluence.baton.service.loop import Timing

__all__ = ["PlatformError", "ServiceConfig", "ServiceConfigError", "ServiceError", "Timing", "run_service"]
