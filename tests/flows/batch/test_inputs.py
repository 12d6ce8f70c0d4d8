"""Which files a batch reads: videos by their content, never their name; folders walked recursively."""

from __future__ import annotations

from pathlib import Path

import pytest

from formcheck.flows.batch.inputs import container_of, discover, file_sha256

MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


@pytest.mark.parametrize(("head", "expected"), [
    (MP4_HEAD, "MP4/QuickTime"),
    (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", "MP4/QuickTime"),
    (b"\x00\x00\x00\x08wide\x00\x00\x00\x00mdat", "MP4/QuickTime"),
    (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01", "Matroska/WebM"),
    (b"RIFF\x10\x00\x00\x00AVI LIST", "AVI"),
    (b"RIFF\x10\x00\x00\x00WAVEfmt ", None),
    (bytes([0x47] + [0] * 187 + [0x47] + [0] * 187 + [0x47] + [0] * 20), "MPEG-TS"),
    (b"\x00\x00\x01\xba\x44\x00", "MPEG-PS"),
    (b"FLV\x01\x05", "FLV"),
    (b"\x30\x26\xb2\x75\x8e\x66\xcf\x11\xa6\xd9", "ASF/WMV"),
    (b"OggS\x00\x02", "Ogg"),
    (b"this is text, not a video\n", None),
    (b"\x89PNG\r\n\x1a\n\x00\x00", None),
    (b"", None),
])
def test_containers_are_known_by_their_first_bytes(head, expected):
    assert container_of(head) == expected


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_folders_are_walked_and_files_judged_by_content(tmp_path):
    clips = tmp_path / "clips"
    a = _write(clips / "a.mp4", MP4_HEAD)
    b = _write(clips / "deeper" / "b.MOV.bak", MP4_HEAD)  # a video whatever its name says
    _write(clips / "notes.mp4", b"shopping list\n")  # named like a video: reported
    _write(clips / "a.gt.json", b'{"reps": 3}')  # not a video, not named like one: passed over
    _write(clips / ".hidden" / "c.mp4", MP4_HEAD)  # hidden folders are not walked
    found = discover([clips])
    assert found.videos == (a, b)
    assert [(r.path.name, r.reason) for r in found.rejected] == [("notes.mp4", "text, not a video")]
    assert found.ignored == 1


def test_named_files_are_reported_whatever_their_name(tmp_path):
    text = _write(tmp_path / "readme.txt", b"hello\n")
    found = discover([text, tmp_path / "missing.mp4"])
    assert found.videos == ()
    assert [r.reason for r in found.rejected] == ["text, not a video", "no such file or folder"]


def test_the_batch_output_folder_and_repeats_are_not_inputs(tmp_path):
    a = _write(tmp_path / "a.mp4", MP4_HEAD)
    _write(tmp_path / "out" / "ann" / "annotated.mp4", MP4_HEAD)
    found = discover([tmp_path, a], exclude=tmp_path / "out")
    assert found.videos == (a,)


def test_content_hash_is_streamed_sha256(tmp_path):
    path = _write(tmp_path / "big.bin", b"x" * (3 * 1024 * 1024 + 5))
    import hashlib

    assert file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()
