"""`serve` keeps tokens out of its access log; any signed body it cannot parse is a 400."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from werkzeug.test import Client

from crmbridge.webhooks import (
    MetaWebhook,
    SeenEvents,
    SpoolIntake,
    WebhookApp,
    XWebhook,
    meta_signature,
    x_signature,
)

VERIFY = "meta-verify-DO-NOT-LEAK-42"
APP_SECRET = "meta-app-secret-DO-NOT-LEAK"
X_SECRET = "x-consumer-secret-DO-NOT-LEAK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_the_access_log_of_serve_never_prints_the_verify_token_or_a_query(workdir):
    (workdir / "crmbridge.yaml").write_text(
        (workdir / "crmbridge.yaml").read_text()
        + "webhooks: {meta: {source: exports, app_secret: '${APP}', verify_token: '${VERIFY}'}}\n"
    )
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "crmbridge", "serve", "--port", str(port)],
        cwd=workdir,
        env={**os.environ, "APP": APP_SECRET, "VERIFY": VERIFY},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if get(base + "/healthz") == 200:
                    break
            except OSError:
                time.sleep(0.05)
        query = f"hub.mode=subscribe&hub.challenge=77&hub.verify_token={VERIFY}"
        assert get(f"{base}/webhooks/meta?{query}") == 200
        assert get(f"{base}/webhooks/meta?hub.mode=subscribe&hub.challenge=1&hub.verify_token=no"
                   ) == 403
        assert get(f"{base}/nowhere?token={VERIFY}") == 404
    finally:
        server.terminate()
        out, err = server.communicate(timeout=20)
    logged = out + err
    assert "GET /webhooks/meta?" in logged and "GET /healthz" in logged  # the access log is on
    assert VERIFY not in logged and "hub.challenge" not in logged and "token=" not in logged


def app(tmp_path) -> Client:
    return Client(
        WebhookApp(
            x=XWebhook(source="brand-x", consumer_secret=X_SECRET),
            meta=MetaWebhook(source="brand-fb", app_secret=APP_SECRET, verify_token=VERIFY),
            intake=SpoolIntake(tmp_path / "spool"),
            seen=SeenEvents(tmp_path / "seen.sqlite3"),
        )
    )


def test_a_signed_but_deeply_nested_body_is_a_400_not_a_500(tmp_path):
    client = app(tmp_path)
    body = b'{"entry": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    meta = client.post(
        "/webhooks/meta",
        data=body,
        headers={"X-Hub-Signature-256": meta_signature(APP_SECRET, body)},
        content_type="application/json",
    )
    x = client.post(
        "/webhooks/x",
        data=body,
        headers={"x-twitter-webhooks-signature": x_signature(X_SECRET, body)},
        content_type="application/json",
    )
    assert (meta.status_code, x.status_code) == (400, 400)
    assert "malformed body" in meta.json["error"]
    assert not (tmp_path / "spool" / "brand-fb.jsonl").exists()


def test_signed_bodies_of_odd_shapes_are_400s(tmp_path):
    client = app(tmp_path)
    for body in [b"\xff\xfe not utf-8", b'{"entry": 5}', b'{"entry": [{"changes": "x"}]}',
                 b'{"tweet_create_events": [{"user": 1}]}', b"[]", b"NaN"]:
        for path, header, sign in [
            ("/webhooks/meta", "X-Hub-Signature-256", meta_signature(APP_SECRET, body)),
            ("/webhooks/x", "x-twitter-webhooks-signature", x_signature(X_SECRET, body)),
        ]:
            response = client.post(path, data=body, headers={header: sign})
            assert response.status_code in (200, 400), (path, body, response.status_code)
