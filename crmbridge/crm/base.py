"""The CRM adapter contract every target (local, Salesforce, HubSpot) implements.

An adapter answers in batches and per record: ``write`` never raises for one bad record,
it returns a ``failed`` result with the error kind; it raises only for what stops the whole
run (auth, config, quota) or what a retry may fix (transient, rate limited). Every call
that reaches the CRM counts in ``api_calls``, because the CRM's allocation, not our CPU, is
the scarce resource.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from crmbridge.config import Options
from crmbridge.errors import ConfigError, CrmbridgeError
from crmbridge.models import ActivityWrite, CaseWrite, Contact, WriteResult

if TYPE_CHECKING:
    from crmbridge.config import AppConfig
    from crmbridge.rules.mapping import Mapper
    from crmbridge.state.store import StateStore


# Where an error that stopped a write carries the results the CRM acknowledged before it.
ACKNOWLEDGED = "acknowledged"


def keep_progress(exc: CrmbridgeError, results: Iterable[WriteResult]) -> CrmbridgeError:
    """Attach results the CRM acknowledged before ``exc`` stopped a write; returns ``exc``.

    An adapter raising mid-write (quota, auth, a call that kept failing) calls this so
    the pipeline records what was written: the resume sends only the rest.
    """
    setattr(exc, ACKNOWLEDGED, [*acknowledged(exc), *results])
    return exc


def acknowledged(exc: BaseException) -> list[WriteResult]:
    """Results an adapter attached to the error that stopped its write (may be empty)."""
    return list(getattr(exc, ACKNOWLEDGED, None) or [])


class Capability(StrEnum):
    """What an adapter can do beyond writing activities; it declares them in ``capabilities``.

    The engine asks ``adapter.can(Capability.CASES)``, never the adapter's name.
    """

    CASES = "cases"  # write_cases (and case_fields maps a case plan to its fields)
    CASE_LIST = "case_list"  # cases(contact_id): the CRM lists a contact's cases
    SETUP = "setup"  # setup(): creates what the CRM needs before the first sync
    REPOINT = "repoint"  # repoint(): moves activities after a review decision
    ROLLUPS = "rollups"  # contact roll-up fields after each write
    BULK_MIRROR = "bulk_mirror"  # contacts_since(): the contact mirror can list contacts
    ERASE = "erase"  # delete_activities(): `crmbridge forget`
    REPLIES = "replies"  # poll_replies(): agents answer in the CRM, crmbridge sends


@dataclass
class ReplyPoll:
    """What one poll of the agents' replies in the CRM did (``crmbridge reply poll``)."""

    queued: int = 0
    refused: int = 0
    reported: int = 0

    def as_dict(self) -> dict[str, int]:
        """JSON-ready."""
        return asdict(self)


# Case plan keys an adapter without its own case fields receives, as they are.
PLAIN_CASE_KEYS = ("subject", "priority", "owner", "queue", "tier", "tags", "rules", "description")


