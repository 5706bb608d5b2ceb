"""A local stand-in for a Web Push service (FCM, Mozilla's, Apple's): an HTTP server on a free
port that records every request and answers with the status a test chooses. pywebpush posts
to the subscription's endpoint, so a subscription pointing here is delivered here."""

from __future__ import annotations

import base64
import json
import os
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FakePushService:
    received: list[Received] = field(default_factory=list)
    # Path -> the status to answer (201 Created by default, as real push services do).
    statuses: dict[str, int] = field(default_factory=dict)
    server: ThreadingHTTPServer | None = None

    def start(self) -> FakePushService:
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                service.received.append(
                    Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                self.send_response(service.statuses.get(self.path, 201))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def url(self, path: str) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    @property
    def origin(self) -> str:
        return self.url("")


@dataclass
class Browser:
    """A browser's push keys: what it sends when it subscribes, and its private key to read
    what arrives."""

    private_key: ec.EllipticCurvePrivateKey
    p256dh: str
    auth: str

    @classmethod
    def new(cls) -> Browser:
        private_key = ec.generate_private_key(ec.SECP256R1())
        public = private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return cls(private_key, b64url(public), b64url(os.urandom(16)))

    def decrypt(self, body: bytes) -> dict[str, Any]:
        plain = http_ece.decrypt(
            body,
            private_key=self.private_key,
            auth_secret=b64url_decode(self.auth),
            version="aes128gcm",
        )
        return json.loads(plain)


def vapid_claims(authorization: str, public_key: str) -> dict[str, Any]:
    """Check a ``vapid t=<JWT>,k=<key>`` header is signed by ``public_key``; returns its claims."""
    scheme, _, rest = authorization.partition(" ")
    assert scheme == "vapid", authorization
    parts = dict(item.strip().split("=", 1) for item in rest.split(","))
    assert parts["k"] == public_key
    header, payload, signature = parts["t"].split(".")
    raw = b64url_decode(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(public_key))
    # Raises InvalidSignature when the token was not signed with the service's private key.
    key.verify(der, f"{header}.{payload}".encode(), ec.ECDSA(hashes.SHA256()))
    return json.loads(b64url_decode(payload))
