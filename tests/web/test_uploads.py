"""Bad uploads: each gives one clear line and a 4xx, never a 500, and leaves no file behind."""

from __future__ import annotations

import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest

from formcheck.web.uploads import UploadRejected, check_client, sniff_video
from web.serving import SAMPLES, upload, wait_for_job

PNG = cv2.imencode(".png", np.zeros((8, 8, 3), np.uint8))[1].tobytes()


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _leftovers(data_dir: Path) -> list[str]:
    return sorted(str(p.relative_to(data_dir)) for p in data_dir.rglob("*") if p.is_file())


@pytest.mark.parametrize(
    ("make", "status", "expected"),
    [
        (lambda d: _write(d / "empty.mp4", b""), 400, "the file is empty"),
        (lambda d: _write(d / "cut.mp4", (SAMPLES / "good_form_left.mp4").read_bytes()[:40_000]), 422,
         "truncated or corrupt"),
        (lambda d: _write(d / "photo.mp4", PNG), 415, "a PNG image, not a video"),
        (lambda d: _write(d / "notes.mp4", b"these are my notes on the set\n"), 415, "text, not a video"),
        (lambda d: _write(d / "noise.mp4", bytes(range(256)) * 8), 415, "not a video formcheck can read"),
    ],
    ids=["empty", "truncated", "image", "text", "unknown-bytes"],
)
def test_bad_uploads_get_one_clear_line_and_a_4xx(client, tmp_path, make, status, expected):
    response = upload(client, make(tmp_path))
    assert response.status_code == status, response.text
    assert expected in response.json()["error"]
    assert "\n" not in response.json()["error"] and str(tmp_path) not in response.json()["error"]
    assert _leftovers(tmp_path / "data") == []


def test_too_big_gets_413_and_the_partial_file_is_removed(make_client, tmp_path):
    client = make_client(max_upload_bytes=100_000)
    response = upload(client, SAMPLES / "good_form_left.mp4")  # ~700 kB
    assert response.status_code == 413
    assert "larger than this server accepts" in response.json()["error"]
    assert _leftovers(tmp_path / "data") == []


def test_too_big_is_refused_from_its_length_before_it_is_read(make_client):
    client = make_client(max_upload_bytes=1000)
    response = client.post("/api/jobs", content=b"x" * 200_000,
                           headers={"content-type": "multipart/form-data; boundary=b"})
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("body", "content_type", "status", "expected"),
    [
        (b"client=Alex", "application/x-www-form-urlencoded", 415, "multipart/form-data"),
        (b"--b\r\nContent-Disposition: form-data; name=\"client\"\r\n\r\nAlex\r\n--b--\r\n",
         "multipart/form-data; boundary=b", 400, "choose a video file"),
        (b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.mp4\"\r\n\r\nabc",
         "multipart/form-data; boundary=b", 400, None),
    ],
    ids=["not-multipart", "no-file", "cut-off-body"],
)
def test_malformed_requests_are_4xx(client, body, content_type, status, expected):
    response = client.post("/api/jobs", content=body, headers={"content-type": content_type})
    assert response.status_code == status, response.text
    if expected:
        assert expected in response.json()["error"]


@pytest.mark.parametrize(
    ("name", "ok"),
    [("Alex", True), ("  Zoë O'Neil ", True), ("李雷", True), ("", False), ("../etc", False),
     ("a/b", False), ("x" * 65, False), ("<script>", False)],
)
def test_client_names_are_data_not_paths(name, ok):
    if ok:
        assert check_client(name) == name.strip()
    else:
        with pytest.raises(UploadRejected) as refused:
            check_client(name)
        assert refused.value.status == 400


def test_upload_without_a_client_name_is_refused(client):
    response = upload(client, SAMPLES / "good_form_left.mp4", client_name="")
    assert response.status_code == 400 and "name the client" in response.json()["error"]


@pytest.mark.parametrize(
    ("head", "suffix"),
    [(b"\x00\x00\x00\x20ftypisom", ".mp4"), (b"\x1aE\xdf\xa3\x9fB\x86\x81", ".webm"),
     (b"RIFF\x00\x00\x00\x00AVI LIST", ".avi")],
)
def test_containers_are_recognised_by_their_bytes(tmp_path, head, suffix):
    assert sniff_video(_write(tmp_path / "video.txt", head + bytes(56))) == suffix


@pytest.mark.slow
def test_a_video_with_nobody_in_it_fails_its_job_with_422(client, make_video):
    created = upload(client, make_video("blank.mp4", frames=30))
    assert created.status_code == 202
    job = wait_for_job(client, created.json()["job"])
    assert job["status"] == "failed" and "person was found in only 0%" in job["error"]
    assert client.get(f"/api/jobs/{job['job']}").status_code == 422


@pytest.mark.slow
def test_a_camera_that_is_not_side_on_fails_its_job_with_422_and_a_report(client, sports2d_demo, tmp_path):
    facing = tmp_path / "facing.mp4"  # frames 15-75: a man on a box, facing the camera
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(sports2d_demo), "-vf",
                    "select='between(n,15,75)',setpts=N/30/TB,scale=640:-2", "-an", str(facing)], check=True)
    job = wait_for_job(client, upload(client, facing).json()["job"])
    assert job["status"] == "failed" and "not side-on" in job["error"]
    assert client.get(f"/api/jobs/{job['job']}").status_code == 422
    assert client.get(job["links"]["report.html"]).status_code == 200  # the report says why
