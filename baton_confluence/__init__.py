"""baton-confluence: a Baton connector for Atlassian Confluence."""

__version__ = "0.1.0"
