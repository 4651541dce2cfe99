"""The Confluence connector: HTTP client, resource syncers, provisioning, simulated site."""
