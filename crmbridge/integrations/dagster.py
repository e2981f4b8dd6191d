"""Dagster: one asset per source of ``crmbridge.yaml``, run by Dagster beyond one machine.

Each asset syncs its source through the same ``Pipeline(...).run(source)`` as
``crmbridge sync --source NAME``, under the same lease: two materializations of one source
(two runs, two machines) never read it at once; the second fails as retriable and
Dagster's retry policy tries it again. Retries, schedules and alerting are Dagster's;
crmbridge supplies the assets and their metadata (the ``sync --json`` counters).

In a Dagster code location::

    from crmbridge.integrations.dagster import definitions
    defs = definitions("crmbridge.yaml")

Needs the ``dagster`` extra (``pip install 'crmbridge[dagster]'``).
"""

# No ``from __future__ import annotations``: Dagster reads the context annotation at runtime.
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dagster as dg

from crmbridge.config import load_config
from crmbridge.errors import CrmbridgeError
from crmbridge.pipeline import Pipeline, SyncSummary

if TYPE_CHECKING:
    from dagster._core.definitions.unresolved_asset_job_definition import (
        UnresolvedAssetJobDefinition,
    )

GROUP = "crmbridge"
# Kinds a later attempt may fix; auth and config need a person.
RETRIABLE = {"transient", "rate_limited", "quota_exhausted", "busy", "data"}
METADATA = ("fetched", "written", "created", "updated", "unchanged", "failed", "quarantined")


def asset_name(source: str) -> str:
    """A Dagster asset name for a source (Dagster allows letters, digits and ``_``)."""
    return "crmbridge_" + re.sub(r"[^A-Za-z0-9_]", "_", source)


def sync_source(config_path: str | Path, source: str) -> SyncSummary:
    """Sync one source as ``crmbridge sync --source`` does; raise ``dg.Failure`` if it stopped.

    The config is read at each run, so secrets come from the run's environment.
    """
    config = load_config(config_path)
    pipeline = Pipeline(config)
    try:
        summary = pipeline.run(source)
    except CrmbridgeError as exc:
        raise _failure(source, exc.kind, config.redact(str(exc)), pipeline.summary) from None
    finally:
        pipeline.store.close()
    if source in summary.skipped:
        message = f"source {source} is leased by another worker"
        raise _failure(source, "busy", message, summary)
    if summary.source_errors:
        error = summary.source_errors[source]
        raise _failure(source, error["kind"], error["message"], summary)
    return summary


def _failure(source: str, kind: str, message: str, summary: SyncSummary) -> dg.Failure:
    return dg.Failure(
        description=f"crmbridge source {source} stopped ({kind}): {message}",
        metadata={"kind": kind, **_metadata(summary)},
        allow_retries=kind in RETRIABLE,
    )


def _metadata(summary: SyncSummary) -> dict[str, Any]:
    data = {key: getattr(summary, key) for key in METADATA}
    data["api_calls"] = summary.api_calls
    return data


def source_assets(
    config_path: str | Path, retry_policy: dg.RetryPolicy | None = None
) -> list[dg.AssetsDefinition]:
    """One asset per source in the config, in config order (retried by ``retry_policy``)."""
    path = Path(config_path).resolve()
    config = load_config(path)
    return [_asset(path, spec.name, spec.connector, retry_policy) for spec in config.sources]


def _asset(
    path: Path, source: str, connector: str, retry_policy: dg.RetryPolicy | None
) -> dg.AssetsDefinition:
    @dg.asset(
        name=asset_name(source),
        group_name=GROUP,
        retry_policy=retry_policy,
        description=f"Source {source} ({connector}) synced to the CRM by crmbridge.",
        tags={"crmbridge/source": re.sub(r"[^A-Za-z0-9_.-]", "_", source)},
    )
    def sync(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        summary = sync_source(path, source)
        context.log.info(f"crmbridge source {source}: {_metadata(summary)}")
        return dg.MaterializeResult(metadata=_metadata(summary))

    return sync


def source_jobs(assets: list[dg.AssetsDefinition]) -> "list[UnresolvedAssetJobDefinition]":
    """One job per source asset, named ``<asset>_job``, to schedule or start by hand."""
    return [
        dg.define_asset_job(f"{a.key.to_python_identifier()}_job", selection=[a]) for a in assets
    ]


def definitions(
    config_path: str | Path,
    *,
    retry_policy: dg.RetryPolicy | None = None,
    cron_schedule: str | None = None,
) -> dg.Definitions:
    """The assets, one job per source and, with ``cron_schedule``, one schedule per job."""
    assets = source_assets(config_path, retry_policy)
    jobs = source_jobs(assets)
    schedules = (
        [dg.ScheduleDefinition(job=job, cron_schedule=cron_schedule) for job in jobs]
        if cron_schedule
        else []
    )
    return dg.Definitions(assets=assets, jobs=jobs, schedules=schedules)
