"""Ways to run a connector: a one-shot local sync, a standalone server, service mode."""
