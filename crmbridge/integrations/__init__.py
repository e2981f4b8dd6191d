"""Integrations with the orchestrators data teams already run (optional extras)."""
