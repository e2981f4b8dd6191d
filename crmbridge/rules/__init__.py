"""Mapping presets and (later) rules: data that says what lands in the CRM."""
