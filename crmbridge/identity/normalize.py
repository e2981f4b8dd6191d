"""Match keys: the normalised forms identifiers are compared in.

Every function takes arbitrary text (or None) and returns a key or None; none raises.
"""

from __future__ import annotations

import phonenumbers


def email_key(value: str | None) -> str | None:
    """The lower-cased, trimmed address if it looks like one (``local@domain.tld``)."""
    if not value:
        return None
    value = value.strip().lower()
    local, at, domain = value.rpartition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in value):
        return None
    return value


def handle_key(value: str | None) -> str | None:
    """A handle compared case-blind and without a leading ``@``."""
    if not value:
        return None
    value = value.strip().lstrip("@").strip().lower()
    return value or None


def phone_e164(value: str | None, region: str | None = None) -> str | None:
    """A phone number in E.164 (``+447700900123``), read in ``region`` when not international."""
    if not value or not value.strip():
        return None
    try:
        number = phonenumbers.parse(value, (region or "US").upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
