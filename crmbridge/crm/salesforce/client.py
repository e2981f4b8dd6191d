"""Salesforce connection options, login for every auth mode, and the one error boundary.

simple-salesforce does the HTTP; this module decides how to log in (password + security
token, JWT bearer, client credentials, or an existing session id), counts every HTTP call,
and translates every ``SalesforceError`` into one crmbridge error kind in ``classify``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal, TypeVar

import requests
from pydantic import Field, SecretStr, model_validator
from simple_salesforce import Salesforce, SalesforceLogin
from simple_salesforce.exceptions import (
    SalesforceAuthenticationFailed,
    SalesforceError,
    SalesforceOperationError,
)

from crmbridge.config import ConfigPath, Options, secret_value
from crmbridge.errors import (
    AuthError,
    ConfigError,
    CrmbridgeError,
    DataError,
    QuotaExhausted,
    RateLimited,
    TransientError,
)

T = TypeVar("T")
AuthMode = Literal["password", "jwt", "client_credentials", "session"]
NAME = r"^[A-Za-z][A-Za-z0-9_]*$"

# Per-record validation failures: park the record, the run goes on.
DATA_CODES = frozenset(
    {
        "DUPLICATE_VALUE",
        "DUPLICATES_DETECTED",
        "DUPLICATE_EXTERNAL_ID",
        "FIELD_CUSTOM_VALIDATION_EXCEPTION",
        "FIELD_INTEGRITY_EXCEPTION",
        "REQUIRED_FIELD_MISSING",
        "STRING_TOO_LONG",
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        "INVALID_CROSS_REFERENCE_KEY",
        "INVALID_EMAIL_ADDRESS",
        "ENTITY_IS_DELETED",
        "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY",
    }
)
# The mapping or the org's schema is wrong: an admin must act.
CONFIG_CODES = frozenset(
    {
        "INVALID_FIELD",
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        "INVALID_TYPE",
        "MALFORMED_QUERY",
        "NOT_FOUND",
        "INVALID_QUERY_FILTER_OPERATOR",
        "API_DISABLED_FOR_ORG",
        "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY",
        "INSUFFICIENT_ACCESS_OR_READONLY",
    }
)
TRANSIENT_CODES = frozenset({"UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE", "UNKNOWN_EXCEPTION"})


class SessionExpired(AuthError):
    """The session id was refused (INVALID_SESSION_ID); a stored login may renew it."""


class KeysHeldTwice(DataError):
    """HTTP 300 on an upsert by key: a key of the call is held by two records, none written."""


class SalesforceConfig(Options):
    """Options of the ``salesforce`` CRM adapter (``crm:`` block of crmbridge.yaml)."""

    auth: AuthMode | None = Field(
        default=None, description="Login mode; inferred from the settings given when omitted."
    )
    username: str | None = Field(default=None, description="Integration user (password, jwt).")
    password: SecretStr | None = Field(default=None, description="${SALESFORCE_PASSWORD}")
    security_token: SecretStr | None = Field(
        default=None, description="${SALESFORCE_SECURITY_TOKEN}"
    )
    domain: str = Field(
        default="login", description="login, test, or your My Domain (acme.my) for logins."
    )
    consumer_key: SecretStr | None = Field(
        default=None, description="${SALESFORCE_CONSUMER_KEY} of the connected app."
    )
    consumer_secret: SecretStr | None = Field(
        default=None, description="${SALESFORCE_CONSUMER_SECRET} (client credentials)."
    )
    private_key: SecretStr | None = Field(
        default=None, description="${SALESFORCE_PRIVATE_KEY}: PEM text for JWT bearer."
    )
    private_key_file: ConfigPath | None = Field(default=None, description="PEM file for JWT.")
    session_id: SecretStr | None = Field(default=None, description="${SALESFORCE_SESSION_ID}")
    instance_url: str | None = Field(
        default=None, description="https://acme.my.salesforce.com (session mode, JWT)."
    )
    api_version: str = Field(default="62.0", pattern=r"^\d{2,3}\.0$")

    key_field: str = Field(default="Crmbridge_Key__c", pattern=NAME)
    key_is_external_id: bool = Field(
        default=True, description="Upsert by key_field; false: create, keep ids, recover by key."
    )
    create_only_fields: list[str] = Field(default_factory=lambda: ["TaskSubtype", "Provider"])
    history_objects: list[str] = Field(default_factory=lambda: ["Task"])

    contact_object: Literal["Contact", "Lead"] = "Contact"
    include_leads: bool = False
    email_fields: list[str] = Field(default_factory=lambda: ["Email"])
    phone_fields: list[str] = Field(default_factory=lambda: ["Phone", "MobilePhone"])
    handle_fields: dict[str, str] = Field(
        default_factory=dict, description="platform -> field, e.g. {x: Twitter_Handle__c}"
    )

    rollup_last_at: str | None = Field(
        default=None, pattern=NAME, description="Contact DateTime field: last social interaction."
    )
    rollup_channels: str | None = Field(
        default=None, pattern=NAME, description="Contact multi-select picklist: channels seen."
    )
    rollup_last_sentiment: str | None = Field(
        default=None, pattern=NAME, description="Contact field: the latest inbound mood."
    )
    bulk_threshold: int = Field(
        default=50_000,
        ge=0,
        description="First contact-mirror load through Bulk API 2.0 above this many rows "
        "(0: never).",
    )
    bulk_poll_s: float = Field(default=5.0, ge=0, description="Wait between bulk job polls.")
    budget_reserve: float = Field(default=0.2, ge=0.0, lt=1.0)
    batch_size: int = Field(default=200, ge=1, le=200, description="Records per collection.")
    concurrency: int = Field(
        default=4,
        ge=1,
        le=25,
        description="Collection calls in flight at once (a write batch holds 4 x batch_size "
        "x concurrency records); 1 sends them one after another.",
    )
    write_batch: int | None = Field(
        default=None,
        ge=1,
        le=20000,
        description="Records per pipeline batch, sent in collections of batch_size "
        "(default: four rounds of concurrency collections). Keys held twice are read back "
        "once per batch.",
    )
    max_query_chars: int = Field(
        default=8000,
        ge=500,
        le=16000,
        description="URL-encoded length a SOQL query stays under (REST allows 16,384).",
    )
    attempts: int = Field(default=5, ge=1, le=10)
    assignment_rule_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9]{15,18}$")
    allow_duplicates: bool = Field(
        default=False, description="Send Sforce-Duplicate-Rule-Header allowSave=true."
    )

    @model_validator(mode="after")
    def _one_auth_mode(self) -> SalesforceConfig:
        mode = self.auth or infer_mode(self)
        needs: dict[str, tuple[str, ...]] = {
            "password": ("username", "password", "security_token"),
            "jwt": ("username", "consumer_key"),
            "client_credentials": ("consumer_key", "consumer_secret"),
            "session": ("session_id", "instance_url"),
        }
        missing = [n for n in needs[mode] if getattr(self, n) is None]
        if mode == "jwt" and self.private_key is None and self.private_key_file is None:
            missing.append("private_key or private_key_file")
        if missing:
            raise ValueError(f"auth {mode} needs {', '.join(missing)}")
        names = [self.key_field, *self.email_fields, *self.phone_fields]
        names += [*self.handle_fields.values(), *self.history_objects, *self.create_only_fields]
        bad = [n for n in names if not _is_name(n)]
        if bad:
            raise ValueError(f"not Salesforce API names: {bad}")
        self.auth = mode
        return self


def _is_name(value: str) -> bool:
    return bool(value) and value[0].isalpha() and value.replace("_", "a").isalnum()


def infer_mode(config: SalesforceConfig) -> AuthMode:
    """The auth mode the given settings describe (session id wins, then JWT, ...)."""
    if config.session_id is not None:
        return "session"
    if config.private_key is not None or config.private_key_file is not None:
        return "jwt"
    if config.password is not None:
        return "password"
    if config.consumer_secret is not None:
        return "client_credentials"
    raise ValueError(
        "no Salesforce credentials: set username+password+security_token, "
        "username+consumer_key+private_key, consumer_key+consumer_secret, "
        "or session_id+instance_url"
    )


AUTH_HINTS: dict[str, str] = {
    "password": "check crm.username, crm.password and crm.security_token "
    "(a password reset issues a new security token), and crm.domain (login/test/My Domain)",
    "jwt": "check crm.username, crm.consumer_key and crm.private_key(_file), and that the "
    "user is pre-authorized for the connected app",
    "client_credentials": "check crm.consumer_key, crm.consumer_secret and crm.domain "
    "(client credentials need your My Domain, e.g. acme.my)",
    "session": "crm.session_id expired or was revoked: issue a new one, or configure a "
    "login mode (password, jwt or client_credentials) that can renew itself",
}


def login(config: SalesforceConfig, session: requests.Session) -> Salesforce:
    """Log in with the configured mode and return a client bound to ``session``."""
    mode = config.auth or infer_mode(config)
    version = config.api_version
    try:
        if mode == "session":
            return Salesforce(
                session_id=secret_value(config.session_id),
                instance_url=config.instance_url,
                session=session,
                version=version,
            )
        session_id, instance = SalesforceLogin(**_login_args(config, mode), session=session)
    except SalesforceAuthenticationFailed as exc:
        raise AuthError(
            f"Salesforce login ({mode}) failed: {exc.code}", hint=AUTH_HINTS[mode]
        ) from None
    except SalesforceError as exc:
        raise classify(exc, "login") from None
    except (requests.ConnectionError, requests.Timeout) as exc:
        host = f"{config.domain}.salesforce.com"
        raise TransientError(
            f"Salesforce login: cannot reach {host}: {type(exc).__name__}",
            hint="check crm.domain in the config (login, test or your My Domain) and the "
            "network path to it",
        ) from None
    return Salesforce(session_id=session_id, instance=instance, session=session, version=version)


def _login_args(config: SalesforceConfig, mode: AuthMode) -> dict[str, Any]:
    args: dict[str, Any] = {"domain": config.domain, "sf_version": config.api_version}
    if mode == "password":
        args.update(
            username=config.username,
            password=secret_value(config.password),
            security_token=secret_value(config.security_token),
        )
    elif mode == "jwt":
        args.update(
            username=config.username,
            consumer_key=secret_value(config.consumer_key),
            privatekey=secret_value(config.private_key),
            privatekey_file=str(config.private_key_file) if config.private_key_file else None,
        )
    else:
        args.update(
            consumer_key=secret_value(config.consumer_key),
            consumer_secret=secret_value(config.consumer_secret),
        )
    return args


# --- the error boundary ----------------------------------------------------------------


def first_error(content: Any) -> tuple[str, str]:
    """The ``(errorCode, message)`` of a Salesforce error body (list or dict)."""
    if isinstance(content, bytes | str):
        try:
            content = json.loads(content)
        except ValueError:
            return "", str(content)[:200]
    if isinstance(content, list) and content:
        content = content[0]
    if isinstance(content, dict):
        code = content.get("errorCode") or content.get("statusCode") or ""
        return str(code), str(content.get("message", ""))[:500]
    return "", ""


def classify(exc: SalesforceError, what: str) -> CrmbridgeError:
    """Translate one Salesforce API error into a crmbridge error kind."""
    code, message = first_error(exc.content)
    return classify_code(exc.status, code, message, what)


def classify_code(status: int, code: str, message: str, what: str) -> CrmbridgeError:
    """The error kind of an HTTP status and Salesforce error code (for a whole call)."""
    text = f"Salesforce {what}: HTTP {status} {code} {message}".strip()
    if code == "REQUEST_LIMIT_EXCEEDED":
        if "concurren" in message.lower():
            return RateLimited(text, hint="too many concurrent long requests; backing off")
        return QuotaExhausted(
            text, hint="the org's rolling 24 h API allocation is used up; the next run resumes"
        )
    if status == 429:  # an edge/proxy throttle: simple-salesforce drops Retry-After
        return RateLimited(text, hint="the org or a proxy asked to slow down; backing off")
    if code == "INVALID_SESSION_ID" or status == 401:
        return SessionExpired(text, hint="the session expired or was revoked; check crm auth")
    if status == 300:
        return KeysHeldTwice(text, hint="several records share this key (data conflict)")
    if code in TRANSIENT_CODES or status >= 500:
        return TransientError(text)
    if code in DATA_CODES:
        return DataError(text)
    if code in CONFIG_CODES or status in (400, 404):
        return ConfigError(text, hint="check the mapping preset against `crmbridge check`")
    if status == 403:
        return AuthError(text, hint="the integration user lacks a permission for this call")
    return TransientError(text) if status >= 500 else ConfigError(text)


def item_kind(code: str) -> str:
    """The error kind of one failed record in a collection answer."""
    if code in TRANSIENT_CODES:
        return "transient"
    if code in CONFIG_CODES:
        return "config"
    if code == "REQUEST_LIMIT_EXCEEDED":
        return "quota_exhausted"
    return "data"


def guarded(call: Callable[[], T], what: str) -> T:
    """Run one client call, translating its failures at this single boundary."""
    try:
        return call()
    except SalesforceError as exc:
        raise classify(exc, what) from None
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise TransientError(f"Salesforce {what}: {type(exc).__name__}") from None
    except SalesforceOperationError as exc:  # a Bulk API 2.0 job that failed or timed out
        raise TransientError(f"Salesforce {what}: {str(exc)[:300]}") from None
