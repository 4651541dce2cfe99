"""The sync engine: a gRPC client of a connector (`client.py`) that fills a c1z store, resumably.

`engine.py` runs the phases; the sweep's steps (`sweep_steps.py`), principal lookup
(`principal_lookup.py`), account counts (`accounts.py`), grant expansion (`expansion.py`) and the
completeness report (`completeness.py`) are its parts.
"""
