"""Hand-made truths, outcomes and scored clips for the validation tests (tests/validate)."""

from __future__ import annotations

import numpy as np

from formcheck.records import METRIC_KEYS
from formcheck.validate.score import ClipScore, Outcome, OutcomeRep, score_clip
from formcheck.validate.truth import Truth, TruthRep

N = 100
LOCKOUTS = (30, 70)


def truth(expected: tuple[str, ...] = (), acceptable: tuple[str, ...] = (), *, plates: bool = False,
          view: str = "accept", knee: float = 90.0, set_acceptable: tuple[str, ...] = ()) -> Truth:
    """Two reps with these labels at every rep and for the set; knee `knee`, every other metric 10."""
    metrics = {key: np.full(N, 10.0) for key in METRIC_KEYS}
    metrics["knee_angle_deg"] = np.full(N, knee)
    refused = view == "refuse"
    reps = tuple(TruthRep(f, frozenset(() if refused else expected), frozenset(() if refused else acceptable))
                 for f in LOCKOUTS)
    set_expected = frozenset({"not_side_view"} if refused else expected)
    extra = {"not_side_view"} if view == "either" else set()
    return Truth(frames=N, side="left", view=view, plates=plates, metrics=metrics,
                 metrics_2d={key: v + 1.0 for key, v in metrics.items()}, reps=reps,
                 hip_px=np.tile([100.0, 50.0], (N, 1)), shoulder_px=np.tile([0.0, 50.0], (N, 1)),
                 knee_px=np.tile([200.0, 50.0], (N, 1)), hip_hidden=np.zeros(N, bool),
                 set_cues=set_expected,
                 set_acceptable=frozenset(acceptable) | frozenset(set_acceptable) | extra)


def outcome(lockouts: tuple[int, ...] = LOCKOUTS, knee: float | None = 92.0, cues: tuple[str, ...] = (),
            blind: tuple[str, ...] = (), *, accepted: bool = True, neck: float | None = 11.0,
            shin: float | None = 11.0, hip: float | None = 11.0, elevation: float | None = None) -> Outcome:
    """What a pipeline might report: these lockouts, each with these values (the truth is 90 for the knee,
    10 for the rest; pelvic tilt null) and the cue ids."""
    values = {**dict.fromkeys(METRIC_KEYS), "knee_angle_deg": knee, "neck_flexion_deg": neck,
              "shin_from_vertical_deg": shin, "hip_extension_deg": hip}
    reps = tuple(OutcomeRep(f, dict(values), frozenset(cues), frozenset(blind)) for f in lockouts)
    return Outcome(fps=30.0, detection_rate=1.0, side="left", side_view=accepted,
                   reps=reps if accepted else (),
                   set_cues=frozenset() if accepted else frozenset({"not_side_view"}),
                   hip_px=np.tile([103.0, 54.0], (N, 1)), plate_found=False, elevation_deg=elevation)


def scored(name: str = "c", tags: dict[str, str] | None = None, **kwargs: object) -> ClipScore:
    """A clip scored from `truth_kw` and `outcome_kw` passed as dicts in kwargs."""
    truth_kw = dict(kwargs.pop("truth", {}))  # type: ignore[call-overload]
    outcome_kw = dict(kwargs.pop("outcome", {}))  # type: ignore[call-overload]
    return score_clip(name, {"split": "check", "plates": "none", **(tags or {})}, outcome(**outcome_kw),
                      truth(**truth_kw))
