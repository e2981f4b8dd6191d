"""Prometheus metrics of a long-running crmbridge: per source and per CRM, from the summaries.

Counters grow by each run's ``SyncSummary`` (the very object ``sync --json`` prints), so
a scrape after a run adds up to what ``sync --json`` would have said for the same data.
Gauges that describe the state (review queue, oldest unanswered inbound) are read from the
state store at scrape time by a custom collector, so they are right after a restart too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from crmbridge.crm.base import CrmAdapter
from crmbridge.pipeline import SyncSummary
from crmbridge.state.schema import conversations, ledger, review
from crmbridge.state.store import StateStore, as_utc, utcnow

log = logging.getLogger(__name__)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# Summary counter -> metric name (without the ``crmbridge_`` prefix and ``_total``).
COUNTED = {
    "fetched": "fetched",
    "written": "written",
    "created": "created",
    "updated": "updated",
    "unchanged": "unchanged",
    "quarantined": "parked",
    "failed": "failed",
    "review": "review",
    "unmatched": "unmatched",
}
LAG_BUCKETS = (0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400, float("inf"))


class ServiceMetrics:
    """The registry a service exposes at ``/metrics``."""

    def __init__(self, store: StateStore, crm: str) -> None:
        self.registry = CollectorRegistry()
        self.crm = crm
        self.counters = {
            key: Counter(
                f"crmbridge_{name}",
                f"Interactions {name} (as sync --json counts {key}).",
                ["source"],
                registry=self.registry,
            )
            for key, name in COUNTED.items()
        }
        self.runs = Counter(
            "crmbridge_runs",
            "Source runs by outcome.",
            ["source", "status"],
            registry=self.registry,
        )
        self.api_calls = Counter(
            "crmbridge_crm_api_calls",
            "Calls to the CRM (as sync --json counts api_calls).",
            ["crm", "source"],
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "crmbridge_crm_rate_limited",
            "Runs or records stopped by a rate limit (HTTP 429 after the retries).",
            ["crm", "source"],
            registry=self.registry,
        )
        self.budget = Gauge(
            "crmbridge_crm_rate_budget_left",
            "API calls the CRM says are left in its allocation (when it says).",
            ["crm"],
            registry=self.registry,
        )
        self.lag = Histogram(
            "crmbridge_write_lag_seconds",
            "From a message's time on the platform to its write in the CRM.",
            ["source"],
            buckets=LAG_BUCKETS,
            registry=self.registry,
        )
        self.last_success = Gauge(
            "crmbridge_last_success_timestamp_seconds",
            "When the source last finished a run without error.",
            ["source"],
            registry=self.registry,
        )
        self.registry.register(StateCollector(store))

    def observe(
        self,
        source: str,
        summary: SyncSummary,
        adapter: CrmAdapter | None,
        lags: Iterable[float] = (),
        limited_records: int = 0,
    ) -> None:
        """Add one run's summary, the lags of the records it wrote, its rate-limited ones."""
        for key in COUNTED:
            self.counters[key].labels(source).inc(getattr(summary, key))
        self.api_calls.labels(self.crm, source).inc(summary.api_calls)
        limited = summary.status == "rate_limited" or any(
            e.get("kind") == "rate_limited" for e in summary.source_errors.values()
        )
        self.rate_limited.labels(self.crm, source).inc(int(limited) + limited_records)
        self.runs.labels(source, summary.status).inc()
        if summary.status in ("ok", "partial") and source not in summary.skipped:
            self.last_success.labels(source).set(utcnow().timestamp())
        for lag in lags:
            self.lag.labels(source).observe(max(lag, 0.0))
        left = adapter.rate_budget_left() if adapter is not None else None
        if left is not None:
            self.budget.labels(self.crm).set(left)

    def render(self) -> bytes:
        """The Prometheus text format."""
        return generate_latest(self.registry)


def run_rows(store: StateStore, source: str, since: datetime) -> tuple[list[float], int]:
    """For the ledger rows a run of this source touched since then: write lags and 429s.

    A lag is the seconds from a message's time to its write; the second figure counts the
    records the CRM refused as rate limited (their rows wait in the failure ledger).
    """
    c = ledger.c
    query = select(c.status, c.error_kind, c.version_at, c.updated_at).where(
        c.source == source, c.updated_at >= since
    )
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    lags, limited = [], 0
    for status, kind, version_at, updated_at in rows:
        start, end = as_utc(version_at), as_utc(updated_at)
        if status == "written" and start is not None and end is not None:
            lags.append((end - start).total_seconds())
        limited += status == "failed" and kind == "rate_limited"
    return lags, limited


class StateCollector(Collector):
    """Gauges read from the state store at scrape time."""

    def __init__(self, store: StateStore) -> None:
        self.store = store

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Review queue size and the age of the oldest unanswered inbound message."""
        queue = GaugeMetricFamily(
            "crmbridge_review_queue_size", "Identity decisions waiting for a person."
        )
        oldest = GaugeMetricFamily(
            "crmbridge_oldest_unanswered_inbound_seconds",
            "Age of the oldest inbound message in an open conversation with no reply after it.",
        )
        try:
            size, waiting_since = self._read()
        except SQLAlchemyError as exc:  # a scrape must answer even when the store does not
            log.warning("metrics: the state store did not answer: %s", type(exc).__name__)
            return
        queue.add_metric([], size)
        oldest.add_metric([], (utcnow() - waiting_since).total_seconds() if waiting_since else 0)
        yield queue
        yield oldest

    def describe(self) -> Iterator[Any]:
        """Nothing up front: the collector answers at scrape time only."""
        return iter(())

    def _read(self) -> tuple[int, datetime | None]:
        c = conversations.c
        unanswered = (c.last_outbound_at.is_(None)) | (c.last_outbound_at < c.last_inbound_at)
        with self.store.engine.connect() as conn:
            size = conn.scalar(
                select(func.count()).select_from(review).where(review.c.status == "open")
            )
            since = conn.scalar(
                select(func.min(c.last_inbound_at)).where(
                    c.status == "open", c.last_inbound_at.is_not(None), unanswered
                )
            )
        return int(size or 0), as_utc(since)
