"""Helpers for the dispatch fault scenarios: a local SMTP relay that can delay QUIT, refuse with
451 or never answer, and Django set up on a throwaway PostgreSQL database of its own on the
shared server (created and dropped here; the server itself is never touched).

Everything listens on 127.0.0.1 on a free port; every loop and wait is bounded.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import socketserver
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

# What the relay does: accept and answer, refuse every message with 451, or never answer.
OK, BUSY, SILENT = "ok", "busy", "silent"
# What it answers to a message's final line (``Relay.data_reply``): None holds the answer back
# until the relay stops, as a server that freezes after taking the message.
ACCEPTED = "250 OK queued"


@dataclass
class Accepted:
    message_id: str
    at: float


@dataclass
class Relay:
    port: int
    mode: str = OK
    quit_delay: float = 0.0
    data_reply: str | None = ACCEPTED
    accepted: list[Accepted] = field(default_factory=list)
    # Messages whose connection dropped before their final line: discarded, never delivered.
    abandoned: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)

    def duplicated(self) -> int:
        """Messages accepted more than once for the same key (the same Message-ID)."""
        ids = [one.message_id for one in self.accepted]
        return len(ids) - len(set(ids))


class _Handler(socketserver.StreamRequestHandler):
    relay: Relay
    timeout = 60

    def _say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    # Complexity: one branch per SMTP verb and fault mode, as a relay's dialogue reads.
    def handle(self) -> None:  # noqa: C901
        relay = self.relay
        if relay.mode == SILENT:
            # Take the connection and say nothing, until the client gives up or we stop.
            while not relay.stopping.wait(0.1):
                with contextlib.suppress(OSError):
                    self.request.settimeout(0.1)
                    try:
                        if self.request.recv(1024) == b"":
                            return
                    except TimeoutError:
                        continue
            return
        self._say("220 relay.invalid ESMTP")
        while not relay.stopping.is_set():
            line = self.rfile.readline(65536)
            if not line:
                return
            verb = line.decode(errors="replace").strip().upper()
            if verb.startswith(("EHLO", "HELO")):
                self._say("250 relay.invalid")
            elif verb.startswith("MAIL"):
                self._say("451 4.3.0 try again later" if relay.mode == BUSY else "250 OK")
            elif verb.startswith(("RCPT", "RSET", "NOOP")):
                self._say("250 OK")
            elif verb == "DATA":
                self._say("354 go ahead")
                self._read_message(relay)
            elif verb == "QUIT":
                time.sleep(relay.quit_delay)
                self._say("221 bye")
                return
            else:
                self._say("502 not implemented")

    def _read_message(self, relay: Relay) -> None:
        message_id = ""
        while True:
            line = self.rfile.readline(65536)
            if not line:
                # The connection dropped before the final line: as a real server does (RFC
                # 5321, 3.3), the unfinished message is discarded, not delivered.
                with relay.lock:
                    relay.abandoned += 1
                return
            if line in (b".\r\n", b".\n"):
                break
            if line.lower().startswith(b"message-id:"):
                message_id = line.split(b":", 1)[1].strip().decode()
        if relay.data_reply is None:
            # Takes the message and never says so.
            with relay.lock:
                relay.accepted.append(Accepted(message_id=message_id, at=time.monotonic()))
            relay.stopping.wait()
            return
        if relay.data_reply.startswith("250"):
            # Recorded before the 250: from here on the provider has the message, whatever
            # happens.
            with relay.lock:
                relay.accepted.append(Accepted(message_id=message_id, at=time.monotonic()))
        self._say(relay.data_reply)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


@contextlib.contextmanager
def smtp_relay(
    *, mode: str = OK, quit_delay: float = 0.0, data_reply: str | None = ACCEPTED
) -> Iterator[Relay]:
    relay = Relay(port=0, mode=mode, quit_delay=quit_delay, data_reply=data_reply)
    handler = type("Handler", (_Handler,), {"relay": relay})
    server = _Server(("127.0.0.1", 0), handler)
    relay.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.daemon = True
    thread.start()
    try:
        yield relay
    finally:
        relay.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def django_environment(**extra: str) -> None:
    """Settings as production reads them (debug on only to skip the https checks), before
    Django is set up; DATABASE_URL names the shared server (its database is not used)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bcbt.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    os.environ.update(extra)


@contextlib.contextmanager
def throwaway_database(scenario: str) -> Iterator[str]:
    """Create and migrate ``bcbt_faults_<scenario>_<pid>`` and drop it at the end; yields its
    URL so that a worker process can use it too. Refuses anything but PostgreSQL."""
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise RuntimeError("the fault scenarios need PostgreSQL in DATABASE_URL")
    name = f"bcbt_faults_{scenario}_{os.getpid()}"
    connection.settings_dict.setdefault("TEST", {})["NAME"] = name
    original = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    url = (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    )
    try:
        yield url
    finally:
        # Dropping a database waits for its last connections to go; on a loaded machine that
        # can pass the web's statement timeout, which has nothing to do with the scenario.
        connection.close()
        connection.settings_dict.setdefault("OPTIONS", {})["options"] = "-c statement_timeout=0"
        connection.creation.destroy_test_db(original, verbosity=0)


def use_relay(relay: Relay, *, timeout: float) -> None:
    """Point Django's SMTP backend at ``relay`` (in this process)."""
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = relay.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = timeout
    settings.NOTIFICATIONS_SEND_RATES = {"email": 0.0, "sms": 0.0, "in_app": 0.0}


def result(
    *,
    scenario: str,
    expected: int,
    sent: int,
    duplicated: int,
    lost: int,
    sent_in_quiet_hours: int = 0,
    longest_request_s: float = 0.0,
    notes: str = "",
) -> dict[str, object]:
    return {
        "scenario": scenario,
        "expected": expected,
        "sent": sent,
        "duplicated": duplicated,
        "lost": lost,
        "sent_in_quiet_hours": sent_in_quiet_hours,
        "longest_request_s": round(longest_request_s, 2),
        "notes": notes,
    }


def wait_for_port(port: int, *, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout} s")


@contextlib.contextmanager
def own_redis() -> Iterator[str]:
    """A redis-server of our own on a free port (never the shared one); yields its URL."""
    executable = shutil.which("redis-server")
    if executable is None:
        raise RuntimeError("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [
            *(executable, "--port", str(port), "--bind", "127.0.0.1", "--save", ""),
            *("--appendonly", "no", "--loglevel", "warning"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield f"redis://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