class CrmAdapter:
    """Base class of CRM adapters; subclasses set ``name``, ``Config`` and ``capabilities``."""

    name: ClassVar[str] = ""
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    Config: ClassVar[type[Options]] = Options
    default_mapping: ClassVar[str] = "local"
    max_batch: ClassVar[int] = 200
    # Seconds between contact-mirror refreshes within a run (each costs API calls).
    contact_refresh_s: ClassVar[float] = 300.0

    def __init__(self, config: Any, *, dry_run: bool = False) -> None:
        self.config = config
        self.dry_run = dry_run
        self.api_calls = 0

    def __enter__(self) -> CrmAdapter:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        """Connect (and authenticate); raise AuthError or ConfigError naming the fix."""

    def rate_budget_left(self) -> float | None:
        """API calls the CRM last said are left in its allocation; None if it never said."""
        return None

    def close(self) -> None:
        """Release connections."""

    def check(self, mapper: Mapper | None = None) -> list[str]:
        """Problems the target has with a preset (missing fields, picklists); empty if none."""
        return []

    def find_contacts(
        self,
        *,
        emails: Iterable[str] = (),
        phones: Iterable[str] = (),
        handles: dict[str, set[str]] | None = None,
    ) -> list[Contact]:
        """Contacts whose email, E.164 phone or platform handle is one of these, in a batch.

        Emails and handles are compared lower-cased, handles without ``@``.
        """
        raise NotImplementedError

    def get_contacts(self, ids: Iterable[str]) -> list[Contact]:
        """Contacts by CRM id, in a batch (the default knows only the ids)."""
        return [Contact(id=i) for i in sorted(set(ids))]

    def contacts_since(self, cursor: str | None) -> Iterator[tuple[Contact, str | None]]:
        """Contacts changed after ``cursor`` (all when None), each with its own cursor.

        A row's cursor is where a later call resumes after it; None means the stream is
        not resumable at that row yet (an unordered bulk read): keep the previous one.
        """
        raise NotImplementedError

    @classmethod
    def can(cls, what: Capability) -> bool:
        """Whether this adapter declares a capability."""
        return what in cls.capabilities

    @classmethod
    def lists_contacts(cls) -> bool:
        """Whether this adapter implements ``contacts_since`` (the contact mirror needs it)."""
        return cls.can(Capability.BULK_MIRROR)

    def setup(self) -> list[str]:
        """Create what the CRM needs before the first sync; lines saying what was done."""
        return [f"the {self.name} CRM needs no setup"]

    def cases(self, contact_id: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        """A contact's cases, where the CRM lists them beside activities (else none)."""
        return []

    def case_fields(self, plan: Mapping[str, Any], creating: bool) -> dict[str, Any]:
        """The CaseWrite fields of a case plan (see ``rules/cases.py``): plain names here.

        An adapter that writes cases maps them to its own fields, and sets owner-like
        fields only when ``creating``, so an update never takes a case from its agent.
        """
        return {k: plan.get(k) for k in PLAIN_CASE_KEYS if plan.get(k) not in (None, [])}

    def write(self, batch: Sequence[ActivityWrite]) -> list[WriteResult]:
        """Upsert activities by key; one result per input, in order."""
        raise NotImplementedError

    def write_cases(self, cases: Sequence[CaseWrite]) -> list[WriteResult]:
        """Create or update cases by key (the conversation key); one result per input."""
        raise ConfigError(
            f"the {self.name} adapter cannot write cases",
            hint="remove the case and escalate actions from the rules, or use an adapter "
            "that writes cases (local, salesforce, hubspot)",
        )

    def repoint(self, activities: Sequence[dict[str, Any]], contact_id: str | None) -> int:
        """Move activities crmbridge wrote (``key``, ``crm_object``, ``crm_id``) to a contact.

        Called when a reviewer links or unlinks a persona; returns how many moved.
        """
        raise ConfigError(
            f"the {self.name} adapter cannot re-point activities yet",
            hint="the link is recorded; re-point in the CRM by hand for now",
        )

    def attach_to_case(self, links: Sequence[tuple[str, dict[str, Any]]]) -> int:
        """Link written activities (``crm_object``, ``crm_id``) to their case's CRM id.

        Derived data: an adapter that cannot, links nothing (the local CRM lists cases
        beside activities); a refusal is logged, never a failed record.
        """
        return 0

    def history(self, contact_id: str, limit: int = 200) -> list[dict[str, Any]]:
        """Activities crmbridge wrote for a contact, newest first."""
        raise NotImplementedError

    def summary(self) -> dict[str, Any]:
        """Cheap totals for ``crmbridge report`` (may be empty for remote CRMs)."""
        return {}

    def delete_activities(self, rows: Sequence[dict[str, Any]], mode: str) -> int:
        """Delete (or anonymise) activities crmbridge wrote, for ``crmbridge forget``.

        ``rows`` carry ``key``, ``crm_object`` and ``crm_id``; ``mode`` is ``delete`` or
        ``anonymise`` (body and subject "[erased]", author fields blank). Records already
        gone count as done; any other refusal raises, so the state store is left as it is.
        Returns how many records were deleted or anonymised.
        """
        raise ConfigError(
            f"the {self.name} adapter cannot erase activities",
            hint="delete them in the CRM by hand; the state store is left unchanged",
        )

    def erase_cases(self, rows: Sequence[dict[str, Any]], mode: str) -> int:
        """Delete (or anonymise: subject and description "[erased]") cases crmbridge wrote.

        ``rows`` carry ``key`` (the conversation key) and ``crm_id``. By default a case is
        erased like an activity, by its id (a Salesforce Case is an sObject as a Task is).
        """
        return self.delete_activities(rows, mode)

    def poll_replies(self, app: AppConfig, store: StateStore) -> ReplyPoll:
        """Queue the replies agents wrote in the CRM; write sent and failed ones back.

        Only an adapter that declares ``Capability.REPLIES`` reads them; it opens no
        connection of its own (it polls through the adapter's, opened).
        """
        raise ConfigError(
            f"the {self.name} CRM holds no agent replies for crmbridge to send",
            hint="agents reply with `crmbridge reply` or the console instead",
        )

    def clear_rollups(self, contact_ids: Sequence[str]) -> int:
        """Blank the roll-up fields crmbridge keeps on these contacts (``forget``).

        Returns how many contacts were cleared; 0 where the adapter keeps no roll-ups.
        """
        return 0
