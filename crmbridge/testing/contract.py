"""The connector contract suite: one base class of shared tests every connector passes.

A connector's test module subclasses :class:`ConnectorContract` with two hooks, ``make``
(build the connector, pointed at a fake host or a temporary folder) and ``arrange`` (put
the source's data in place for a scenario: ``normal``, ``malformed``, ``expired``,
``rate_limited``), and gets the shared checks: valid records, deterministic keys, resuming
from any item's cursor without repeats or gaps, quarantine of a malformed record, an auth
error on an expired token and a retry after the platform's rate-limit reset; and, from
:class:`crmbridge.testing.coverage.CoverageContract`, no persona shared by unrelated
authors, a URL on every public item, the same ``conversation_id`` for a webhook copy and
its polled copy, and text beyond 280 characters kept whole. HTTP is faked at the wire with
``responses``; nothing of ours is patched.

Importable by third-party connectors (it needs ``pytest`` and ``responses``, the ``dev``
extra).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from crmbridge.connector import Connector, Cursor, Item
from crmbridge.errors import AuthError, RateLimited
from crmbridge.models import Interaction
from crmbridge.testing.coverage import CoverageContract

SCENARIOS = ("normal", "malformed", "expired", "rate_limited")


class ConnectorContract(CoverageContract):
    """Shared tests; subclass it as ``Test<Name>Contract`` and fill the hooks.

    The coverage checks come with it (fill ``webhook_copies`` and ``full_texts`` where the
    platform has a webhook or a length-limited short form; they skip otherwise).
    """

    speaks_http: ClassVar[bool] = True
    """False for sources without a remote (files): the auth and 429 checks are skipped."""
    rate_limit_reset: ClassVar[float] = 0.0
    """The reset (seconds from now) the ``rate_limited`` scenario's 429 announces."""

    # hooks ------------------------------------------------------------------------------

    def make(self, tmp_path: Path) -> Connector:
        """Build the connector under test."""
        raise NotImplementedError

    def arrange(self, wire: responses.RequestsMock, tmp_path: Path, scenario: str) -> None:
        """Register fake routes (or write files) for a scenario."""
        raise NotImplementedError

    def rate_limited_response(self, reset_seconds: float) -> requests.Response | None:
        """A 429 the platform would send, announcing a reset ``reset_seconds`` from now."""
        return None

    # fixtures and helpers ----------------------------------------------------------------

    @pytest.fixture
    def wire(self) -> Iterator[responses.RequestsMock]:
        """A wire-level fake of HTTP; no request may reach the network."""
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            yield mock

    def read(
        self, wire: responses.RequestsMock, tmp_path: Path, scenario: str, cursor: Cursor | None
    ) -> list[Item]:
        """Arrange a scenario afresh and read everything after ``cursor``."""
        wire.reset()
        self.arrange(wire, tmp_path, scenario)
        connector = self.make(tmp_path)
        try:
            return list(connector.fetch(cursor))
        finally:
            connector.close()

    # the contract ------------------------------------------------------------------------

    def test_yields_valid_interactions_with_json_cursors(
        self, wire: responses.RequestsMock, tmp_path: Path
    ) -> None:
        """Every item is a valid interaction whose cursor is plain JSON."""
        items = self.read(wire, tmp_path, "normal", None)
        assert items, "the normal scenario must yield records"
        for item in items:
            assert item.error is None, f"{item.location}: {item.error}"
            assert isinstance(item.interaction, Interaction)
            assert Interaction.model_validate_json(item.interaction.to_json()) == item.interaction
            json.dumps(item.cursor)

    def test_keys_are_deterministic(self, wire: responses.RequestsMock, tmp_path: Path) -> None:
        """Reading the same data twice gives the same keys, one per record."""
        first = keys(self.read(wire, tmp_path, "normal", None))
        second = keys(self.read(wire, tmp_path, "normal", None))
        assert first == second
        assert len(set(first)) == len(first), "one interaction key per record"

    def test_resumes_from_any_cursor_without_repeats_or_gaps(
        self, wire: responses.RequestsMock, tmp_path: Path
    ) -> None:
        """Each item's cursor resumes exactly after it."""
        items = self.read(wire, tmp_path, "normal", None)
        for position, item in enumerate(items):
            cursor = json.loads(json.dumps(item.cursor))  # as the state store keeps it
            rest = self.read(wire, tmp_path, "normal", cursor)
            assert keys(rest) == keys(items[position + 1 :]), f"resuming after {item.location}"

    def test_a_malformed_record_is_quarantined_and_its_neighbours_flow(
        self, wire: responses.RequestsMock, tmp_path: Path
    ) -> None:
        """A bad record is one bad item; the good ones still come."""
        normal = keys(self.read(wire, tmp_path, "normal", None))
        items = self.read(wire, tmp_path, "malformed", None)
        bad = [i for i in items if i.error is not None]
        assert len(bad) == 1, [i.error for i in bad]
        assert bad[0].raw and bad[0].interaction is None and bad[0].location
        assert [k for k in keys(items) if not k.startswith("bad:")] == normal

    def test_an_expired_token_is_an_auth_error(
        self, wire: responses.RequestsMock, tmp_path: Path
    ) -> None:
        """A rejected token stops the source with what to renew."""
        if not self.speaks_http:
            pytest.skip("this source has no credentials")
        with pytest.raises(AuthError) as caught:
            self.read(wire, tmp_path, "expired", None)
        assert caught.value.hint and "renew" in caught.value.hint

    def test_a_rate_limit_is_retried_after_the_platform_reset(
        self, wire: responses.RequestsMock, tmp_path: Path
    ) -> None:
        """A rate-limit answer (a 429, or the vendor's code) is waited out; the read completes."""
        if not self.speaks_http:
            pytest.skip("this source has no rate limits")
        normal = keys(self.read(wire, tmp_path, "normal", None))
        items = self.read(wire, tmp_path, "rate_limited", None)
        assert any(getattr(call.response, "status_code", 200) >= 400 for call in wire.calls)
        assert keys(items) == normal

    def test_the_rate_limit_wait_comes_from_the_platform_reset(self, tmp_path: Path) -> None:
        """The wait is the platform's announced reset."""
        response = self.rate_limited_response(90.0)
        if response is None:
            pytest.skip("this source has no rate limits")
        error = self.make(tmp_path).classify(response)  # type: ignore[attr-defined]
        assert isinstance(error, RateLimited)
        assert error.retry_after is not None and 80.0 <= error.retry_after <= 91.0


def keys(items: list[Item]) -> list[str]:
    """The interaction key of each good item, or the location of each bad one."""
    return [i.interaction.key if i.interaction else f"bad:{i.location}" for i in items]


def fake_response(status: int, headers: dict[str, str], body: Any, url: str) -> requests.Response:
    """A ``requests.Response`` as the wire would deliver it, for ``classify`` checks."""
    response = requests.Response()
    response.status_code = status
    response.headers.update(headers)
    response._content = json.dumps(body).encode()
    response.url = url
    return response


def paged(
    pages: dict[str | None, Any], param: str
) -> Callable[[requests.PreparedRequest], tuple[int, dict[str, str], str]]:
    """A ``responses`` callback serving a page per token in ``param`` (``None``: first page)."""

    def serve(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        query = parse_qs(urlsplit(request.url or "").query)
        token = query.get(param, [None])[0]
        if token not in pages:
            return 400, {"Content-Type": "application/json"}, json.dumps({"error": "bad token"})
        return 200, {"Content-Type": "application/json"}, json.dumps(pages[token])

    return serve


def load_json(path: Path) -> Any:
    """Read a JSON fixture."""
    return json.loads(path.read_text(encoding="utf-8"))
