"""report.json: docs/design.md schema v1 keys, nulls with reasons, rounding, validation messages."""

from __future__ import annotations

import copy
import dataclasses
import json

import pytest

from formcheck.records import METRIC_KEYS
from formcheck.report.json_report import report_dict, validate_report, write_json_report


def test_written_report_has_schema_v1_keys(tmp_path, analysis_factory):
    path = write_json_report(analysis_factory(), tmp_path / "report.json", notes=["video: mp4v"])
    doc = json.loads(path.read_text())
    validate_report(doc)
    assert doc["schema_version"] == 1
    assert set(doc["source"]) >= {"path", "fps", "frames", "width", "height"}
    assert set(doc["view"]) >= {"side", "is_side_view", "confidence"}
    assert [r["index"] for r in doc["reps"]] == [1, 2, 3]
    assert [(r["start_frame"], r["lockout_frame"], r["end_frame"]) for r in doc["reps"]] == \
        [(10, 30, 60), (70, 90, 120), (130, 150, 180)]
    assert doc["summary"] == {"rep_count": 3, "score": 78, "cues": ["feet_too_far", "incomplete_lockout"]}
    assert doc["notes"][-1] == "video: mp4v"


def test_null_metric_is_null_with_reason(analysis_factory):
    rep = report_dict(analysis_factory())["reps"][0]
    assert list(rep["metrics"]) == list(METRIC_KEYS)
    assert rep["metrics"]["pelvic_tilt_deg"] is None
    assert rep["confidence"]["pelvic_tilt_deg"] == 0.0
    assert "pelvis" in rep["null_reasons"]["pelvic_tilt_deg"]
    assert set(rep["null_reasons"]) == {"pelvic_tilt_deg"}


def test_values_rounded_and_extras_present(analysis_factory):
    rep = report_dict(analysis_factory())["reps"][0]
    assert rep["metrics"]["knee_angle_deg"] == 105.0
    assert rep["timing"] == {"concentric_s": 0.7, "hold_s": 0.3, "eccentric_s": 0.7}
    cue = rep["cues"][0]
    assert cue == {"id": "feet_too_far", "severity": "warning", "message": cue["message"], "primary": True,
                   "metric": "knee_angle_deg", "value": 105.0}


def test_non_finite_timing_becomes_null_not_invalid_json(tmp_path, analysis_factory):
    analysis = analysis_factory(reps=1)
    verdict = analysis.reps[0]
    odd = dataclasses.replace(verdict, rep=dataclasses.replace(verdict.rep, hold_s=float("nan")))
    path = write_json_report(dataclasses.replace(analysis, reps=(odd,)), tmp_path / "report.json")
    assert json.loads(path.read_text())["reps"][0]["timing"]["hold_s"] is None


def test_refused_view_has_no_reps_and_null_score(analysis_factory):
    doc = report_dict(analysis_factory(side_view=False))
    validate_report(doc)
    assert doc["view"]["is_side_view"] is False and doc["view"]["reason"]
    assert doc["reps"] == [] and doc["summary"]["score"] is None
    assert doc["summary"]["cues"] == ["not_side_view"]


def _broken(doc, path, value):
    doc = copy.deepcopy(doc)
    *parents, last = path
    target = doc
    for key in parents:
        target = target[key]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return doc


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("schema_version",), 2, "schema_version: expected 1"),
        (("source",), KeyError, "report.source: expected a key"),
        (("view", "is_side_view"), 1, "report.view.is_side_view: expected bool"),
        (("reps", 0, "metrics", "knee_angle_deg"), "91", "expected a number or null"),
        (("reps", 0, "metrics", "neck_flexion_deg"), KeyError, "missing \\['neck_flexion_deg'\\]"),
        (("reps", 1, "cues", 0, "severity"), KeyError, r"reps\[1\].cues\[0\].severity"),
        (("summary", "rep_count"), 4, "expected 3 \\(the reps listed\\), got 4"),
        (("summary", "score"), "87", "expected int or null"),
    ],
)
def test_validate_names_the_broken_key(analysis_factory, path, value, message):
    doc = report_dict(analysis_factory())
    with pytest.raises(ValueError, match=message):
        validate_report(_broken(doc, path, value))


# docs/design.md "report.json (schema_version 1), minimum keys", except rep_count: the design abbreviates
# the rep list (4 counted, 1 shown), and validate_report insists that rep_count matches the reps listed.
DESIGN_EXAMPLE = {
    "schema_version": 1,
    "source": {"path": "...", "fps": 30.0, "frames": 420, "width": 640, "height": 360},
    "view": {"side": "left", "is_side_view": True, "confidence": 0.97},
    "reps": [{"index": 1, "start_frame": 24, "lockout_frame": 62, "end_frame": 122,
              "metrics": {"knee_angle_deg": 91.2, "shin_from_vertical_deg": -3.0, "hip_extension_deg": 179.1,
                          "neck_flexion_deg": 2.0, "pelvic_tilt_deg": None},
              "cues": [{"id": "feet_too_far", "severity": "warning", "message": "..."}]}],
    "summary": {"rep_count": 1, "score": 87, "cues": ["feet_too_far"]},
}


def test_design_example_validates():
    validate_report(DESIGN_EXAMPLE)


def test_our_report_is_a_superset_of_the_design_example(analysis_factory):
    doc = report_dict(analysis_factory())

    def keys(d, ex):
        for k, v in ex.items():
            assert k in d, k
            if isinstance(v, dict) and k != "metrics":
                keys(d[k], v)
    keys(doc, DESIGN_EXAMPLE)
    keys(doc["reps"][0], DESIGN_EXAMPLE["reps"][0])
    keys(doc["reps"][0]["cues"][0], DESIGN_EXAMPLE["reps"][0]["cues"][0])
