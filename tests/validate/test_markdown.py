"""docs/accuracy.md and the README block from hand-made scored clips."""

from __future__ import annotations

import pytest

from formcheck.validate.markdown import Meta, breakdown_table, document, splice_readme, target_rows
from formcheck.validate.notes import sections
from formcheck.validate.summary import summarise
from validate_factory import scored

META = Meta(command="formcheck validate", date="today", machine="m", version="0", seconds=60.0)


def _summary():
    clips = [scored("good", tags={"body": "8", "elevation": "level"}),
             scored("bad", tags={"body": "9", "elevation": "high"}, outcome={"knee": 97.0}),
             scored("refused", tags={"body": "9"}, truth={"view": "refuse"}, outcome={"accepted": False})]
    return summarise(clips), clips


def test_target_rows_mark_what_is_missed() -> None:
    summary, _ = _summary()
    rows = {r.check: r for r in target_rows(summary)}
    assert rows["knee MAE, plate-free lockouts"].met == "**no**"
    assert "worst body row: body 9" in rows["knee MAE, plate-free lockouts"].measured
    assert rows["shin MAE, plate-free lockouts"].met == "yes"
    assert rows["camera beyond 40° refused"].measured == "1/1"
    assert rows["pelvic tilt"].met.startswith("null")


def test_breakdown_table_marks_failing_rows() -> None:
    summary, _ = _summary()
    text = breakdown_table(summary.rows["elevation"])
    assert "| ✗ high |" in text and "| level |" in text and "knee 7.0°" in text


def test_document_has_headline_breakdowns_constants_and_clips() -> None:
    summary, clips = _summary()
    fitted = {"KNEE_LANDMARK_BIAS_DEG": {"fitted": 6.1, "n": 40}}
    text = document(summary, clips, META, sections(summary, clips, fitted))
    for heading in ("## Targets", "## Rows that miss a target", "### Body", "### Camera elevation",
                    "## Fitted constants", "## Every clip"):
        assert heading in text
    assert "6.1 (n=40)" in text and "`KNEE_LANDMARK_BIAS_DEG`" in text
    assert "camera elevation high (1 clips): knee 7.0°" in text


def test_readme_table_goes_between_the_markers_only() -> None:
    summary, _ = _summary()
    text = "intro\n<!-- accuracy:start -->\nold\n<!-- accuracy:end -->\noutro\n"
    out = splice_readme(text, summary, META)
    assert out.startswith("intro\n<!-- accuracy:start -->\n| check | target | measured | met |")
    assert out.endswith("<!-- accuracy:end -->\noutro\n") and "old" not in out
    with pytest.raises(ValueError, match="markers"):
        splice_readme("no markers", summary, META)
