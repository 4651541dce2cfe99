"""Generic Baton runtime: protocol, gRPC server, sync engine, c1z store, inspect, one-shot runs,
service mode, and the one error tree (`errors.py`).

Nothing in this package knows about Confluence (tests/test_layers.py enforces it); connectors plug
in through `baton_confluence.baton.syncer`.
"""
