"""CLI commands that live in their own modules (registered at the bottom of cli.py)."""
