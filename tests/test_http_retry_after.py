"""The retry policy waits what Retry-After asks, measured with a fake clock, not real time."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests
import responses

from crmbridge.errors import RateLimited, TransientError
from crmbridge.http import make_session, request, retry_after_seconds, with_retries

URL = "https://api.example.test/2/things"


class FakeClock:
    """Records each wait the policy asks for, and moves its own time by it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def test_a_429_is_retried_after_exactly_the_seconds_retry_after_names():
    clock = FakeClock()
    with responses.RequestsMock(assert_all_requests_are_fired=True) as wire:
        wire.get(URL, status=429, headers={"Retry-After": "7"})
        wire.get(URL, status=429, headers={"Retry-After": "12"})
        wire.get(URL, json={"ok": True})
        answer = request(make_session(), "GET", URL, attempts=5, sleep=clock.sleep)
    assert answer.json() == {"ok": True}
    assert clock.waits == [7.0, 12.0] and clock.now == 19.0


def test_without_retry_after_the_waits_are_short_jittered_backoff():
    clock = FakeClock()
    with responses.RequestsMock() as wire:
        for _ in range(3):
            wire.get(URL, status=503)
        wire.get(URL, json={})
        request(make_session(), "GET", URL, attempts=5, sleep=clock.sleep)
    assert len(clock.waits) == 3
    assert all(0 <= w <= 0.5 * 2 ** (n + 1) for n, w in enumerate(clock.waits))


def test_a_retry_after_past_the_cap_waits_the_cap(monkeypatch):
    monkeypatch.setenv("CRMBRIDGE_RETRY_MAX_WAIT", "60")
    clock = FakeClock()
    with responses.RequestsMock() as wire:
        wire.get(URL, status=429, headers={"Retry-After": "3600"})
        wire.get(URL, json={})
        request(make_session(), "GET", URL, attempts=2, sleep=clock.sleep)
    assert clock.waits == [60.0]


def test_the_last_429_is_raised_with_its_retry_after_when_attempts_run_out():
    clock = FakeClock()
    with responses.RequestsMock() as wire:
        wire.get(URL, status=429, headers={"Retry-After": "5"})
        with pytest.raises(RateLimited) as err:
            request(make_session(), "GET", URL, attempts=3, sleep=clock.sleep)
    assert err.value.retry_after == 5.0 and clock.waits == [5.0, 5.0]


def test_an_adapter_call_wrapped_by_the_policy_waits_the_same_way():
    clock = FakeClock()
    answers = [RateLimited("busy", retry_after=2.5), TransientError("blip"), "done"]

    @with_retries(attempts=4, sleep=clock.sleep)
    def call() -> str:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert call() == "done"
    assert clock.waits[0] == 2.5 and len(clock.waits) == 2


def test_an_http_date_retry_after_is_the_seconds_until_then():
    now = datetime(2024, 1, 15, 10, 30, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert retry_after_seconds(header, now=now.timestamp()) == 90.0
    assert retry_after_seconds(format_datetime(now, usegmt=True), now=now.timestamp() + 5) == 0.0
    assert retry_after_seconds("soon") is None


def test_a_connection_error_is_retried_then_raised_as_transient():
    clock = FakeClock()
    with responses.RequestsMock() as wire:
        wire.get(URL, body=requests.ConnectionError("reset"))
        with pytest.raises(TransientError, match="ConnectionError"):
            request(make_session(), "GET", URL, attempts=2, sleep=clock.sleep)
    assert len(clock.waits) == 1
