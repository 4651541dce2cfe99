"""The `baton-confluence` command line."""
