"""Webhook intake for ``crmbridge serve``: a small WSGI app on Werkzeug.

``/webhooks/meta`` and ``/webhooks/x`` answer the platforms' handshakes (Meta's
``hub.challenge``, X's CRC), verify the HMAC-SHA256 signature over the raw body in constant
time, refuse oversized (413) and malformed (400) bodies, ignore event ids already taken in
(replay protection), and hand the events, as interchange records, to an intake callable.
The default intake appends them to ``<state dir>/spool/<source>.jsonl``, which a ``jsonl``
source reads on the next sync, so webhook and poll meet in the same ledger.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from crmbridge.config import AppConfig, Options
from crmbridge.errors import ConfigError, CrmbridgeError
from crmbridge.webhook_events import (
    Event,
    MentionLookup,
    mention_event_id,
    meta_events,
    x_events,
)
from crmbridge.webhook_sources import DEFAULT_AGENT, mention_lookup, meta_agent, x_settings

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_000_000
SEEN_DAYS = 14
Intake = Callable[[str, list[dict[str, Any]]], None]
"""Takes a source name and the interchange records of accepted events."""


class XWebhook(Options):
    """``webhooks.x``: the source fed and the consumer secret that signs deliveries."""

    source: str = Field(description="The source whose spool receives the events.")
    consumer_secret: SecretStr = Field(description="App consumer secret, ${X_CONSUMER_SECRET}.")
    agent: str | None = Field(
        default=None, description="Agent on the account's posts; default: the source's, brand."
    )
    broadcasts: bool | None = Field(
        default=None,
        description="Also take in the account's own posts and retweets; default: the source's.",
    )


class MetaWebhook(Options):
    """``webhooks.meta``: the source fed, the app secret and the verify token."""

    source: str = Field(description="The source whose spool receives the events.")
    app_secret: SecretStr = Field(description="App secret, ${META_APP_SECRET}.")
    verify_token: SecretStr = Field(description="Subscription token, ${META_VERIFY_TOKEN}.")
    agent: str | None = Field(
        default=None, description="Agent when the sender's name is unknown; default: the source's."
    )
    mentions_source: str | None = Field(
        default=None,
        description="The instagram source that reads what the mentions field names "
        "(default: source, when it is one).",
    )


# --- intake and replay protection --------------------------------------------------------


class SpoolIntake:
    """Appends records as interchange JSON lines to ``<spool>/<source>.jsonl`` (fsynced)."""

    def __init__(self, spool: Path) -> None:
        self.spool = spool
        self._lock = threading.Lock()

    def __call__(self, source: str, records: list[dict[str, Any]]) -> None:
        """Append the records; a line is complete on disk before the delivery is answered."""
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        with self._lock:
            self.spool.mkdir(parents=True, exist_ok=True)
            with (self.spool / f"{source}.jsonl").open("a", encoding="utf-8") as handle:
                handle.write(lines)
                handle.flush()
                os.fsync(handle.fileno())


class SeenEvents:
    """Event ids already taken in, in a small SQLite file, so restarts keep the memory."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("CREATE TABLE IF NOT EXISTS seen (id TEXT PRIMARY KEY, at REAL)")
        self._db.execute("DELETE FROM seen WHERE at < ?", (time.time() - SEEN_DAYS * 86400,))
        self.lock = threading.Lock()

    def new(self, ids: Iterable[str]) -> set[str]:
        """The ids not seen before."""
        ids = list(ids)
        marks = ",".join("?" * len(ids))
        query = f"SELECT id FROM seen WHERE id IN ({marks})"  # noqa: S608 (placeholders only)
        known = {row[0] for row in self._db.execute(query, ids)} if ids else set()
        return set(ids) - known

    def remember(self, ids: Iterable[str]) -> None:
        """Record ids as taken in."""
        now = time.time()
        self._db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?)", [(i, now) for i in ids])


# --- signatures --------------------------------------------------------------------------


