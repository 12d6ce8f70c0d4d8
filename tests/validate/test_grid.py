"""The validation grids: split sizes, the smoke grid, cache keys."""

from __future__ import annotations

import pytest

from formcheck.validate.grid import MIN_CHECK_CLIPS, build_grid, cached_paths, clip_key, quick_grid


def test_default_check_grid_is_large_enough_and_of_check_bodies_only() -> None:
    grid = build_grid("check")
    assert len(grid) >= MIN_CHECK_CLIPS
    assert {c.split for c in grid} == {"check"}
    assert {int(c.tags["body"]) for c in grid} <= set(range(8, 24))
    assert len({c.name for c in grid}) == len(grid)


def test_tune_and_check_never_share_a_body_or_a_seed() -> None:
    tune, check = build_grid("tune", 30), build_grid("check", 30)
    assert not {c.tags["body"] for c in tune} & {c.tags["body"] for c in check}
    assert not {c.params.seed for c in tune} & {c.params.seed for c in check}


def test_quick_grid_is_short_and_covers_a_side_view_and_a_refusal() -> None:
    quick = quick_grid("check")
    assert len(quick) == 2
    assert all(c.params.reps == 1 and c.params.partial_reps == 0 and c.params.fps == 24.0 for c in quick)
    assert any(c.tags["plates"] == "none" and abs(c.params.yaw_deg) <= 10 for c in quick)
    assert any(abs(c.params.yaw_deg) > 40 for c in quick)
    assert build_grid("check", quick=True) == quick


@pytest.mark.parametrize(("split", "n", "match"), [("test", 5, "split"), ("check", 0, "at least 1")])
def test_bad_grid_requests_say_what_was_expected(split: str, n: int, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        build_grid(split, n)


def test_cache_key_follows_the_parameters(tmp_path) -> None:
    a, b = build_grid("check", 2)
    assert clip_key(a) != clip_key(b)
    assert clip_key(a) == clip_key(build_grid("check", 1)[0])
    (_clip, path), = cached_paths([a], tmp_path)
    assert path.parent == tmp_path and path.name.startswith(a.name) and clip_key(a) in path.name
