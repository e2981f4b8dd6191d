"""Social source connectors, installed as ``crmbridge.connectors``."""
