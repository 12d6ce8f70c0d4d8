"""Provisioning tasks-vision: a tarball pinned by its sha512 integrity, only the page's files kept,
checked again on every start; no npm or a wrong tarball gives one line that says what to do."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from formcheck.errors import ModelError
from formcheck.provision import npm_integrity
from formcheck.web.assets import COMPLETE_MARK, TASKS_VISION, NpmPin, assets_dir, ensure_tasks_vision

FILES = ("bundle.mjs", "wasm/runtime.wasm")


def _tarball(folder: Path, name: str, extra: dict[str, bytes] | None = None) -> Path:
    """An npm-style tarball (everything under package/) holding FILES and `extra`."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        members = {**{f: f.encode() * 3 for f in FILES}, "README.md": b"docs", **(extra or {})}
        for member, data in members.items():
            info = tarfile.TarInfo(f"package/{member}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(buffer.getvalue())
    return path


def _pin(integrity: str) -> NpmPin:
    return NpmPin(name="@example/runtime", version="1.0.0", integrity=integrity, files=FILES)


def test_a_tarball_with_the_pinned_integrity_gives_only_the_files_the_page_needs(tmp_path):
    staged = _tarball(tmp_path / "staging", "example-runtime-1.0.0.tgz")
    pin = _pin(npm_integrity(staged))
    folder = assets_dir(tmp_path, pin)
    staged.rename(_tarball(folder, pin.tarball))  # copied in by hand, as on a machine without npm
    assert ensure_tasks_vision(tmp_path, pin=pin) == folder
    kept = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert kept == sorted([*FILES, COMPLETE_MARK])  # README and the tarball are gone
    assert json.loads((folder / COMPLETE_MARK).read_text())["integrity"] == pin.integrity


def test_a_changed_file_is_noticed_on_the_next_start(tmp_path, monkeypatch):
    staged = _tarball(tmp_path / "staging", "t.tgz")
    pin = _pin(npm_integrity(staged))
    folder = assets_dir(tmp_path, pin)
    folder.mkdir(parents=True)
    staged.rename(folder / pin.tarball)
    ensure_tasks_vision(tmp_path, pin=pin)
    (folder / FILES[0]).write_bytes(b"tampered")
    fetched = []
    monkeypatch.setattr("formcheck.web.assets.npm_pack",
                        lambda spec, dest, **_: fetched.append(spec) or _tarball(dest, "fresh.tgz"))
    ensure_tasks_vision(tmp_path, pin=pin)
    assert fetched == [pin.spec] and (folder / FILES[0]).read_bytes() == FILES[0].encode() * 3


def test_a_tarball_that_does_not_match_the_pin_is_refused_and_deleted(tmp_path):
    pin = _pin("sha512-" + "A" * 86 + "==")
    folder = assets_dir(tmp_path, pin)
    tarball = _tarball(folder, pin.tarball)
    mismatch = r"integrity mismatch for example-runtime-1\.0\.0\.tgz: expected sha512-A"
    with pytest.raises(ModelError, match=mismatch):
        ensure_tasks_vision(tmp_path, pin=pin)
    assert not tarball.exists() and not (folder / FILES[0]).exists()


def test_without_npm_the_error_says_how_to_provision_by_hand(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no npm here
    advice = r"npm \(Node\.js\) is not on PATH; .*copy mediapipe-tasks-vision-1\.1\.0"
    with pytest.raises(ModelError, match=advice):
        ensure_tasks_vision(tmp_path)


@pytest.mark.parametrize("files", [("../escape.js",), ("/etc/passwd",)])
def test_a_pin_cannot_name_a_file_outside_its_folder(files):
    with pytest.raises(ValueError, match="relative paths inside the package"):
        NpmPin(name="x", version="1", integrity=TASKS_VISION.integrity, files=files)
