"""Configuration: fields with Baton's flag/env/YAML conventions, and the `config` schema."""
