"""One adapter boundary: the engine asks adapters what they can do, never who they are."""

from __future__ import annotations

import re
from pathlib import Path

import crmbridge
from crmbridge.crm.base import Capability
from crmbridge.crm.hubspot import HubSpotCrm
from crmbridge.crm.local import LocalCrm
from crmbridge.crm.salesforce import SalesforceCrm

ENGINE = Path(crmbridge.__file__).parent
NAME_TEST = re.compile(
    r"""(==|!=|\bin)\s*\(?["'](salesforce|hubspot)["']|getattr\(\s*(self\.)?adapter"""
)

CRMS = ("salesforce", "hubspot")


def test_no_engine_module_outside_the_adapters_tests_a_crm_by_name_or_probes_it():
    offenders = []
    for path in ENGINE.rglob("*.py"):
        part = path.relative_to(ENGINE).parts[0]
        if part in ("crm", "testing"):
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if NAME_TEST.search(line):
                offenders.append(f"{path.relative_to(ENGINE)}:{n}: {line.strip()}")
    assert offenders == []


def test_each_adapter_declares_what_it_can_do():
    assert SalesforceCrm.can(Capability.CASES) and not SalesforceCrm.can(Capability.SETUP)
    assert HubSpotCrm.can(Capability.SETUP) and HubSpotCrm.can(Capability.ROLLUPS)
    assert LocalCrm.can(Capability.CASE_LIST) and not HubSpotCrm.can(Capability.CASE_LIST)
    assert all(cls.lists_contacts() for cls in (SalesforceCrm, HubSpotCrm, LocalCrm))


def test_no_engine_module_outside_the_adapters_is_named_after_a_crm():
    named = [
        str(p.relative_to(ENGINE))
        for p in ENGINE.rglob("*.py")
        if p.relative_to(ENGINE).parts[0] not in ("crm", "testing")
        and any(crm in p.stem for crm in CRMS)
    ]
    assert named == []


def test_replies_from_the_crm_are_a_declared_capability_read_through_the_adapter():
    assert SalesforceCrm.can(Capability.REPLIES) and HubSpotCrm.can(Capability.REPLIES)
    assert not LocalCrm.can(Capability.REPLIES)
    reply = (ENGINE / "commands" / "reply.py").read_text()
    assert "Capability.REPLIES" in reply and "poll_replies" in reply
