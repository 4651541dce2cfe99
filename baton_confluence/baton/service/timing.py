"""How often service mode polls, heartbeats and retries; the values and clamps of the Go SDK.

The platform steers the pace through `next_poll` and `next_heartbeat`; the clamps keep a bad
value from turning into a busy loop or a task that looks dead.
"""

from __future__ import annotations

from dataclasses import dataclass

from google.protobuf import duration_pb2


@dataclass(frozen=True)
class Timing:
    hello_backoff_initial: float = 1.0
    hello_backoff_max: float = 300.0
    poll_max: float = 300.0
    poll_error_max: float = 60.0
    heartbeat_min: float = 1.0
    heartbeat_max: float = 300.0
    heartbeat_default: float = 30.0
    # Upstream's limit is "10 attempts", counted before each send and reset by a success, so the
    # tenth attempt is never sent: nine failures in a row cancel the task (docs/protocol.md §4.3).
    heartbeat_max_failures: int = 9

    def next_poll(self, d: duration_pb2.Duration) -> float:
        return min(max(d.ToTimedelta().total_seconds(), 0.0), self.poll_max)

    def next_heartbeat(self, d: duration_pb2.Duration) -> float:
        seconds = d.ToTimedelta().total_seconds()
        if seconds == 0:
            return self.heartbeat_default
        return min(max(seconds, self.heartbeat_min), self.heartbeat_max)

    def poll_error_wait(self, consecutive_errors: int) -> float:
        return float(min(consecutive_errors**2, self.poll_error_max))

    def hello_backoff(self, attempt: int) -> float:
        """Wait after the `attempt`-th failed Hello (1-based): 1 s, 2 s, 4 s, … up to 5 min."""
        return min(self.hello_backoff_initial * 2 ** (attempt - 1), self.hello_backoff_max)
