"""Match keys: the normalised forms identifiers are compared in.

Every function takes arbitrary text (or None) and returns a key or None; none raises.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import urlsplit

import phonenumbers
from anyascii import anyascii
from email_validator import EmailNotValidError, validate_email
from nicknames import NickNamer

# Providers that ignore dots in the local part and deliver "a+tag" to "a".
_DOT_BLIND = frozenset({"gmail.com", "googlemail.com"})
_PLUS_TAGS = frozenset({"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "icloud.com"})
# Second-level labels under which registrations happen one level deeper (co.uk, com.au ...).
_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "ac", "gov", "edu", "ne", "or", "gv"})
# Hosts whose domain says nothing about the person (profile hosts, link shorteners).
_SHARED_HOSTS = frozenset(
    {
        "x.com",
        "twitter.com",
        "facebook.com",
        "instagram.com",
        "linkedin.com",
        "youtube.com",
        "reddit.com",
        "tiktok.com",
        "linktr.ee",
        "bit.ly",
        "t.co",
        "gmail.com",
        "yahoo.com",
        "hotmail.com",
        "outlook.com",
        "icloud.com",
        "googlemail.com",
        "github.com",
        "medium.com",
        "substack.com",
    }
)
_EMAIL_IN_TEXT = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+", re.UNICODE)
_URL_IN_TEXT = re.compile(r"(?:https?://|www\.)[^\s<>\"')\]]{1,500}", re.IGNORECASE)
_NAME_JUNK = re.compile(r"[^\w\s'-]|_|\d", re.UNICODE)
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "jr", "sr", "ii", "iii"})
_NICKNAMER = NickNamer()


# The everyday shape of an address; anything else goes to email-validator (which is slow).
_PLAIN_EMAIL = re.compile(
    r"[a-z0-9](?:[a-z0-9._%+'-]{0,62}[a-z0-9_%+-])?@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
    r"(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.[a-z]{2,24}"
)


def email_key(value: str | None) -> str | None:
    """The lower-cased address if its syntax is valid (email-validator's rules, no DNS)."""
    if not value or len(value) > 320:
        return None
    text = value.strip().lower()
    if text.isascii() and _PLAIN_EMAIL.fullmatch(text) and ".." not in text:
        return text
    return _email_key(value)


@lru_cache(maxsize=65536)
def _email_key(value: str) -> str | None:
    try:
        checked = validate_email(value.strip(), check_deliverability=False)
    except (EmailNotValidError, ValueError, UnicodeError):
        return None
    return checked.normalized.lower()


def email_candidate_key(value: str | None) -> str | None:
    """A looser key for candidates only: Gmail dots and provider ``+tags`` folded away."""
    key = email_key(value)
    if key is None:
        return None
    local, _, domain = key.rpartition("@")
    if domain in _PLUS_TAGS:
        local = local.split("+", 1)[0]
    if domain in _DOT_BLIND:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}" if local else None


def handle_key(value: str | None) -> str | None:
    """A handle compared case-blind, without a leading ``@`` or the profile address around it.

    >>> handle_key("@JaneDoe"), handle_key("https://x.com/jane_doe?lang=en")
    ('janedoe', 'jane_doe')
    """
    if not value:
        return None
    value = value.strip().lower()
    if "/" in value:
        try:
            path = urlsplit(value if "://" in value else "https://" + value).path
        except ValueError:
            return None
        parts = [p for p in path.split("/") if p and p not in ("user", "u", "c", "in")]
        value = parts[-1] if parts else ""
    value = value.lstrip("@").strip()
    return value or None


def phone_e164(value: str | None, region: str | None = None) -> str | None:
    """A phone number in E.164 (``+447700900123``), read in ``region`` when not international.

    ``region`` is an ISO code or a country name in a common language (``Italia``).
    """
    if not value or not value.strip() or len(value) > 64:
        return None
    number = _parse_phone(value, region)
    if number is None:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_national(value: str | None, region: str | None = None) -> str | None:
    """The national significant number of a phone (``(303) 555-0112`` → ``3035550112``).

    Two writings of one number agree on it whatever country they were read in: the key that
    meets an author's national-format number, written with no country, with the contact's.
    """
    if not value or not value.strip() or len(value) > 64:
        return None
    number = _parse_phone(value, region)
    return phonenumbers.national_significant_number(number) if number is not None else None


def national_forms(value: str | None) -> list[str]:
    """The national numbers a phone written without its country may be (trunk 0 or 1 off)."""
    if not value or len(value) > 64:
        return []
    text = value.strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith(("+", "00")):
        number = _parse_phone("+" + text.lstrip("+")[2 if text.startswith("00") else 0 :], None)
        if number is None:
            return []
        national = phonenumbers.national_significant_number(number)
        return [national, *(t for t in (phone_tail(national),) if t)]
    forms = [digits]
    if digits.startswith("0"):
        forms.append(digits.lstrip("0"))
    if len(digits) == 11 and digits.startswith("1"):
        forms.append(digits[1:])
    kept = [f for f in dict.fromkeys(forms) if 6 <= len(f) <= 14]
    tails = [t for t in (phone_tail(f) for f in kept[:1]) if t]
    return [*kept, *tails]


def phone_tail(digits: str | None) -> str | None:
    """The last nine digits, marked ``~``: one number in any country's layout ends alike.

    A trunk prefix no parser knew (``8 (926) 695-88-97`` in a CRM row without a country)
    still meets ``+7 926 695-88-97``; national numbers are nine digits or more almost
    everywhere, so two different numbers rarely share them.
    """
    return "~" + digits[-9:] if digits and len(digits) >= 9 else None


