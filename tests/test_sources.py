"""The shared REST pieces: timestamps, watermarks, paginators, reset headers, classification."""

import pytest
import requests
import responses
from crmbridge.connectors.reddit import RedditConnector

from crmbridge.errors import AuthError, ConfigError, TransientError
from crmbridge.sources import (
    GraphPaginator,
    Pending,
    TokenPaginator,
    Watermark,
    oldest_first,
    reset_in,
    utc,
)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2024-01-15T10:30:00.000Z", "2024-01-15T10:30:00Z"),
        ("2024-01-15T10:30:00+0000", "2024-01-15T10:30:00Z"),
        ("2024-01-15T11:30:00+01:00", "2024-01-15T10:30:00Z"),
        (1705314600.0, "2024-01-15T10:30:00Z"),
    ],
)
def test_vendor_timestamps_normalise_to_utc(given, expected):
    assert utc(given) == expected


def test_a_timestamp_without_a_zone_is_refused():
    with pytest.raises(ValueError):
        utc("2024-01-15T10:30:00")


def test_a_watermark_admits_newer_items_and_unseen_ids_at_the_same_instant():
    mark = Watermark().after("2024-01-15T10:30:00Z", "a")
    assert not mark.admits("2024-01-15T10:30:00Z", "a")
    assert mark.admits("2024-01-15T10:30:00Z", "b")
    assert not mark.admits("2024-01-15T10:29:59Z", "c")
    same = mark.after("2024-01-15T10:30:00Z", "b")
    assert same.ids == ("a", "b")
    assert Watermark.load(same.dump()) == same
    assert mark.after("2024-01-15T10:31:00Z", "d").ids == ("d",)


def test_oldest_first_orders_by_time_then_id_and_drops_repeats():
    def p(at, i):
        return Pending(at, i, {}, dict, i)

    records = [p("2", "b"), p("1", "z"), p("2", "a"), p("2", "b")]
    assert [r.id for r in oldest_first(records)] == ["z", "a", "b"]


def test_the_token_paginator_follows_the_token_until_there_is_none():
    paginator = TokenPaginator(("meta", "next_token"), "pagination_token")
    paginator.advance({"meta": {"next_token": "abc"}})
    assert not paginator.finished and paginator.params == {"pagination_token": "abc"}
    paginator.advance({"meta": {"result_count": 0}})
    assert paginator.finished and paginator.params == {}


def test_the_graph_paginator_stops_when_paging_next_is_gone():
    paginator = GraphPaginator()
    paginator.advance({"paging": {"cursors": {"after": "QVF"}, "next": "https://g/x?after=QVF"}})
    assert paginator.params == {"after": "QVF"} and not paginator.finished
    paginator.advance({"paging": {"cursors": {"before": "A", "after": "B"}}})
    assert paginator.finished


def test_reset_headers_become_seconds_to_wait():
    assert reset_in("1705314690", epoch=True, now=1705314600.0) == 90.0
    assert reset_in("1705314500", epoch=True, now=1705314600.0) == 0.0
    assert reset_in("42", epoch=False) == 42.0
    assert reset_in(None, epoch=False) is None and reset_in("soon", epoch=False) is None


def make_reddit() -> RedditConnector:
    config = RedditConnector.Config.model_validate(
        {
            "api_base": "https://reddit.test",
            "access_token": "t",
            "attempts": 3,
            "user_agent": "linux:crmbridge-tests:0.1 (by /u/x)",
            "inbox": True,
        }
    )
    return RedditConnector(config, "r")


def test_a_503_is_retried_and_then_the_page_is_read():
    with responses.RequestsMock() as wire:
        url = "https://reddit.test/message/mentions"
        wire.add(responses.GET, url, status=503)
        wire.add(responses.GET, url, json={"kind": "Listing", "data": {"children": []}})
        for box in ("comments", "selfreply", "messages"):  # the other inbox streams
            wire.add(
                responses.GET,
                f"https://reddit.test/message/{box}",
                json={"kind": "Listing", "data": {"children": []}},
            )
        assert list(make_reddit().fetch(None)) == []
        assert [c.response.status_code for c in wire.calls] == [503, 200, 200, 200, 200]


def test_persistent_5xx_is_transient_after_the_attempts():
    with responses.RequestsMock() as wire:
        wire.add(responses.GET, "https://reddit.test/message/mentions", status=502)
        with pytest.raises(TransientError):
            list(make_reddit().fetch(None))
        assert len(wire.calls) == 3


def test_a_connection_failure_is_transient():
    with responses.RequestsMock() as wire:
        wire.add(
            responses.GET,
            "https://reddit.test/message/mentions",
            body=requests.ConnectionError("reset"),
        )
        with pytest.raises(TransientError):
            list(make_reddit().fetch(None))


def test_403_is_an_auth_error_and_404_a_config_error():
    with responses.RequestsMock() as wire:
        wire.add(responses.GET, "https://reddit.test/message/mentions", status=403, json={})
        with pytest.raises(AuthError):
            list(make_reddit().fetch(None))
    with responses.RequestsMock() as wire:
        wire.add(responses.GET, "https://reddit.test/message/mentions", status=404, json={})
        with pytest.raises(ConfigError):
            list(make_reddit().fetch(None))
