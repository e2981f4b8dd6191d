"""CRM adapters: the interface (``base``) and the built-in ``local`` adapter."""
