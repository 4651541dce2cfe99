"""One-shot runs of a connector in this process: a sync into a c1z file (`local_sync.py`) and a
grant or revoke (`provision.py`), each on a connector served over gRPC on 127.0.0.1 for the run.

Not service mode: the long-running agent that takes tasks from ConductorOne is `baton/service/`
(its entry point `service/agent.py`); it uses these runs for its sync, grant and revoke tasks.
"""
