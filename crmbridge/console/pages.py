"""The console's HTML pages: sign-in, review queue, contact, search, report, failures.

Each page calls the same library function as its CLI command and its ``/api/`` twin
(``crmbridge.views``, ``crmbridge.ops.report``, ``crmbridge.failures``); decisions go
through ``crmbridge.views.decide.decide`` with the signed-in user as the actor.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from importlib.resources import files
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from crmbridge.console.app import route
from crmbridge.console.auth import COOKIE, Session
from crmbridge.views.contact import MAX_MESSAGES, contact_view
from crmbridge.views.decide import decide
from crmbridge.views.review_queue import review_queue
from crmbridge.views.search import search_contacts

if TYPE_CHECKING:
    from crmbridge.console.app import Console

PRE = "crmbridge_signin"
PERIODS = {"all": None, "7d": 7, "30d": 30, "90d": 90}


@route("/console/static/console.css", gate="public")
def styles(console: Console, request: Request, session: Session | None) -> Response:
    """The one stylesheet (shipped with the package; nothing is fetched from outside)."""
    css = files("crmbridge.console").joinpath("static/console.css").read_text(encoding="utf-8")
    return Response(css, mimetype="text/css")


@route("/console/", gate="public")
@route("/console", gate="public")
def home(console: Console, request: Request, session: Session | None) -> Response:
    """The review queue for those who decide, search for the others."""
    if session is None:
        return redirect("/console/signin", 303)
    return redirect("/console/review" if session.may("decide") else "/console/search", 303)


@route("/console/signin", methods=("GET", "POST"), gate="public")
def signin(console: Console, request: Request, session: Session | None) -> Response:
    """Sign in with a name and password (or the shared token, name left empty)."""
    target = _safe_next(request.values.get("next"))
    if request.method == "GET":
        pre = secrets.token_urlsafe(24)
        page = console.page(
            "signin.html", None, pre=pre, next=target, token=bool(console.settings.token)
        )
        _set_cookie(console, page, PRE, pre, 600)
        return page
    sent, pre = request.form.get("csrf", ""), request.cookies.get(PRE, "")
    if not pre or not secrets.compare_digest(sent.encode(), pre.encode()):
        return console.error(request, 403, "the sign-in form's CSRF token is wrong", False)
    name, password = request.form.get("name", "").strip(), request.form.get("password", "")
    keys = (f"addr:{request.remote_addr}", f"name:{name.lower()}")
    if console.limit.blocked(*keys):
        return console.error(request, 429, "too many failed sign-ins; wait a few minutes", False)
    new = console.auth.sign_in(name, password)
    if new is None:
        console.limit.failed(*keys)
        pre = secrets.token_urlsafe(24)
        page = console.page(
            "signin.html",
            None,
            401,
            pre=pre,
            next=target,
            failed=True,
            token=bool(console.settings.token),
        )
        _set_cookie(console, page, PRE, pre, 600)
        return page
    _audit(console, new.user, "sign-in", f"user:{new.user}", {"role": new.role})
    done = redirect(target, 303)
    _set_cookie(
        console, done, COOKIE, console.auth.cookie(new), console.settings.session_minutes * 60
    )
    done.delete_cookie(PRE, path="/")
    return done


@route("/console/signout", methods=("POST",))
def signout(console: Console, request: Request, session: Session) -> Response:
    """End the session (the cookie is cleared)."""
    done = redirect("/console/signin", 303)
    done.delete_cookie(COOKIE, path="/")
    return done


@route("/console/review")
def review_page(console: Console, request: Request, session: Session) -> Response:
    """The review queue, most messages waiting first, a page at a time."""
    page = request.args.get("page", 1, type=int) or 1
    with console.store.engine.connect() as conn:
        view = review_queue(
            conn,
            page=page,
            per_page=25,
            region=console.config.identity.default_region,
            fetch=console.fetch,
        )
    return console.page("review.html", session, view=view, done=request.args.get("done"))


@route("/console/review/<int:review_id>/<any(approve, reject):action>", methods=("POST",))
def review_decide(
    console: Console, request: Request, session: Session, review_id: int, action: str
) -> Response:
    """Approve (to the chosen candidate) or reject one item, as the signed-in user."""
    refused = console.forbid(request, session, "decide")
    if refused:
        return refused
    extra = {"contact_id": request.form.get("contact_id") or None} if action == "approve" else {}
    done = decide(console.config, console.store, action, session.user, review_id=review_id, **extra)
    note = f"{'approved' if action == 'approve' else 'rejected'} #{review_id}" + (
        f" to {done['to']}" if done.get("to") else ""
    )
    return redirect("/console/review?" + urlencode({"done": note}), 303)


@route("/console/link", methods=("POST",))
def link_page(console: Console, request: Request, session: Session) -> Response:
    """Link a persona to a contact by hand, then show the contact."""
    refused = console.forbid(request, session, "decide")
    if refused:
        return refused
    persona, contact_id = request.form.get("persona", ""), request.form.get("contact_id", "")
    decide(
        console.config, console.store, "link", session.user, persona=persona, contact_id=contact_id
    )
    return redirect(f"/console/contacts/{contact_id}", 303)


@route("/console/unlink", methods=("POST",))
def unlink_page(console: Console, request: Request, session: Session) -> Response:
    """Undo a wrong link; back to the contact it was on."""
    refused = console.forbid(request, session, "decide")
    if refused:
        return refused
    persona = request.form.get("persona", "")
    done = decide(console.config, console.store, "unlink", session.user, persona=persona)
    return redirect(f"/console/contacts/{done['from']}", 303)


@route("/console/contacts/<contact_id>")
def contact_page(console: Console, request: Request, session: Session, contact_id: str) -> Response:
    """A contact's profile and conversations across channels, newest first."""
    limit = min(request.args.get("limit", 200, type=int) or 200, MAX_MESSAGES)
    with console.store.engine.connect() as conn:
        view = contact_view(
            conn,
            contact_id,
            window=console.config.conversations.window,
            limit=limit,
            fetch=console.fetch,
        )
    if not view["contact"]["known"] and not view["messages_total"]:
        return console.error(request, 404, f"no contact {contact_id}", False)
    return console.page("contact.html", session, view=view)


