"""Canary secrets and the scans that look for them in output, files and state tables."""

from __future__ import annotations

import sqlalchemy as sa

SECRET = "sk-live-9f8e7d6c5b4a-DO-NOT-LEAK"

SECRETS = {
    "SF_PASSWORD": "sf-pass-Hunter2-DO-NOT-LEAK",
    "SF_SECURITY_TOKEN": "sf-token-7QzK-DO-NOT-LEAK",
    "HUBSPOT_TOKEN": "pat-na1-DO-NOT-LEAK-7f6e5d",
    "X_BEARER_TOKEN": "AAAAx-bearer-DO-NOT-LEAK",
    "REDDIT_TOKEN": "reddit-oauth-DO-NOT-LEAK",
    "CRMB_WEBHOOK_SECRET": SECRET,
    "META_APP_SECRET": "meta-app-secret-DO-NOT-LEAK",
    "META_VERIFY_TOKEN": "meta-verify-DO-NOT-LEAK",
}
CLOSED = "http://127.0.0.1:9"  # nothing listens: the platform sources fail, as error paths
SOURCES = (
    "sources:\n"
    "  - {name: exports, connector: jsonl, path: interactions.jsonl}\n"
    f"  - {{name: brand-x, connector: x, api_base: '{CLOSED}', user_id: '2244994945',\n"
    "     bearer_token: '${X_BEARER_TOKEN}', attempts: 1}\n"
    f"  - {{name: brand-reddit, connector: reddit, api_base: '{CLOSED}', attempts: 1,\n"
    "     access_token: '${REDDIT_TOKEN}', user_agent: 'linux:crmbridge:0.1 (by /u/acme)',\n"
    "     username: acme, subreddits: [acme]}\n"
    "webhooks:\n"
    "  x: {source: brand-x, consumer_secret: '${CRMB_WEBHOOK_SECRET}'}\n"
    "  meta: {source: exports, app_secret: '${META_APP_SECRET}',"
    " verify_token: '${META_VERIFY_TOKEN}'}\n"
)


def leaks(text: str | bytes) -> list[str]:
    """The names of the canary secrets that appear in ``text``."""
    if isinstance(text, bytes):
        return [name for name, value in SECRETS.items() if value.encode() in text]
    return [name for name, value in SECRETS.items() if value in text]


def table_dump(url: str) -> str:
    """Every row of every table of a state store, as text."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            names = sa.inspect(conn).get_table_names()
            return "\n".join(
                repr(row)
                for name in names
                for row in conn.exec_driver_sql(f'SELECT * FROM "{name}"')
            )
    finally:
        engine.dispose()
