"""Test machinery for crmbridge and its plugins: never imported by the engine.

Like ``singer_sdk.testing``, this package holds what tests and benchmarks share:

- :mod:`crmbridge.testing.contract` and :mod:`crmbridge.testing.coverage`: the connector
  contract suites (``ConnectorContract``, ``CoverageContract``,
  ``paged``, ``fake_response``); it needs ``pytest`` and ``responses`` (the ``dev`` extra).
- :mod:`crmbridge.testing.synthetic`: seeded contacts and interactions.
- :mod:`crmbridge.testing.identity_data`: the seeded international identity benchmark
  (contacts, social authors, truth and evidence classes); :mod:`crmbridge.testing.identity_eval`
  scores a ``crmbridge match`` LINKS.csv against it.
- :mod:`crmbridge.testing.faults`: HTTP fault injection at the wire.
- :mod:`crmbridge.testing.salesforce_org` and :mod:`crmbridge.testing.hubspot_fake`: strict
  fakes of a Salesforce org and a HubSpot portal.
- :mod:`crmbridge.testing.harness`: the SIGKILL harness.
- :mod:`crmbridge.testing.platforms_fake`: strict fakes of the five platforms' reply and
  lookup endpoints (``responses`` in tests, an HTTP server in benchmarks/replies.py).

The contract's names are importable from here too (``from crmbridge.testing import
ConnectorContract``); they load lazily, so the other modules do not need pytest.
"""

from __future__ import annotations

import importlib
from typing import Any

_CONTRACT_NAMES = {"ConnectorContract", "SCENARIOS", "fake_response", "keys", "load_json", "paged"}


def __getattr__(name: str) -> Any:
    if name in _CONTRACT_NAMES:
        return getattr(importlib.import_module("crmbridge.testing.contract"), name)
    raise AttributeError(f"module 'crmbridge.testing' has no attribute {name!r}")
