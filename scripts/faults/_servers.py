"""Throwaway servers for the fault scenarios and the frozen-dependency tests: a Redis of our own
that can be frozen with SIGSTOP, and a TCP proxy in front of PostgreSQL that can stop passing
bytes, which is what a frozen server looks like from the client's side (the kernel still accepts
connections and acknowledges packets; nothing ever answers).

Everything listens on 127.0.0.1, on a free port, and is stopped by the context manager that
started it. Never the shared PostgreSQL (5432) or Redis (6379): they are only ever proxied.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, *, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout} s")


@dataclass
class RedisServer:
    """A redis-server of our own; ``freeze`` and ``thaw`` send SIGSTOP and SIGCONT."""

    process: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def freeze(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)


@contextlib.contextmanager
def redis_server() -> Iterator[RedisServer]:
    executable = shutil.which("redis-server")
    if executable is None:
        raise RuntimeError("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [
            executable,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--loglevel",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = RedisServer(process=process, port=port)
    try:
        wait_for_port(port)
        yield server
    finally:
        # A stopped process ignores SIGTERM until it is continued.
        server.thaw()
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@dataclass
class FreezableProxy:
    """Passes bytes between clients and ``upstream_port`` until frozen; while frozen it keeps
    every connection open and passes nothing, in either direction."""

    upstream_port: int
    port: int = field(default_factory=free_port)
    frozen: threading.Event = field(default_factory=threading.Event)
    stopped: threading.Event = field(default_factory=threading.Event)
    _sockets: list[socket.socket] = field(default_factory=list)

    def freeze(self) -> None:
        self.frozen.set()

    def thaw(self) -> None:
        self.frozen.clear()

    def serve(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.2)
        self._sockets.append(listener)
        while not self.stopped.is_set():
            try:
                client, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            # A frozen server's kernel still completes the handshake; so do we.
            threading.Thread(target=self._pump_pair, args=(client,), daemon=True).start()

    def _pump_pair(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=5)
        except OSError:
            client.close()
            return
        self._sockets += [client, upstream]
        peers = {client: upstream, upstream: client}
        while not self.stopped.is_set():
            if self.frozen.is_set():
                time.sleep(0.05)
                continue
            readable, _, _ = select.select(list(peers), [], [], 0.1)
            for sock in readable:
                try:
                    data = sock.recv(65536)
                    if not data:
                        raise OSError("closed")
                    peers[sock].sendall(data)
                except OSError:
                    client.close()
                    upstream.close()
                    return

    def stop(self) -> None:
        self.stopped.set()
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.close()


@contextlib.contextmanager
def freezable_proxy(upstream_port: int) -> Iterator[FreezableProxy]:
    proxy = FreezableProxy(upstream_port=upstream_port)
    thread = threading.Thread(target=proxy.serve, daemon=True)
    thread.start()
    try:
        wait_for_port(proxy.port)
        yield proxy
    finally:
        proxy.stop()
        thread.join(timeout=2)


@contextlib.contextmanager
def blackhole() -> Iterator[int]:
    """A port that accepts connections and never says a word: a frozen server at connect."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    try:
        yield int(listener.getsockname()[1])
    finally:
        listener.close()


@contextlib.contextmanager
def temporary_directory(prefix: str) -> Iterator[str]:
    path = tempfile.mkdtemp(prefix=prefix)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True
