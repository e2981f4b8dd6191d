"""Mapping presets shipped with crmbridge, read with ``importlib.resources``."""
