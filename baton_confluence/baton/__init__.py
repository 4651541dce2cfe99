"""Generic Baton runtime: protocol, gRPC server, sync engine, c1z store, service mode.

Nothing in this package knows about Confluence; connectors plug in through
`baton_confluence.baton.syncer`.
"""
