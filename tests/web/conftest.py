"""Fixtures for the web app: settings in a temp data dir (and history database), an in-process client, a
fake runtime folder."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from formcheck.web.app import create_app
from formcheck.web.assets import TASKS_VISION
from formcheck.web.settings import ServeSettings
from web.serving import BASE, SAMPLES, upload, wait_for_job

MakeClient = Callable[..., TestClient]


@pytest.fixture
def fake_runtime(tmp_path: Path) -> Path:
    """A folder holding a stand-in for every pinned tasks-vision file (the real ones are 40 MB)."""
    folder = tmp_path / "tasks-vision"
    for name in TASKS_VISION.files:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(b"// stand-in for " + name.encode())
    return folder


@pytest.fixture
def make_client(tmp_path: Path, pose_model: Path, fake_runtime: Path) -> Iterator[MakeClient]:
    """Factory: a TestClient for an app with these settings (keyword overrides of ServeSettings)."""
    clients: list[TestClient] = []

    def make(**overrides: object) -> TestClient:
        options: dict = {"data_dir": tmp_path / "data", "models_dir": pose_model.parent,
                         "db": tmp_path / "history.sqlite3", **overrides}
        client = TestClient(create_app(ServeSettings(**options), model=pose_model, tasks_vision=fake_runtime),
                            base_url=BASE)
        client.__enter__()  # runs the lifespan: the job queue and its process pool
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    """The default app: loopback, no token."""
    return make_client()


@pytest.fixture(scope="session")
def analysed(tmp_path_factory: pytest.TempPathFactory, pose_model: Path) -> Iterator[tuple[TestClient, dict]]:
    """One app with one analysed set (chin_lifted_left.mp4, client "Alex"): (client, its job status). Its
    history database is `<data>/history.sqlite3`."""
    root = tmp_path_factory.mktemp("analysed")
    runtime = root / "runtime"
    runtime.mkdir()
    settings = ServeSettings(data_dir=root / "data", models_dir=pose_model.parent,
                             db=root / "data" / "history.sqlite3")
    with TestClient(create_app(settings, model=pose_model, tasks_vision=runtime), base_url=BASE) as client:
        created = upload(client, SAMPLES / "chin_lifted_left.mp4")
        assert created.status_code == 202, created.text
        yield client, wait_for_job(client, created.json()["job"])


@pytest.fixture(scope="session")
def analyze_report(tmp_path_factory: pytest.TempPathFactory, pose_model: Path) -> dict:
    """What `formcheck analyze` says about chin_lifted_left.mp4: the reference uploads must match."""
    from formcheck.cli import main

    out = tmp_path_factory.mktemp("analyze")
    assert main(["analyze", str(SAMPLES / "chin_lifted_left.mp4"), "--out", str(out), "--no-video"]) == 0
    return json.loads((out / "report.json").read_text())
