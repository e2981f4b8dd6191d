"""``crmbridge review list|approve|reject|link|unlink``: work the identity review queue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from crmbridge.cli import config_option, handles_errors, json_option, reviewer_option
from crmbridge.config import load_config
from crmbridge.state.store import StateStore


def _review() -> None:
    """Work the identity review queue; every decision is recorded (who, when) and reversible.

    `list` shows, most messages waiting first, who wrote (name, handle, platform, profile,
    latest message) beside each candidate contact, with the evidence per field (author's
    value, contact's value, agree / partial / disagree / missing) and why it waits. An
    unknown review id, persona or contact is refused with exit 2 and nothing changes.
    """


review_group: click.Group = click.group("review")(_review)


def _decide(config_path: Path, as_json: bool, action: str, actor: str, **kwargs: Any) -> None:
    from crmbridge.views.decide import decide

    config = load_config(config_path)
    store = StateStore(config.state_url)
    try:
        result = decide(config, store, action, actor, **kwargs)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(result, default=str))
    else:
        click.echo(", ".join(f"{k}={v}" for k, v in result.items()))


@review_group.command("list")
@config_option
@click.option("--page", default=1, show_default=True, help="Which page of the queue.")
@click.option("--limit", default=100, show_default=True, help="Items per page.")
@json_option
@handles_errors
def review_list(config_path: Path, page: int, limit: int, as_json: bool) -> None:
    """Open items, most messages waiting first: author, candidates, evidence, reason.

    Says how many are shown of how many ("100 of 338"); --page N shows the next ones.
    --json: {total, page, per_page, pages, reviews: [{id, persona, author, candidates,
    reason}, ...]}.
    """
    from crmbridge.views.decide import crm_fetch
    from crmbridge.views.review_queue import queue_lines, review_queue

    config = load_config(config_path)
    store = StateStore(config.state_url, read_only=True)
    try:
        with store.engine.connect() as conn:
            view = review_queue(
                conn, page=page, per_page=limit, region=config.identity.default_region,
                fetch=crm_fetch(config),
            )  # fmt: skip
    finally:
        store.close()
    if as_json:
        data = {k: v for k, v in view.items() if k != "items"} | {"reviews": view["items"]}
        click.echo(json.dumps(data, default=str))
    else:
        click.echo("\n".join(queue_lines(view)))


@review_group.command("approve")
@click.argument("review_id", type=int)
@click.option("--contact", "contact_id", help="Link to this candidate instead of the top one.")
@config_option
@reviewer_option
@json_option
@handles_errors
def review_approve(
    review_id: int, contact_id: str | None, config_path: Path, reviewer: str, as_json: bool
) -> None:
    """Accept a review item: link the persona and move its activities to the contact."""
    _decide(config_path, as_json, "approve", reviewer, review_id=review_id, contact_id=contact_id)


@review_group.command("reject")
@click.argument("review_id", type=int)
@config_option
@reviewer_option
@json_option
@handles_errors
def review_reject(review_id: int, config_path: Path, reviewer: str, as_json: bool) -> None:
    """Refuse a review item: the persona stays unlinked."""
    _decide(config_path, as_json, "reject", reviewer, review_id=review_id)


@review_group.command("link")
@click.argument("persona")
@click.argument("contact_id")
@config_option
@reviewer_option
@json_option
@handles_errors
def review_link(
    persona: str, contact_id: str, config_path: Path, reviewer: str, as_json: bool
) -> None:
    """Link PERSONA (platform:author_id) to CONTACT_ID by hand, moving its activities."""
    _decide(config_path, as_json, "link", reviewer, persona=persona, contact_id=contact_id)


@review_group.command("unlink")
@click.argument("persona")
@config_option
@reviewer_option
@json_option
@handles_errors
def review_unlink(persona: str, config_path: Path, reviewer: str, as_json: bool) -> None:
    """Remove PERSONA's link; its activities leave the contact (link again to undo)."""
    _decide(config_path, as_json, "unlink", reviewer, persona=persona)
