"""The sync engine: a gRPC client of a connector that fills a c1z store."""
