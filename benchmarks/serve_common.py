"""Shared by the `formcheck serve` benchmarks: start the real server as a user would, on a free port."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_server(data: Path, timeout_s: float = 300.0) -> Iterator[str]:
    """`formcheck serve --data DATA` on a free loopback port until the block ends; yields its base URL. Its
    history database is in DATA too, never the user's own."""
    port = free_port()
    log = (data / "serve.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "formcheck", "serve", "--port", str(port),
                                "--data", str(data), "--db", str(data / "history.sqlite3")],
                               stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/clients", timeout=2):
                    break
            except OSError as exc:
                if process.poll() is not None or time.monotonic() > deadline:
                    log_text = (data / "serve.log").read_text()
                    raise RuntimeError(f"formcheck serve did not start: {log_text}") from exc
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]
