"""Library functions behind the admin commands: check, history, report, plugins."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from crmbridge import registry
from crmbridge.config import AppConfig
from crmbridge.crm.base import Capability, CrmAdapter
from crmbridge.errors import CrmbridgeError
from crmbridge.kpis import conversation_kpis, sla_attainment
from crmbridge.rules.mapping import Mapper, load_preset
from crmbridge.state.store import StateStore


def open_adapter(config: AppConfig, *, dry_run: bool = False) -> CrmAdapter:
    """The configured CRM adapter, not yet opened."""
    cls = registry.crm_adapter(config.crm.kind, config.file)
    return cls(config.options_for(cls.Config, config.crm.options, "crm"), dry_run=dry_run)


def check(config: AppConfig) -> list[dict[str, Any]]:
    """Run every check that needs no write; one row per check, failures included."""
    results: list[dict[str, Any]] = [
        {"check": "config", "ok": True, "detail": f"{config.file.name} is valid"}
    ]

    def attempt(name: str, func: Any) -> None:
        try:
            results.append({"check": name, "ok": True, "detail": func()})
        except CrmbridgeError as exc:
            results.append({"check": name, "ok": False, "detail": str(exc), "kind": exc.kind})
        except OSError as exc:  # a file it will read is unreadable: say which, and why
            results.append({"check": name, "ok": False, "detail": describe_os_error(exc)})

    adapter_cls = registry.crm_adapter(config.crm.kind, config.file)
    preset_name = config.mapping or adapter_cls.default_mapping
    mappers: list[Mapper] = []

    def mapping() -> str:
        from crmbridge.rules.sample import render_samples

        mapper = load_preset(preset_name, config.base_dir)
        renders = render_samples(mapper)
        mappers.append(mapper)
        return (
            f"preset {mapper.preset.name!r} renders ({len(mapper.preset.fields)} fields, "
            f"{renders} full samples)"
        )

    def crm() -> str:
        with open_adapter(config, dry_run=True) as adapter:
            # The preset as the mapping check loaded it (a broken one fails here too).
            mapper = mappers[0] if mappers else load_preset(preset_name, config.base_dir)
            problems = adapter.check(mapper)
            if problems:
                raise CrmbridgeError("; ".join(problems))
            counts = adapter.summary()
        return f"{config.crm.kind} reachable" + (f" ({_fmt(counts)})" if counts else "")

    def state() -> str:
        store = StateStore(config.state_url, read_only=True)
        try:
            store.report()
        finally:
            store.close()
        return "state store readable"

    def rules() -> str:
        from crmbridge.rules.cases import check_adapter
        from crmbridge.rules.engine import load_rules

        found = load_rules(config)
        if found is None:
            return "no rules"
        check_adapter(found, adapter_cls)
        return f"{len(found.rules)} rule(s) valid ({found.origin})"

    attempt("mapping", mapping)
    attempt("rules", rules)
    attempt("crm", crm)
    attempt("state", state)
    for spec in config.sources:
        cls = registry.connector(spec.connector, config.file)
        connector = cls(
            config.options_for(cls.Config, spec.options, f"source {spec.name}"), spec.name
        )
        attempt(f"source {spec.name}", connector.check)
    return results


def describe_os_error(exc: OSError) -> str:
    """One line for a file the user pointed at that cannot be read or written."""
    what = exc.strerror or type(exc).__name__
    where = exc.filename or "a file"
    fix = {
        PermissionError: "give the user running crmbridge read access (chmod / chown)",
        FileNotFoundError: "fix the path in the config (relative paths start at its folder)",
        IsADirectoryError: "point the setting at a file, not a folder",
    }.get(type(exc), "check the path and its permissions")
    return f"{where}: {what.lower()} ({fix})"


def history(config: AppConfig, contact_id: str, limit: int = 50) -> list[dict[str, Any]]:
    """A contact's activities as the CRM holds them, newest first."""
    return contact_history(config, contact_id, limit)[0]


def contact_history(
    config: AppConfig, contact_id: str, limit: int = 50
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A contact's activities and, where the adapter lists them (local), its cases.

    Both come from one CRM session (one login on a remote CRM).
    """
    with open_adapter(config, dry_run=True) as adapter:
        cases = adapter.cases(contact_id, limit) if adapter.can(Capability.CASE_LIST) else []
        return adapter.history(contact_id, limit), cases


def profile(config: AppConfig, contact_id: str) -> dict[str, Any]:
    """A contact's roll-up from the state store: channels, handles, mood, open thread."""
    from crmbridge.conversations.profile import contact_profile

    store = StateStore(config.state_url, read_only=True)
    try:
        with store.engine.connect() as conn:
            return contact_profile(conn, contact_id, config.conversations.window)
    finally:
        store.close()


def report(config: AppConfig) -> dict[str, Any]:
    """State-store totals, conversation KPIs, plus the CRM's own cheap counts."""
    store = StateStore(config.state_url, read_only=True)
    try:
        data = store.report()
        with store.engine.connect() as conn:
            data["conversations"] = conversation_kpis(conn, config.conversations.window)
            data["cases"] = case_counts(conn)
            data["sla"] = sla_attainment(conn)
        data["top_unmatched_personas"] = [
            {
                "persona": p["key"],
                "handle": p["handle"],
                "name": p["name"],
                "interactions": p["interactions"],
            }
            for p in store.unmatched(limit=10)
        ]
    finally:
        store.close()
    with open_adapter(config, dry_run=True) as adapter:
        data["crm"] = adapter.summary()
    return data


def case_counts(conn: Connection) -> dict[str, int]:
    """The rules' cases by state; ``given_up``: refused so often that no run retries them."""
    from crmbridge.rules.cases import MAX_ATTEMPTS
    from crmbridge.state.schema import rule_cases

    rows = conn.execute(
        select(rule_cases.c.status, rule_cases.c.attempts >= MAX_ATTEMPTS, func.count())
        .where(rule_cases.c.status != "none")
        .group_by(rule_cases.c.status, rule_cases.c.attempts >= MAX_ATTEMPTS)
    )
    counts = {"written": 0, "pending": 0, "given_up": 0}
    for status, stuck, n in rows:
        key = "given_up" if status == "pending" and stuck else str(status)
        counts[key] = counts.get(key, 0) + int(n)
    return counts


def plugin_rows() -> list[dict[str, str]]:
    """Every registered connector and CRM adapter."""
    rows = []
    for group in (registry.CONNECTORS, registry.CRM_ADAPTERS):
        for plugin in sorted(registry.plugins(group).values(), key=lambda p: p.name):
            rows.append(
                {
                    "group": group,
                    "name": plugin.name,
                    "target": plugin.target,
                    "distribution": plugin.distribution,
                    "usable": registry.usable(group, plugin.name),
                }
            )
    return rows


def _fmt(counts: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in counts.items())


def review_action(config: AppConfig, action: str, **kwargs: Any) -> dict[str, Any]:
    """Run a review decision (``crmbridge.views.decide``), or list the queue's first page."""
    from crmbridge.identity import review
    from crmbridge.views.decide import decide

    store = StateStore(config.state_url)
    try:
        if action == "list":
            return {
                "reviews": review.list_reviews(
                    store, kwargs.get("status", "open"), kwargs.get("limit", 100)
                )
            }
        reviewer = kwargs.pop("reviewer")
        return decide(config, store, action, reviewer, **kwargs)
    finally:
        store.close()
