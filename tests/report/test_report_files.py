"""atomic_write / atomic_path: the final name appears only when writing succeeded."""

from __future__ import annotations

import pytest

from formcheck.report.files import atomic_path, atomic_write


class Boom(RuntimeError):
    pass


def test_success_renames_and_leaves_no_temp(tmp_path):
    out = tmp_path / "sub" / "report.json"
    with atomic_write(out) as handle:
        handle.write("{}")
        assert not out.exists()  # not visible under its final name while writing
    assert out.read_text() == "{}"
    assert sorted(p.name for p in out.parent.iterdir()) == ["report.json"]


@pytest.mark.parametrize("mode", ["w", "wb"])
def test_failure_midway_leaves_no_file(tmp_path, mode):
    out = tmp_path / "angles.csv"
    with pytest.raises(Boom), atomic_write(out, mode) as handle:
        handle.write(b"half" if "b" in mode else "half")
        raise Boom
    assert list(tmp_path.iterdir()) == []


def test_failure_keeps_previous_complete_file(tmp_path):
    out = tmp_path / "report.html"
    out.write_text("old complete report")
    with pytest.raises(Boom), atomic_write(out) as handle:
        handle.write("new half")
        raise Boom
    assert out.read_text() == "old complete report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_atomic_path_keeps_suffix_and_requires_a_file(tmp_path):
    out = tmp_path / "annotated.mp4"
    with pytest.raises(FileNotFoundError, match="expected the writer to create"), atomic_path(out) as tmp:
        assert tmp.suffix == ".mp4" and tmp.parent == tmp_path and tmp.name.startswith(".")
    assert list(tmp_path.iterdir()) == []


def test_rejects_read_mode(tmp_path):
    with pytest.raises(ValueError, match="expected a write mode"), atomic_write(tmp_path / "x", "r"):
        pass
