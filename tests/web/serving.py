"""Helpers for the web tests: upload a video as the page does, wait for a job, the constants they share."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient
from httpx import Response

TOKEN = "correct-horse-battery-staple"
BASE = "http://127.0.0.1:8000"
SAMPLES = Path(__file__).resolve().parents[2] / "sample_videos"


def wait_for_job(client: TestClient, job: str, timeout_s: float = 300.0) -> dict:
    """Poll a job until it is over; returns its last status document."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        body = client.get(f"/api/jobs/{job}").json()
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.2)
    raise AssertionError(f"job {job} not over after {timeout_s} s")


def upload(client: TestClient, path: Path, client_name: str = "Alex", **headers: str) -> Response:
    """POST one video as the upload page does."""
    with path.open("rb") as handle:
        return client.post("/api/jobs", data={"client": client_name},
                           files={"file": (path.name, handle, "video/mp4")}, headers=headers)
