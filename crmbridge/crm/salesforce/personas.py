"""SocialPersona records for SocialPost writes: one per author, parented to the contact.

A preset asks for personas with ``Persona.``-prefixed fields (``Persona.Name``,
``Persona.Provider``, ``Persona.Crmbridge_Key__c`` = the persona key ``platform:author id``).
They are upserted by the key field once per run, in one collection per batch, and each post
points at its persona through the relationship ``Persona: {Crmbridge_Key__c: key}``, so no
ids need to travel between the two calls. A persona that cannot be written leaves its post
without ``PersonaId`` rather than failing it.

An outbound post (``IsOutbound``: an agent's reply) never gets a persona: Salesforce
represents the brand's side by its managed social account (``ExternalSocialAccount``,
set as ``OutboundSocialAccountId``), never as a SocialPersona, so a reply names its agent
and the brand handle and points at no customer's persona.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from crmbridge.models import ActivityWrite

if TYPE_CHECKING:
    from crmbridge.crm.salesforce.writes import CollectionWriter

PREFIX = "Persona."
OBJECT = "SocialPersona"


def attach_personas(
    writer: CollectionWriter, batch: Sequence[ActivityWrite]
) -> list[ActivityWrite]:
    """The batch without ``Persona.`` fields, posts pointing at personas now in the org."""
    key_field = writer.config.key_field
    pairs: list[tuple[ActivityWrite, str | None]] = []
    wanted: dict[str, ActivityWrite] = {}
    for w in batch:
        persona = {k.removeprefix(PREFIX): v for k, v in w.fields.items() if k.startswith(PREFIX)}
        if not persona:
            pairs.append((w, None))
            continue
        w = w.model_copy(update={"fields": _without_persona(w.fields)})
        key = persona.pop(key_field, None)
        if _outbound(w):  # the brand's own account is never a customer's persona
            key = None
        if not key or not w.contact_id or not writer.config.key_is_external_id:
            pairs.append((w, None))
            continue
        pairs.append((w, key))
        if key not in writer.personas_done and key not in wanted:
            fields = {**persona, "ParentId": w.contact_id}
            wanted[key] = ActivityWrite(
                key=key, object=OBJECT, contact_id=w.contact_id, fields=fields
            )
    if wanted:
        writer.personas_done |= _upsert(writer, list(wanted.values()))
    return [
        w if key is None or key not in writer.personas_done else _pointing(w, key_field, key)
        for w, key in pairs
    ]


def _outbound(w: ActivityWrite) -> bool:
    """An agent's reply: its author is the brand account, not the contact's persona."""
    return str(w.fields.get("IsOutbound", "")).lower() == "true"


def _without_persona(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if not k.startswith(PREFIX)}


def _pointing(w: ActivityWrite, key_field: str, key: str) -> ActivityWrite:
    return w.model_copy(update={"fields": {**w.fields, "Persona": {key_field: key}}})


def _upsert(writer: CollectionWriter, personas: list[ActivityWrite]) -> set[str]:
    """Keys of the personas now in the org.

    An existing persona is updated without its create-only fields (``Provider``).
    """
    return {r.key for r in writer.upsert_quietly(OBJECT, personas) if r.ok}
