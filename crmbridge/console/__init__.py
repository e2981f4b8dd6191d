"""The web console served by ``crmbridge serve`` under ``/console/`` and ``/api/``.

Pages for the people who work the review queue and answer customers (review queue,
contact, search, report, failures), a JSON API over the same library functions, and the
endpoints a card inside HubSpot or Salesforce calls. Needs the ``serve`` extra.
"""

from __future__ import annotations

from crmbridge.console.app import Console, mount

__all__ = ["Console", "mount"]
