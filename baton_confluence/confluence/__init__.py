"""The Confluence connector (Cloud and Data Center) served by the generic runtime in `baton/`.

- `client/`: the async HTTP client, the core API contract (`ConfluenceAPI`) with its capability
  Protocols, and the Cloud endpoints; `datacenter/`: the Data Center adapter of the same contract;
- `syncers/`: one resource syncer per resource type; `provisioning/`: Grant and Revoke, mixed into
  the syncers that own them; `validation/`: Validate's checks;
- `connector.py` and `builder.py`: the connector, and settings in, connector out; beside them the
  leaf modules the syncers and provisioning share (`resource_types.py`, `grants.py`, `permissions.py`)
  and the per-sync data (`sync_data.py` over `cache.py`).

The simulated site is a package of its own (`simulator/`, `confluence_simulator`), never imported here.
"""
