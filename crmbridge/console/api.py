"""The JSON API behind the pages (``/api/...``) and the CRM card endpoints.

Same library functions as the pages and the CLI: ``review_queue``, ``contact_view``,
``search_contacts``, ``decide``, ``period_report``, ``list_failures``. Signed in with the
session cookie (a POST then sends ``X-CSRF-Token``) or the shared token as
``Authorization: Bearer``. The card endpoints answer a CRM's card for one contact:
HubSpot's requests are checked with ``X-HubSpot-Signature-v3``, Salesforce's with the
token its Named Credential sends.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from crmbridge.console.app import route
from crmbridge.console.auth import Session
from crmbridge.console.signatures import hubspot_problem, token_ok
from crmbridge.errors import UsageError
from crmbridge.views.contact import MAX_MESSAGES, card_summary, contact_view
from crmbridge.views.decide import decide
from crmbridge.views.review_queue import review_queue
from crmbridge.views.search import find_contact, search_contacts

if TYPE_CHECKING:
    from crmbridge.console.app import Console


@route("/api/review", gate="api")
def api_review(console: Console, request: Request, session: Session) -> Response:
    """One page of the review queue (``?page=N&per_page=M``)."""
    with console.store.engine.connect() as conn:
        view = review_queue(
            conn,
            page=request.args.get("page", 1, type=int) or 1,
            per_page=request.args.get("per_page", 100, type=int) or 100,
            region=console.config.identity.default_region,
            fetch=console.fetch,
        )
    return console.json(view)


@route("/api/review/<int:review_id>/<any(approve, reject):action>", methods=("POST",), gate="api")
def api_decide(
    console: Console, request: Request, session: Session, review_id: int, action: str
) -> Response:
    """Approve (``{"contact_id"}`` optional) or reject one item."""
    refused = console.forbid(request, session, "decide")
    if refused:
        return refused
    body = request.get_json(silent=True) or {}
    extra = {"contact_id": body.get("contact_id")} if action == "approve" else {}
    return console.json(
        decide(console.config, console.store, action, session.user, review_id=review_id, **extra)
    )


@route("/api/links", methods=("POST",), gate="api")
def api_link(console: Console, request: Request, session: Session) -> Response:
    """Link ``{"persona", "contact_id"}``."""
    return _decide_body(console, request, session, "link", ("persona", "contact_id"))


@route("/api/unlink", methods=("POST",), gate="api")
def api_unlink(console: Console, request: Request, session: Session) -> Response:
    """Unlink ``{"persona"}``."""
    return _decide_body(console, request, session, "unlink", ("persona",))


def _decide_body(
    console: Console, request: Request, session: Session, action: str, fields: tuple[str, ...]
) -> Response:
    """One decision whose arguments come from the JSON body (the same path as the CLI)."""
    refused = console.forbid(request, session, "decide")
    if refused:
        return refused
    body = request.get_json(silent=True) or {}
    args = {name: str(body.get(name, "")) for name in fields}
    return console.json(decide(console.config, console.store, action, session.user, **args))


@route("/api/contacts/<contact_id>", gate="api")
def api_contact(console: Console, request: Request, session: Session, contact_id: str) -> Response:
    """A contact's view: details, profile, threads (``?limit=N`` newest messages)."""
    with console.store.engine.connect() as conn:
        view = contact_view(
            conn,
            contact_id,
            window=console.config.conversations.window,
            limit=min(request.args.get("limit", 200, type=int) or 200, MAX_MESSAGES),
            fetch=console.fetch,
        )
    if not view["contact"]["known"] and not view["messages_total"]:
        return console.json({"error": f"no contact {contact_id}"}, 404)
    return console.json(view)


@route("/api/search", gate="api")
def api_search(console: Console, request: Request, session: Session) -> Response:
    """Contacts matching ``?q=`` (name, email, phone, handle or persona)."""
    with console.store.engine.connect() as conn:
        return console.json({"results": search_contacts(conn, request.args.get("q", ""))})


@route("/api/report", gate="api")
def api_report(console: Console, request: Request, session: Session) -> Response:
    """Totals and KPIs for ``?days=N`` (all time without it)."""
    from crmbridge.console.reporting import period_report

    days = request.args.get("days", type=int)
    period = timedelta(days=days) if days else None
    data = period_report(console.config, console.store, period)
    return console.json(data)


@route("/api/failures", gate="api")
def api_failures(console: Console, request: Request, session: Session) -> Response:
    """Parked records and failed rows (admins)."""
    from crmbridge.failures import list_failures

    refused = console.forbid(request, session, "failures")
    if refused:
        return refused
    return console.json({"failures": list_failures(console.config, console.store, limit=500)})


# --- CRM cards ---------------------------------------------------------------------------


@route("/api/card/hubspot", methods=("GET", "POST"), gate="card")
def hubspot_card(console: Console, request: Request, session: Session | None) -> Response:
    """A HubSpot card's data for one contact, if HubSpot signed the request (v3)."""
    secret = console.settings.hubspot_client_secret
    if secret is None:
        return console.json({"error": "console.hubspot_client_secret is not configured"}, 404)
    body = request.get_data(cache=True)
    problem = hubspot_problem(
        secret.get_secret_value(),
        request.method,
        _called_uri(console, request),
        body,
        request.headers.get("X-HubSpot-Signature-v3"),
        request.headers.get("X-HubSpot-Request-Timestamp"),
    )
    if problem:
        return console.json({"error": problem}, 401)
    return _card(console, request)


@route("/api/card/salesforce", gate="card")
def salesforce_card(console: Console, request: Request, session: Session | None) -> Response:
    """A Lightning component's data for one contact, with the Named Credential's token."""
    token = console.settings.salesforce_token
    if token is None:
        return console.json({"error": "console.salesforce_token is not configured"}, 404)
    header = request.headers.get("Authorization", "")
    sent = header[7:].strip() if header.startswith("Bearer ") else None
    if not token_ok(token.get_secret_value(), sent or request.headers.get("X-Crmbridge-Token")):
        return console.json({"error": "the token is missing or wrong"}, 401)
    return _card(console, request)


def _card(console: Console, request: Request) -> Response:
    lookups = [
        request.args.get(k)
        for k in ("contact_id", "associatedObjectId", "objectId", "email")
        if request.args.get(k)
    ]
    with console.store.engine.connect() as conn:
        contact_id = None
        for lookup in lookups:
            try:
                contact_id = find_contact(conn, str(lookup), console.fetch)
                break
            except UsageError:
                continue
        if contact_id is None:
            return console.json({"error": "no contact matches", "results": []}, 404)
        view = contact_view(conn, contact_id, window=console.config.conversations.window, limit=20)
    base = console.settings.public_url or request.host_url.rstrip("/")
    return console.json(card_summary(view, f"{base}/console/contacts/{contact_id}"))


def _called_uri(console: Console, request: Request) -> str:
    """The URI HubSpot called: the configured public base, else what this server saw."""
    base = (console.settings.public_url or request.host_url).rstrip("/")
    query = request.query_string.decode("latin-1")
    return f"{base}{request.path}" + (f"?{query}" if query else "")
