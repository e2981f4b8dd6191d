"""Shared pieces of the reliability suites: fast retries, the fakes, a rerun loop."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from crmbridge.errors import CrmbridgeError
from crmbridge.pipeline import SyncSummary

RETRIABLE = ("transient", "rate_limited")


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cap every wait between retries (the policy's own env setting), so faults cost ms."""
    monkeypatch.setenv("CRMBRIDGE_RETRY_MAX_WAIT", "0.01")


def converge(run: Callable[[], SyncSummary], most: int) -> tuple[SyncSummary, list[str]]:
    """Rerun a sync until it ends without a retriable stop; the stops seen on the way."""
    stops: list[str] = []
    for _ in range(most):
        try:
            summary = run()
        except CrmbridgeError as exc:
            assert exc.kind in RETRIABLE, f"a run stopped with {exc.kind}: {exc}"
            stops.append(exc.kind)
            continue
        if summary.status in RETRIABLE:
            stops.append(summary.status)
            continue
        return summary, stops
    raise AssertionError(f"no clean run within {most} runs; stops: {stops}")
