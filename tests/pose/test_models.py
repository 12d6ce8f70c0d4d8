"""Pose model provisioning: names, places, checksums, the offline build and its failure messages."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import urllib.error
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from formcheck import provision
from formcheck.errors import ModelError
from formcheck.pose import models
from formcheck.pose.models import (
    CHECKSUMS_FILE,
    DETECTOR_MEMBER,
    LANDMARKS_MEMBER,
    MEDIAPIPE_WHEEL,
    MEMBER_ALIGNMENT,
    OFFLINE_RECIPES,
    bundle_name,
    check_bundle,
    default_models_dir,
    ensure_model,
    list_models,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def full_bundle() -> Path:
    """The full bundle in the default models dir: provisioned once per suite (and shared with pose tests)."""
    return ensure_model("full")


@pytest.fixture
def wheel_dir(tmp_path: Path, full_bundle: Path) -> Path:
    """An empty models dir whose wheel cache links the already-downloaded wheel (no second download)."""
    cached = full_bundle.parent / "wheels" / MEDIAPIPE_WHEEL.filename
    (tmp_path / "wheels").mkdir()
    (tmp_path / "wheels" / MEDIAPIPE_WHEEL.filename).symlink_to(cached)
    return tmp_path


def _one_line_error(excinfo: pytest.ExceptionInfo[ModelError]) -> str:
    message = str(excinfo.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("variant", ["tiny", "FULL", "", "pose_landmarker_full"])
def test_unknown_variant_lists_valid_ones(variant: str, tmp_path: Path) -> None:
    with pytest.raises(ModelError) as excinfo:
        ensure_model(variant, models_dir=tmp_path)
    assert "expected one of lite, full, heavy" in _one_line_error(excinfo)
    assert list(tmp_path.iterdir()) == []


def test_unknown_source_lists_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="expected one of auto, official, offline"):
        ensure_model("full", models_dir=tmp_path, source="github")


@pytest.mark.parametrize(("env", "expected"), [
    ("/somewhere/models", Path("/somewhere/models")),
    ("~/fc-models", Path.home() / "fc-models"),
])
def test_models_dir_from_env(env: str, expected: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORMCHECK_MODELS_DIR", env)
    assert default_models_dir() == expected


def test_models_dir_is_the_checkout_when_running_from_source(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORMCHECK_MODELS_DIR", raising=False)
    assert default_models_dir() == REPO_ROOT / "models"


def test_models_dir_falls_back_to_the_user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORMCHECK_MODELS_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    installed = tmp_path / "site-packages" / "formcheck" / "pose" / "models.py"
    monkeypatch.setattr(models, "__file__", str(installed))
    assert default_models_dir() == tmp_path / "cache" / "formcheck" / "models"


def test_built_bundle_is_pinned_stored_and_aligned(full_bundle: Path) -> None:
    assert hashlib.sha256(full_bundle.read_bytes()).hexdigest() == OFFLINE_RECIPES["full"].bundle_sha256
    with zipfile.ZipFile(full_bundle) as zf:
        infos = zf.infolist()
        assert [i.filename for i in infos] == [DETECTOR_MEMBER, LANDMARKS_MEMBER]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in infos)
        for info in infos:
            data_start = info.header_offset + 30 + len(info.filename) + len(info.extra)
            assert data_start % MEMBER_ALIGNMENT == 0
        detector = zf.read(DETECTOR_MEMBER)
    assert hashlib.sha256(detector).hexdigest() == OFFLINE_RECIPES["full"].detector_sha256
    check_bundle(full_bundle)


def test_offline_build_is_reproducible_and_recorded(wheel_dir: Path, full_bundle: Path) -> None:
    messages: list[str] = []
    path = ensure_model("full", models_dir=wheel_dir, source="offline", notify=messages.append)
    assert path.read_bytes() == full_bundle.read_bytes()
    record = json.loads((wheel_dir / CHECKSUMS_FILE).read_text())[path.name]
    assert record == {"sha256": OFFLINE_RECIPES["full"].bundle_sha256, "source": "offline"}
    assert len(messages) == 1 and "offline" in messages[0] and "0.10.21" in messages[0]
    assert not [p for p in wheel_dir.iterdir() if p.name.startswith(".")]  # no temp leftovers


def test_offline_build_with_other_metadata_bytes_is_checked_and_recorded_apart(
        wheel_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    import formcheck.pose.models as models

    other = dataclasses.replace(OFFLINE_RECIPES["full"], bundle_sha256="0" * 64)
    monkeypatch.setitem(models.OFFLINE_RECIPES, "full", other)
    messages: list[str] = []
    path = ensure_model("full", models_dir=wheel_dir, source="offline", notify=messages.append)
    check_bundle(path)
    record = json.loads((wheel_dir / CHECKSUMS_FILE).read_text())[path.name]
    assert record["source"] == "offline-unpinned"
    assert any("not the reference" in m for m in messages)
    assert ensure_model("full", models_dir=wheel_dir) == path  # accepted on the next load, no rebuild loop


def test_present_verified_bundle_is_reused_silently(wheel_dir: Path) -> None:
    path = ensure_model("full", models_dir=wheel_dir)
    before = path.stat().st_mtime_ns
    messages: list[str] = []
    assert ensure_model("full", models_dir=wheel_dir, notify=messages.append) == path
    assert path.stat().st_mtime_ns == before and messages == []


def test_checksum_mismatch_is_one_line_with_what_to_do(tmp_path: Path, full_bundle: Path) -> None:
    shutil.copy(full_bundle, tmp_path)
    shutil.copy(full_bundle.parent / CHECKSUMS_FILE, tmp_path)
    copy = tmp_path / full_bundle.name
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))
    with pytest.raises(ModelError) as excinfo:
        ensure_model("full", models_dir=tmp_path)
    message = _one_line_error(excinfo)
    assert "checksum mismatch" in message and "formcheck models --variant full" in message


def _rezipped(bundle: bytes, compression: int, drop: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(bundle)) as src, zipfile.ZipFile(out, "w", compression) as dst:
        for name in src.namelist():
            if name != drop:
                dst.writestr(name, src.read(name))
    return out.getvalue()


@pytest.mark.parametrize(("corrupt", "expected"), [
    (lambda b: b[: len(b) // 3], "corrupt pose model"),
    (lambda b: b"not a zip at all", "corrupt pose model"),
    (lambda b: _rezipped(b, zipfile.ZIP_DEFLATED), "is compressed"),
    (lambda b: _rezipped(b, zipfile.ZIP_STORED, drop=LANDMARKS_MEMBER), "expected members"),
])
def test_corrupt_unrecorded_bundle_is_refused(corrupt: Callable[[bytes], bytes], expected: str,
                                              tmp_path: Path, full_bundle: Path) -> None:
    (tmp_path / full_bundle.name).write_bytes(corrupt(full_bundle.read_bytes()))
    with pytest.raises(ModelError) as excinfo:
        ensure_model("full", models_dir=tmp_path)
    assert expected in _one_line_error(excinfo)
    assert not (tmp_path / CHECKSUMS_FILE).exists()


def test_hand_copied_bundle_is_trusted_on_first_use(tmp_path: Path, full_bundle: Path) -> None:
    data = _rezipped(full_bundle.read_bytes(), zipfile.ZIP_STORED)  # valid, but not the pinned bytes
    (tmp_path / full_bundle.name).write_bytes(data)
    messages: list[str] = []
    ensure_model("full", models_dir=tmp_path, notify=messages.append)
    record = json.loads((tmp_path / CHECKSUMS_FILE).read_text())[full_bundle.name]
    assert record == {"sha256": hashlib.sha256(data).hexdigest(), "source": "local"}
    assert len(messages) == 1 and "first use" in messages[0]


def test_official_download_is_checked_and_recorded(tmp_path: Path, full_bundle: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    urls: list[str] = []
    monkeypatch.setattr(models, "_download", lambda url: urls.append(url) or full_bundle.read_bytes())
    path = ensure_model("heavy", models_dir=tmp_path)
    assert urls == [models.OFFICIAL_URL.format(variant="heavy")] and "/1/" in urls[0]
    record = json.loads((tmp_path / CHECKSUMS_FILE).read_text())[bundle_name("heavy")]
    assert record["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert record["source"].startswith("official ")


def test_official_download_of_garbage_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models, "_download", lambda url: b"<html>captive portal</html>")
    with pytest.raises(ModelError, match="corrupt pose model"):
        ensure_model("lite", models_dir=tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == []


@pytest.mark.parametrize(("variant", "source", "offline_hint"), [
    ("lite", "auto", False),
    ("heavy", "official", False),
    ("full", "official", True),
])
def test_no_network_gives_one_line_with_what_to_do(variant: str, source: str, offline_hint: bool,
                                                   tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def offline(url: str) -> bytes:
        raise urllib.error.URLError("[Errno -2] Name or service not known")

    monkeypatch.setattr(models, "_download", offline)
    with pytest.raises(ModelError) as excinfo:
        ensure_model(variant, models_dir=tmp_path, source=source)
    message = _one_line_error(excinfo)
    assert "machine with internet" in message and f"copy {bundle_name(variant)} into {tmp_path}" in message
    assert ("--source offline" in message) == offline_hint
    assert not (tmp_path / bundle_name(variant)).exists()


@pytest.mark.parametrize("variant", ["lite", "heavy"])
def test_offline_source_for_a_variant_the_wheel_lacks(variant: str, tmp_path: Path) -> None:
    with pytest.raises(ModelError) as excinfo:
        ensure_model(variant, models_dir=tmp_path, source="offline")
    assert f"--variant {variant} --source official" in _one_line_error(excinfo)


def test_pypi_unreachable_gives_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_pip(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(cmd, 1, "", "WARNING: retrying\nERROR: No matching distribution\n")

    monkeypatch.setattr(provision.subprocess, "run", failing_pip)
    with pytest.raises(ModelError) as excinfo:
        ensure_model("full", models_dir=tmp_path)
    message = _one_line_error(excinfo)
    assert "No matching distribution" in message and MEDIAPIPE_WHEEL.filename in message


def test_tampered_wheel_is_refused(tmp_path: Path) -> None:
    (tmp_path / "wheels").mkdir()
    (tmp_path / "wheels" / MEDIAPIPE_WHEEL.filename).write_bytes(b"PK\x05\x06" + bytes(18))
    with pytest.raises(ModelError, match=f"expected sha256 {MEDIAPIPE_WHEEL.sha256}"):
        ensure_model("full", models_dir=tmp_path)
    assert not (tmp_path / bundle_name("full")).exists()


def test_list_models_reports_each_variant(wheel_dir: Path) -> None:
    ensure_model("full", models_dir=wheel_dir)
    (wheel_dir / bundle_name("lite")).write_bytes(b"unrecorded")
    statuses = {s.variant: s for s in list_models(wheel_dir)}
    assert list(statuses) == ["lite", "full", "heavy"]
    assert statuses["full"].verified and statuses["full"].source == "offline"
    assert statuses["lite"].present and not statuses["lite"].verified
    assert not statuses["heavy"].present and not statuses["heavy"].offline_available


@pytest.mark.slow
def test_built_bundle_finds_a_person_on_a_real_clip(full_bundle: Path, real_videos: Path) -> None:
    import cv2
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    options = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(full_bundle)),
                                           running_mode=vision.RunningMode.VIDEO)
    capture = cv2.VideoCapture(str(real_videos / "bridge_studio.mp4"))
    found = []
    with vision.PoseLandmarker.create_from_options(options) as landmarker:
        for i in range(12):
            ok, frame = capture.read()
            assert ok
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
            result = landmarker.detect_for_video(image, i * 42)
            found.append(len(result.pose_landmarks) == 1 and len(result.pose_landmarks[0]) == 33)
    capture.release()
    assert all(found)


def test_unwritable_models_dir_says_how_to_choose_another(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(ModelError) as excinfo:
        ensure_model("full", models_dir=blocker / "models")
    assert "set FORMCHECK_MODELS_DIR to a writable folder" in _one_line_error(excinfo)