def meta_signature(secret: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256>`` as Meta sends in ``X-Hub-Signature-256``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def x_signature(secret: str, body: bytes) -> str:
    """``sha256=<base64 HMAC-SHA256>`` as X sends and expects in the CRC answer."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


# --- the app -----------------------------------------------------------------------------


class WebhookApp:
    """The WSGI application behind ``crmbridge serve``."""

    def __init__(
        self,
        *,
        x: XWebhook | None,
        meta: MetaWebhook | None,
        intake: Intake,
        seen: SeenEvents,
        max_body_bytes: int = MAX_BODY_BYTES,
        mentions: MentionLookup | None = None,
    ) -> None:
        for options, fields in ((x, ("consumer_secret",)), (meta, ("app_secret", "verify_token"))):
            for name in fields if options is not None else ():
                if not getattr(options, name).get_secret_value():
                    # An empty key signs anything: nobody may deliver with it.
                    raise ConfigError(f"webhooks: {name} is empty; set its environment variable")
        self.x, self.meta, self.intake, self.seen = x, meta, intake, seen
        self.max_body_bytes = max_body_bytes
        self.mentions = mentions  # reads Instagram @mentions the webhook names by ids
        self.urls = Map(
            [
                Rule("/healthz", endpoint="health", methods=["GET"]),
                Rule("/webhooks/x", endpoint="x", methods=["GET", "POST"]),
                Rule("/webhooks/meta", endpoint="meta", methods=["GET", "POST"]),
            ]
        )

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        """Route one request."""
        request = Request(environ)
        try:
            endpoint, _ = self.urls.bind_to_environ(environ).match()
            response = getattr(self, f"on_{endpoint}")(request)
        except (NotFound, MethodNotAllowed) as exc:
            response = _json({"error": exc.name}, exc.code or 404)
        except HTTPException as exc:  # pragma: no cover - werkzeug internals
            response = _json({"error": exc.name}, exc.code or 400)
        return response(environ, start_response)  # type: ignore[no-any-return]

    def on_health(self, request: Request) -> Response:
        """Liveness: the app answers and the replay store is readable."""
        self.seen.new([])
        return _json({"status": "ok", "endpoints": self._endpoints()}, 200)

    def on_x(self, request: Request) -> Response:
        """X: CRC handshake on GET, signed Account Activity deliveries on POST."""
        if self.x is None:
            return _json({"error": "the x webhook is not configured"}, 404)
        secret = self.x.consumer_secret.get_secret_value()
        if request.method == "GET":
            token = request.args.get("crc_token")
            if not token:
                return _json({"error": "crc_token is missing"}, 400)
            return _json({"response_token": x_signature(secret, token.encode())}, 200)
        header = "x-twitter-webhooks-signature"
        agent, broadcasts = self.x.agent or DEFAULT_AGENT, bool(self.x.broadcasts)
        return self._delivery(
            request,
            header,
            lambda b: x_signature(secret, b),
            lambda p: x_events(p, agent, broadcasts=broadcasts),
            self.x.source,
        )

    def on_meta(self, request: Request) -> Response:
        """Meta: ``hub.challenge`` handshake on GET, signed deliveries on POST."""
        if self.meta is None:
            return _json({"error": "the meta webhook is not configured"}, 404)
        if request.method == "GET":
            return self._meta_handshake(request, self.meta)
        secret = self.meta.app_secret.get_secret_value()
        agent, mentions = self.meta.agent or DEFAULT_AGENT, self._unseen_mentions()
        return self._delivery(
            request,
            "X-Hub-Signature-256",
            lambda b: meta_signature(secret, b),
            lambda p: meta_events(p, agent, mentions=mentions),
            self.meta.source,
        )

    def _unseen_mentions(self) -> MentionLookup | None:
        """The mention lookup, skipped for mentions already taken in (no Graph call).

        A replayed delivery gets an empty record for them, which the replay check drops.
        """
        lookup = self.mentions
        if lookup is None:
            return None

        def unseen(media_id: str, comment_id: str | None) -> dict[str, Any] | None:
            if not self.seen.new([mention_event_id(media_id, comment_id)]):
                return {}
            return lookup(media_id, comment_id)

        return unseen

    def _meta_handshake(self, request: Request, meta: MetaWebhook) -> Response:
        expected = meta.verify_token.get_secret_value().encode()
        given = request.args.get("hub.verify_token", "").encode()
        challenge = request.args.get("hub.challenge")
        if request.args.get("hub.mode") != "subscribe" or not challenge:
            return _json({"error": "expected hub.mode=subscribe and hub.challenge"}, 400)
        if not hmac.compare_digest(given, expected):
            return _json({"error": "hub.verify_token does not match"}, 403)
        return Response(challenge, 200, mimetype="text/plain")

    def _delivery(
        self,
        request: Request,
        header: str,
        sign: Callable[[bytes], str],
        parse: Callable[[dict[str, Any]], Iterator[Event]],
        source: str,
    ) -> Response:
        body = self._body(request)
        if body is None:
            return _json({"error": f"body larger than {self.max_body_bytes} bytes"}, 413)
        given = request.headers.get(header)
        if not given:
            return _json({"error": f"{header} header is missing"}, 401)
        if not hmac.compare_digest(given.encode(), sign(body).encode()):
            return _json({"error": f"{header} does not match the body"}, 403)
        try:
            payload = json.loads(body)
            if not isinstance(payload, dict):
                raise ValueError("not an object")
            events = list(parse(payload))
        except CrmbridgeError as exc:
            # A lookup the events need failed (Instagram mentions): nothing is taken in and
            # the platform redelivers on the 503, when the lookup may succeed.
            log.warning("webhook %s: %s lookup failed: %s", source, exc.kind, exc)
            return _json({"error": f"lookup failed ({exc.kind}); deliver again later"}, 503)
        except Exception as exc:
            # Deep nesting (RecursionError), odd shapes (KeyError, IndexError), bad text: a
            # signed body that does not parse is refused with 400, never answered with 500.
            return _json({"error": f"malformed body: {type(exc).__name__}"}, 400)
        return self._take_in(source, events)

    def _take_in(self, source: str, events: list[Event]) -> Response:
        unique = {e.id: e for e in events}
        with self.seen.lock:
            new = self.seen.new(unique)
            fresh = [e for e in unique.values() if e.id in new]
            if fresh:
                self.intake(source, [e.record for e in fresh])
                self.seen.remember(e.id for e in fresh)
        replayed = len(unique) - len(fresh)
        log.info("webhook %s: %d event(s) taken in, %d replayed", source, len(fresh), replayed)
        return _json({"accepted": len(fresh), "replayed": replayed}, 200)

    def _body(self, request: Request) -> bytes | None:
        """The raw body, or ``None`` when it exceeds the limit (read no further than that)."""
        length = request.content_length
        if length is not None and length > self.max_body_bytes:
            return None
        body = request.stream.read(self.max_body_bytes + 1)
        return None if len(body) > self.max_body_bytes else body

    def _endpoints(self) -> list[str]:
        return [name for name, on in (("x", self.x), ("meta", self.meta)) if on is not None]


def _json(body: dict[str, Any], status: int) -> Response:
    return Response(json.dumps(body), status, mimetype="application/json")


# --- wiring ------------------------------------------------------------------------------


def state_dir(config: AppConfig) -> Path:
    """Where the state lives: the SQLite state file's folder, else the config's folder."""
    url = config.state_url
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        return Path(url[len("sqlite:///") :]).parent
    return config.base_dir


def make_app(config: AppConfig, intake: Intake | None = None) -> WebhookApp:
    """Build the app from ``crmbridge.yaml``'s ``webhooks`` block."""
    raw = config.webhooks
    unknown = sorted(set(raw) - {"x", "meta"})
    if unknown or not raw:
        raise ConfigError(
            f"{config.file.name}: webhooks: expected x and/or meta, found {unknown or 'none'}"
        )
    x = config.options_for(XWebhook, raw["x"], "webhooks.x") if "x" in raw else None
    meta = config.options_for(MetaWebhook, raw["meta"], "webhooks.meta") if "meta" in raw else None
    mentions = None
    if x is not None:  # record what the poll of the same source records
        x = x.model_copy(update=x_settings(config, x.source, x.broadcasts, x.agent))
    if meta is not None:
        meta = meta.model_copy(update={"agent": meta_agent(config, meta.source, meta.agent)})
        named = meta.mentions_source
        mentions = mention_lookup(config, named or meta.source, required=named is not None)
    spool = state_dir(config) / "spool"
    return WebhookApp(
        x=x,
        meta=meta,
        intake=intake or SpoolIntake(spool),
        seen=SeenEvents(spool / "seen.sqlite3"),
        mentions=mentions,
    )


_QUERY = re.compile(r"\?[^\s\"']*")


def quiet_request_handler(redact: Callable[[str], str]) -> type[Any]:
    """Werkzeug's request handler, its log lines without query strings or known secrets.

    Meta's handshake carries ``hub.verify_token`` in the query string, and the stock access
    log prints the whole request line; every line (access and error) passes through here.
    """
    from werkzeug.serving import WSGIRequestHandler

    class QuietRequestHandler(WSGIRequestHandler):
        """Logs ``GET /webhooks/meta?… HTTP/1.1`` instead of the query string."""

        def log(self, type: str, message: str, *args: Any) -> None:
            text = redact(_QUERY.sub("?…", message % args if args else message))
            super().log(type, "%s", text)

    return QuietRequestHandler


def serve(config: AppConfig, host: str = "127.0.0.1", port: int = 8080) -> None:
    """Run the app with a spool drainer, ``/readyz`` and ``/metrics`` (``crmbridge.service``).

    With a ``console:`` block the console and its API are mounted beside the webhooks.
    Put TLS in front of it. Returns on SIGTERM once the batch in flight is committed.
    """
    from crmbridge.service.entry import serve as serve_service

    code = serve_service(config, host, port)
    if code:
        raise SystemExit(code)


def app_from_env() -> WebhookApp:
    """For WSGI servers (gunicorn, uWSGI): the app for ``$CRMBRIDGE_CONFIG``."""
    from crmbridge.config import load_config

    path = Path(os.environ.get("CRMBRIDGE_CONFIG", "crmbridge.yaml"))
    return make_app(load_config(path, webhooks=True))
