"""The console's WSGI app: routing, sign-in gate, CSRF gate and safe headers.

Routes are declared with ``route`` in ``pages.py`` (HTML under ``/console/``) and
``api.py`` (JSON under ``/api/``), each with its gate: ``public`` (sign-in page, styles),
``page`` (signed-in users; signed out, a GET goes to sign-in, anything else is refused),
``api`` (a session cookie or the shared token as ``Authorization: Bearer``) or ``card``
(the CRM card endpoints check their own signature). A POST with a session must carry the
session's CSRF token. Every answer is ``Cache-Control: private, no-store``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from crmbridge.config import AppConfig, ConsoleConfig
from crmbridge.console.auth import COOKIE, Authenticator, Session, SignInLimit, csrf_ok
from crmbridge.errors import ConfigError, CrmbridgeError
from crmbridge.state.store import StateStore
from crmbridge.views.decide import crm_fetch

log = logging.getLogger(__name__)

Handler = Callable[..., Response]
SECURITY_HEADERS = {
    "Cache-Control": "private, no-store",
    "Pragma": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}


@dataclass(frozen=True)
class Route:
    """One declared route: URL rule, methods, gate and handler."""

    rule: str
    methods: tuple[str, ...]
    gate: str
    handler: Handler


ROUTES: dict[str, Route] = {}


def route(rule: str, *, methods: Iterable[str] = ("GET",), gate: str = "page") -> Any:
    """Declare a handler ``f(console, request, session, **url_args) -> Response``."""

    def register(func: Handler) -> Handler:
        ROUTES[f"{func.__name__}@{rule}"] = Route(rule, tuple(methods), gate, func)
        return func

    return register


class Console:
    """The console app over one state store."""

    def __init__(self, config: AppConfig, store: StateStore | None = None) -> None:
        from crmbridge.console import api, pages  # noqa: F401  (they declare the routes)

        if config.console is None:
            raise ConfigError(f"{config.file.name}: console: the console is not configured")
        self.config = config
        self.settings: ConsoleConfig = config.console
        self.auth = Authenticator(self.settings)
        self.limit = SignInLimit(self.settings.signin_attempts, self.settings.signin_window_s)
        self.store = store or StateStore(config.state_url)
        self.fetch = crm_fetch(config)
        self.env = Environment(
            loader=PackageLoader("crmbridge.console", "templates"),
            autoescape=select_autoescape(default=True),
        )
        self.urls = Map(
            [Rule(r.rule, endpoint=name, methods=list(r.methods)) for name, r in ROUTES.items()]
        )

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        """Answer one request."""
        request = Request(environ)
        response = self.dispatch(request)
        response.headers.update(SECURITY_HEADERS)
        return response(environ, start_response)  # type: ignore[no-any-return]

    def dispatch(self, request: Request) -> Response:
        """Route, gate and run the handler; errors become pages or JSON."""
        api = request.path.startswith("/api/")
        try:
            name, args = self.urls.bind_to_environ(request.environ).match()
            spec = ROUTES[name]
            session = self.auth.session(request.cookies.get(COOKIE))
            refused = self._gate(spec, request, session, api)
            if refused is not None:
                return refused
            if spec.gate == "api" and session is None:
                session = self._bearer(request)
            return spec.handler(self, request, session, **args)
        except HTTPException as exc:
            return self.error(request, exc.code or 400, exc.description or exc.name, api)
        except CrmbridgeError as exc:
            code = 400 if exc.kind in ("usage", "data") else 503
            return self.error(request, code, self.config.redact(str(exc)), api)

    def _gate(
        self, spec: Route, request: Request, session: Session | None, api: bool
    ) -> Response | None:
        if spec.gate in ("public", "card"):
            return None
        if spec.gate == "api" and session is None:
            if self._bearer(request) is None:
                return self.error(request, 401, "sign in first (or send the API token)", True)
            return None  # a bearer token is no ambient credential: no CSRF to check
        if session is None:
            if request.method == "GET" and not api:
                return redirect(f"/console/signin?next={request.path}", 303)
            return self.error(request, 401, "sign in first", api)
        if request.method != "GET":
            sent = request.headers.get("X-CSRF-Token") if api else request.form.get("csrf")
            if not csrf_ok(session, sent):
                return self.error(request, 403, "the form's CSRF token is missing or wrong", api)
        return None

    def _bearer(self, request: Request) -> Session | None:
        token = self.settings.token
        header = request.headers.get("Authorization", "")
        if token is None or not header.startswith("Bearer "):
            return None
        from crmbridge.console.signatures import token_ok

        if token_ok(token.get_secret_value(), header[7:].strip()):
            return Session("token", self.settings.token_role, "")
        return None

    # --- answers ---------------------------------------------------------------------

    def page(self, name: str, session: Session | None, code: int = 200, **data: Any) -> Response:
        """Render a template as an HTML page."""
        html = self.env.get_template(name).render(session=session, **data)
        return Response(html, code, mimetype="text/html")

    def json(self, data: Any, status: int = 200) -> Response:
        """A JSON answer."""
        return Response(json.dumps(data, default=str), status, mimetype="application/json")

    def error(self, request: Request, status: int, message: str, api: bool) -> Response:
        """An error as JSON (API) or as a small page."""
        if api:
            return self.json({"error": message}, status)
        return self.page("error.html", None, status, status=status, message=message)

    def forbid(self, request: Request, session: Session, what: str) -> Response | None:
        """A 403 when the session's role may not do ``what``."""
        if session.may(what):
            return None
        api = request.path.startswith("/api/")
        return self.error(request, 403, f"the {session.role} role may not do this", api)


def mount(config: AppConfig, webhooks: Any | None) -> Any:
    """``/console`` and ``/api`` to the console, everything else to the webhook app."""
    console = Console(config)

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/console" or path.startswith(("/console/", "/api/")) or webhooks is None:
            return console(environ, start_response)
        return webhooks(environ, start_response)  # type: ignore[no-any-return]

    return app
