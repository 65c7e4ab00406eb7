"""Test helpers of the feed and webhooks: an integration made directly (its token returned), and a real HTTP
receiver on loopback in a thread that answers with the statuses it is given and keeps what it received."""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from compliance.api.authentication import token_new
from compliance.core.models import Integration, User
from compliance.integrations.webhooks import webhook_secret_new


def make_integration(agency, *, created_by, name="Jail management system", webhook_url="", secret=None):
    """An active integration of ``agency`` and its bearer token: ``(integration, token)``."""
    token, prefix, hashed = token_new()
    user = User.objects.create_user(f"integration-{prefix}", None, None)
    integration = Integration.objects.create(
        agency=agency,
        name=name,
        user=user,
        token_prefix=prefix,
        token_hash=hashed,
        created_by=created_by,
        webhook_url=webhook_url,
        webhook_secret=secret if secret is not None else (webhook_secret_new() if webhook_url else ""),
    )
    return integration, token


def verify_signature(*, secret: str, headers, body: bytes) -> bool:
    """What a JMS does with a webhook (Standard Webhooks): HMAC-SHA256 of "id.timestamp.body" under the base64
    key after ``whsec_``, compared in constant time with each ``v1,`` signature of the header."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for part in headers["webhook-signature"].split():
        version, _, signature = part.partition(",")
        if version == "v1" and hmac.compare_digest(signature, expected):
            return True
    return False


class Receiver:
    """An HTTP server on 127.0.0.1 in a thread: answers POSTs with ``statuses`` in turn (then 200), keeps
    ``requests`` as ``(path, headers dict, body bytes)``."""

    def __init__(self, statuses=(), *, redirect_to: str | None = None):
        self.statuses = list(statuses)
        self.requests: list[tuple[str, dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (the stdlib's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                if redirect_to and 300 <= status < 400:
                    self.send_header("Location", redirect_to)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/287g"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
