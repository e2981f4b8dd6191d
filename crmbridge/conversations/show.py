"""Text lines of a contact's profile roll-up, for ``crmbridge history``."""

from __future__ import annotations

from typing import Any


def profile_lines(profile: dict[str, Any]) -> list[str]:
    """The roll-up as a few aligned lines, ending with a blank one."""
    channels = ", ".join(f"{p} ({c['messages']})" for p, c in profile["channels"].items())
    handles = ", ".join(
        f"{h['platform']}:@{h['handle']}" if h["handle"] else h["persona"]
        for h in profile["handles"]
    )
    last = profile["last_interaction"]
    mood = profile["last_sentiment"]
    open_ = profile["open_conversation"]
    lines = [
        f"{'channels':>16}: {channels or '-'}",
        f"{'handles':>16}: {handles or '-'}",
        f"{'last interaction':>16}: "
        + (
            f"{last['at'][:16].replace('T', ' ')} {last['platform']} {last['kind']}"
            if last
            else "-"
        ),
        f"{'last sentiment':>16}: " + (f"{mood['label']} ({mood['score']:+.2f})" if mood else "-"),
        f"{'conversations':>16}: {profile['conversations']}",
        f"{'open':>16}: "
        + (
            f"{open_['key']} on {', '.join(open_['channels'])}, {open_['messages']} messages, "
            f"last {open_['last_at'][:16].replace('T', ' ')}"
            if open_
            else "none"
        ),
        "",
    ]
    return lines