@route("/console/search")
def search_page(console: Console, request: Request, session: Session) -> Response:
    """Search contacts; with ``persona``, each result offers "link here"."""
    q = request.args.get("q", "").strip()
    with console.store.engine.connect() as conn:
        hits = search_contacts(conn, q) if q else []
    persona = request.args.get("persona") or None
    return console.page("search.html", session, q=q, hits=hits, persona=persona)


@route("/console/report")
def report_page(console: Console, request: Request, session: Session) -> Response:
    """The KPI report for a period (7, 30, 90 days, or everything)."""
    from crmbridge.console.reporting import period_report

    period = request.args.get("period", "all")
    period = period if period in PERIODS else "all"
    days = PERIODS[period]
    data = period_report(console.config, console.store, timedelta(days=days) if days else None)
    return console.page("report.html", session, data=data, period=period, periods=list(PERIODS))


@route("/console/failures")
def failures_page(console: Console, request: Request, session: Session) -> Response:
    """Parked records and failed rows, with retry and drop (admins)."""
    from crmbridge.failures import list_failures

    refused = console.forbid(request, session, "failures")
    if refused:
        return refused
    rows = list_failures(console.config, console.store, limit=200)
    return console.page("failures.html", session, rows=rows, done=request.args.get("done"))


@route("/console/failures/<any(retry, drop):action>", methods=("POST",))
def failures_act(console: Console, request: Request, session: Session, action: str) -> Response:
    """Retry or drop one parked record or failed row, as the signed-in admin."""
    from crmbridge import failures

    refused = console.forbid(request, session, "failures")
    if refused:
        return refused
    ref = request.form.get("ref", "")
    if action == "drop":
        result: dict[str, Any] = failures.drop(console.store, [ref], session.user)
    else:
        result = failures.retry(console.config, [ref], session.user)
    note = f"{action} {ref}: " + ", ".join(
        f"{k} {len(v) if isinstance(v, list) else v}" for k, v in result.items()
    )
    return redirect("/console/failures?" + urlencode({"done": note}), 303)


def _safe_next(value: str | None) -> str:
    """Only a path of this console after sign-in (never another site)."""
    if value and value.startswith("/console/") and not value.startswith("//"):
        return value
    return "/console/"


def _set_cookie(console: Console, response: Response, name: str, value: str, age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=age,
        path="/",
        httponly=True,
        samesite="Strict",
        secure=console.settings.secure_cookies,
    )


def _audit(console: Console, actor: str, action: str, target: str, detail: dict[str, Any]) -> None:
    from crmbridge.identity.review import record

    with console.store.engine.begin() as conn:
        record(conn, actor, action, target, detail)
