"""The service's HTTP face: ``/healthz``, ``/readyz`` and ``/metrics`` around any inner app.

``crmbridge serve`` puts the webhook app inside (it keeps its own ``/healthz`` and
``/webhooks/*``); ``crmbridge run`` has no inner app and answers the three alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.wrappers import Request, Response

from crmbridge.service.health import Readiness
from crmbridge.service.metrics import CONTENT_TYPE, ServiceMetrics

WSGIApp = Callable[[dict[str, Any], Any], Iterable[bytes]]


class ServiceApp:
    """Answers the probes and the scrape; hands every other path to the inner app."""

    def __init__(
        self, readiness: Readiness, metrics: ServiceMetrics, inner: WSGIApp | None = None
    ) -> None:
        self.readiness = readiness
        self.metrics = metrics
        self.inner = inner

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        """Route one request."""
        path = environ.get("PATH_INFO", "")
        if path == "/readyz":
            response = self.readyz()
        elif path == "/metrics":
            response = Response(self.metrics.render(), 200, content_type=CONTENT_TYPE)
        elif self.inner is not None:
            return self.inner(environ, start_response)
        elif path == "/healthz":
            response = _json({"status": "ok"}, 200)
        else:
            response = _json({"error": "Not Found"}, 404)
        if Request(environ).method not in ("GET", "HEAD"):
            response = _json({"error": "Method Not Allowed"}, 405)
        return response(environ, start_response)  # type: ignore[no-any-return]

    def readyz(self) -> Response:
        """200 when the state store and the CRM answer and no source is stuck, else 503."""
        ready, checks = self.readiness.report()
        return _json({"ready": ready, "checks": checks}, 200 if ready else 503)


def _json(body: dict[str, Any], status: int) -> Response:
    return Response(json.dumps(body), status, mimetype="application/json")