@lru_cache(maxsize=65536)
def _parse_phone(value: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    from crmbridge.identity.places import country_code

    code = country_code(region) if region else None
    try:
        number = phonenumbers.parse(value, code or "US")
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_possible_number(number) else None


def fold(value: str | None) -> str:
    """Lower case, accents stripped (NFKD), anything but letters, digits and spaces dropped."""
    if not value:
        return ""
    if value.isascii():
        return " ".join(re.sub(r"[^\w\s]|_", " ", value.lower()).split())
    text = unicodedata.normalize("NFKD", value)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^\w\s]|_", " ", text).split())


_CJK = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af])")
_GERMAN = (("ae", "a"), ("oe", "o"), ("ue", "u"))


def latin(value: str | None) -> str:
    """A name in Latin letters, lower case, other scripts transliterated.

    ``Łukasz`` → lukasz, ``Александр`` → aleksandr, ``张伟`` → zhang wei.
    """
    if not value:
        return ""
    if value.isascii():
        return value.lower()
    text = unicodedata.normalize("NFKC", _CJK.sub(r" \1 ", value))
    # Only letters are transliterated: an emoji must not become words ("cherry blossom").
    kept = "".join(c if c.isascii() or unicodedata.category(c)[0] in "LMN" else " " for c in text)
    return anyascii(kept).lower()


def name_tokens(value: str | None) -> list[str]:
    """A display name as folded tokens in given-name-first order ("Doe, Jane" → jane doe)."""
    if not value:
        return []
    text = value
    if text.count(",") == 1:
        last, first = text.split(",")
        text = f"{first} {last}"
    words = _NAME_JUNK.sub(" ", latin(text)).replace("'", "").replace("-", " ").split()
    return [w for w in words if w not in _TITLES]


def name_key(value: str | None) -> str:
    """The folded display name as one string (empty when there is none)."""
    return " ".join(name_tokens(value))


@lru_cache(maxsize=65536)
def nickname_forms(token: str) -> frozenset[str]:
    """Given names this token may stand for, or be short for (itself included)."""
    if not token or len(token) < 2:
        return frozenset({token}) if token else frozenset()
    try:
        forms = _NICKNAMER.canonicals_of(token) | _NICKNAMER.nicknames_of(token)
    except Exception:
        forms = set()
    return frozenset({token, *(f.lower() for f in forms)})


def url_domain(value: str | None) -> str | None:
    """The registered domain of a URL or host (``https://shop.acme.co.uk/x`` → acme.co.uk)."""
    if not value or len(value) > 2000:
        return None
    text = value.strip()
    if "://" not in text:
        text = "http://" + text
    try:
        host = (urlsplit(text).hostname or "").rstrip(".")
    except ValueError:
        return None
    labels = [p for p in host.lower().split(".") if p]
    if len(labels) < 2 or not all(re.fullmatch(r"[a-z0-9-]+", p) for p in labels):
        return None
    take = 3 if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2 else 2
    return ".".join(labels[-take:])


@lru_cache(maxsize=65536)
def personal_domain(value: str | None) -> str | None:
    """A registered domain that can identify a person or company (not a social or mail host)."""
    domain = url_domain(value)
    return None if domain is None or domain in _SHARED_HOSTS else domain


# Words that introduce somebody else's address in a bio: "bookings: x@y", "mgmt → x@y".
_THIRD_PARTY = re.compile(
    r"\b(agent|agency|bookings?|mgmt|management|manager|managed|pr|press|collabs?|assistant|"
    r"business|inquiries|enquiries|partnerships?|sponsorships?|rep|represented|label|team|"
    r"wife|husband|sister|brother|mum|mom|dad|friend|boss|colleague|cc|"
    r"agente|representante|presse|anfragen|kooperationen|contatto|contato)\b",
    re.IGNORECASE,
)


def someone_elses(text: str, start: int) -> bool:
    """Whether the words just before position ``start`` say a key belongs to someone else."""
    before = text[max(0, start - 40) : start]
    before = before.rsplit("·", 1)[-1].rsplit("|", 1)[-1].rsplit("\n", 1)[-1]
    return bool(_THIRD_PARTY.search(before))


def emails_in(text: str | None) -> list[str]:
    """Email keys a person writes as their own in free text (a bio, a DM), in order.

    An address introduced as somebody else's ("agent: …", "bookings: …") is left out.
    """
    if not text:
        return []
    text = text[:20000]
    found = (
        email_key(m.group(0).rstrip("."))
        for m in _EMAIL_IN_TEXT.finditer(text)
        if not someone_elses(text, m.start())
    )
    return list(dict.fromkeys(k for k in found if k))


def phones_in(text: str | None, region: str | None = None) -> list[str]:
    """E.164 numbers written in free text, via phonenumbers' own matcher (valid numbers only)."""
    if not text:
        return []
    try:
        matches = phonenumbers.PhoneNumberMatcher(text[:20000], (region or "US").upper())
        found = [
            phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
            for m in matches
        ]
    except Exception:
        return []
    return list(dict.fromkeys(found))


def domains_in(text: str | None) -> list[str]:
    """Personal registered domains of the URLs written in free text."""
    if not text:
        return []
    found = (personal_domain(m.group(0)) for m in _URL_IN_TEXT.finditer(text[:20000]))
    return list(dict.fromkeys(d for d in found if d))
