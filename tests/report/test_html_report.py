"""report.html: self-contained, verdict first, every cue with why it matters."""

from __future__ import annotations

import re

import pytest

from formcheck.report.html_report import cue_groups, render_html, write_html_report
from formcheck.report.keyframes import KeyFrameEncoder, iter_frames

WHY = {"feet_too_far": "Feet too far out hand the work to the hamstrings.",
       "incomplete_lockout": "The glutes work hardest in the last degrees of extension.",
       "not_side_view": "Angles are only true when the camera is side-on."}


def _external_refs(page: str) -> list[str]:
    return re.findall(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, flags=re.I)


def test_page_is_self_contained_with_verdict_and_cues(tmp_path, analysis_factory, track_factory,
                                                      clip_factory):
    analysis = analysis_factory()
    clip = clip_factory(tmp_path / "in.mp4", analysis.source.frames)
    drawn = track_factory(analysis)
    encoder = KeyFrameEncoder(analysis, drawn.joints, drawn.pose, drawn.plate_radius)
    for index, image in iter_frames(clip, [30, 90, 150]):
        encoder.take(index, image)
    path = write_html_report(analysis, tmp_path / "report.html", why=WHY, keyframes=encoder.frames,
                             notes=["annotated.mp4: mp4v"])
    page = path.read_text()
    assert _external_refs(page) == []
    assert "http://" not in page and "https://" not in page
    for cue_id in ("feet_too_far", "incomplete_lockout"):
        assert cue_id in page and WHY[cue_id] in page
    verdict = page.index("78")
    assert verdict < page.index("Each rep") < page.index("What to work on") < page.index("Angles over time") \
        < page.index("The top of each rep") < page.index("annotated.mp4: mp4v")
    assert page.count("data:image/png;base64,") == 1 and page.count("data:image/jpeg;base64,") == 3
    assert "pelvis landmarks are not reliable" in page  # the null metric's reason


def test_fix_first_lists_at_most_two_most_important(analysis_factory):
    page = render_html(analysis_factory(), WHY)
    fix = page[page.index("Fix first"):page.index("</ol>")]
    assert fix.count("<li>") == 2
    assert fix.index("Walk your feet back") < fix.index("Drive the hips")


def test_refused_view_says_could_not_judge(analysis_factory):
    page = render_html(analysis_factory(side_view=False), WHY)
    assert "Could not judge: the camera faces the lifter" in page
    assert "not_side_view" in page and WHY["not_side_view"] in page
    assert "out of 100" not in page


def test_no_rep_says_so_without_a_score(analysis_factory):
    page = render_html(analysis_factory(reps=0), WHY)
    assert "No rep counted" in page and "out of 100" not in page and "Each rep" not in page


def test_text_is_escaped(analysis_factory):
    page = render_html(analysis_factory(), {"feet_too_far": "<script>alert(1)</script>"})
    assert "<script>" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize(("reps", "expected"), [(3, ["feet_too_far", "incomplete_lockout"]),
                                               (1, ["feet_too_far"])])
def test_cue_groups_order(analysis_factory, reps, expected):
    groups = cue_groups(analysis_factory(reps=reps))
    assert [g.id for g in groups] == expected
    assert groups[0].reps == tuple(range(1, reps + 1)) and groups[0].primary == reps


def test_verdict_without_any_measured_angle_gives_no_score(analysis_factory):
    from dataclasses import replace

    from formcheck.records import METRIC_KEYS, MetricValue
    from formcheck.report.html_report import render_html

    base = analysis_factory()
    blind = {k: MetricValue(None, 0.0, "hip hidden behind the plate") for k in METRIC_KEYS}
    reps = tuple(replace(v, rep=replace(v.rep, metrics=blind), cues=()) for v in base.reps)
    page = render_html(replace(base, reps=reps, score=None))
    assert "none judged" in page and "Nothing to fix" not in page
    assert "counted, but no angle could be measured" in page and ">good<" not in page
    assert not any(v.rep.measured for v in reps) and all(v.rep.measured for v in base.reps)


@pytest.mark.parametrize("frames", [0, 1])
def test_tiny_clips_still_render(analysis_factory, frames):
    page = render_html(analysis_factory(reps=0, n_frames=frames), WHY)
    assert "No rep counted" in page
    assert ("data:image/png" in page) == (frames > 0)  # no plot without a measured frame


@pytest.mark.parametrize(("measured", "expected"), [
    (("knee_angle_deg", "shin_from_vertical_deg", "hip_extension_deg", "neck_flexion_deg"), "good"),
    (("shin_from_vertical_deg",), "nothing to fix in what could be measured (shin from vertical)"),
    ((), "counted, but no angle could be measured surely enough to judge (see notes)"),
])
def test_a_rep_without_cues_is_good_only_when_fully_measured(analysis_factory, measured, expected):
    from dataclasses import replace

    from formcheck.records import METRIC_KEYS, MetricValue

    rep = analysis_factory().reps[0].rep
    hidden = MetricValue(None, 0.0, "hidden")
    metrics = {k: MetricValue(1.0, 0.9) if k in measured else hidden for k in METRIC_KEYS}
    assert replace(rep, metrics=metrics).without_cues() == expected


def test_a_rep_the_rules_could_not_judge_shows_no_score_and_says_why(analysis_factory):
    from dataclasses import replace

    analysis = analysis_factory()
    why = "hip_extension_deg 300.0 is outside the 120..240 a real rep gives"
    unjudged = replace(analysis.reps[0], cues=(), score=None, skipped=(("incomplete_lockout", why),))
    page = render_html(replace(analysis, reps=(unjudged, *analysis.reps[1:])), why=WHY)
    first_row = page[page.index("<td>1</td>"):].split("</tr>")[0]
    assert "<td>&ndash;</td>" in first_row and f"Not judged: {why}" in first_row
    assert "<td>100</td>" not in first_row
    n = len(analysis.reps)  # the headline does not pass the judged reps' score off as the whole set's
    assert f"{n} reps counted, {n - 1} judged" in page and "1 rep not judged" in page
    assert "Nothing to fix: every rep met" not in page
