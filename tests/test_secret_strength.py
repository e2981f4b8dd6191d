"""Empty, short or placeholder secrets are refused by check, sync and serve, naming the key."""

import os
import subprocess
import sys

import pytest

from crmbridge.config import load_config, weak_secret
from crmbridge.errors import ConfigError
from crmbridge.webhooks import MetaWebhook, SeenEvents, SpoolIntake, WebhookApp, XWebhook

WEBHOOK = "webhooks: {x: {source: exports, consumer_secret: '${CRMB_HOOK_SECRET}'}}\n"
X_SOURCE = (
    "  - {name: brand-x, connector: x, user_id: '2244994945', bearer_token: '${CRMB_X_TOKEN}'}\n"
)


def add(workdir, text):
    path = workdir / "crmbridge.yaml"
    path.write_text(path.read_text() + text)
    return path


def cli(workdir, *args, **env):
    done = subprocess.run(
        [sys.executable, "-m", "crmbridge", *args],
        cwd=workdir,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )
    return done.returncode, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("abc123", "shorter"),
        ("changeme", "placeholder"),
        ("<your-secret>", "placeholder"),
        ("xxxxxxxxxx", "placeholder"),
        ("0000000000", "placeholder"),
    ],
)
def test_a_weak_webhook_secret_is_a_config_error_naming_the_key(
    workdir, monkeypatch, value, reason
):
    monkeypatch.setenv("CRMB_HOOK_SECRET", value)
    with pytest.raises(ConfigError) as err:
        load_config(add(workdir, WEBHOOK))
    assert "webhooks.x.consumer_secret" in str(err.value) and reason in str(err.value)
    if value.strip():
        assert value not in str(err.value)


def test_an_empty_default_for_a_secret_is_refused_too(workdir, monkeypatch):
    monkeypatch.delenv("CRMB_HOOK_SECRET", raising=False)
    text = "webhooks: {meta: {source: exports, app_secret: '${CRMB_HOOK_SECRET:-}',"
    text += " verify_token: 'a-long-enough-token'}}\n"
    with pytest.raises(ConfigError, match=r"webhooks\.meta\.app_secret: is empty"):
        load_config(add(workdir, text))


def test_a_weak_connector_token_is_refused_naming_the_source_field(workdir, monkeypatch):
    monkeypatch.setenv("CRMB_X_TOKEN", "")
    with pytest.raises(ConfigError, match=r"sources\[1\]\.bearer_token: is empty"):
        load_config(add(workdir, X_SOURCE))


def test_a_real_looking_secret_passes():
    assert weak_secret("sk-live-9f8e7d6c5b4a") is None
    assert weak_secret("consumer_secret-of-the-app") is None


@pytest.mark.parametrize("command", [["check"], ["sync"], ["sync", "--json"], ["serve"]])
def test_check_sync_and_serve_exit_4_on_an_empty_webhook_secret(workdir, command):
    add(workdir, WEBHOOK)
    code, out = cli(workdir, *command, CRMB_HOOK_SECRET="")
    assert code == 4, out
    assert "webhooks.x.consumer_secret" in out
    assert not (workdir / "crm.db").exists() or "sync" not in command


def test_the_webhook_app_refuses_an_empty_key_even_when_built_by_hand(tmp_path):
    for x, meta in [
        (XWebhook(source="a", consumer_secret=""), None),
        (None, MetaWebhook(source="a", app_secret="long-app-secret", verify_token="")),
    ]:
        with pytest.raises(ConfigError, match="is empty"):
            WebhookApp(
                x=x, meta=meta, intake=SpoolIntake(tmp_path), seen=SeenEvents(tmp_path / "s")
            )
