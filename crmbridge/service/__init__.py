"""crmbridge as a service: webhooks drained in seconds, a scheduler, probes, metrics, clean stop.

``entry.serve`` (``crmbridge serve``) and ``entry.run`` (``crmbridge run``) are the two modes;
both reach the CRM only through ``runner.SourceRunner``, the same pipeline entry as
``crmbridge sync``.
"""
