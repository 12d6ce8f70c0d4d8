"""Every constant chosen from renders, where it came from, and its value read from the code at run time.

Issue 11 asks that any constant fitted to renders be fitted on the tune split only, and that
docs/accuracy.md list them. `REGISTRY` is that list; `value()` reads each one from its module (or from
the shipped rule pack) every time, so the table never goes stale, and a renamed constant fails the tests
with the name to fix here. `origin` says how the value was chosen: "fitted" (from renders), "article"
(the article's or DESIGN.md's targets), or "article + margin" (an article target moved by a margin chosen
from render errors). Where this list is unsure of a value's origin it says so in `fitted_on`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

ORIGINS = ("fitted", "article", "article + margin")
TUNE_FIT = "formcheck validate --split tune --fit benchmarks/results/tune_fit.json"
RULES = "rules/hip_thrust.toml"


@dataclass(frozen=True)
class Constant:
    """One constant: where it lives (`module` and a dotted `name`, e.g. `BAR_REPS.min_rise`), what it is,
    how it was chosen and where."""

    name: str
    module: str  # a module path, or RULES for a rule pack threshold (`name` = rule id + field)
    what: str
    origin: str
    fitted_on: str
    unit: str = ""
    fit_key: str = ""  # the key of `validate.fit` results that refits it, if any

    def __post_init__(self) -> None:
        if self.origin not in ORIGINS:
            raise ValueError(f"Constant {self.name}: expected origin in {ORIGINS}, got {self.origin!r}")

    def value(self) -> float | int:
        """The value in the code now. LookupError naming this registry when it is gone."""
        if self.module == RULES:
            return _rule_value(self.name)
        head, *fields = self.name.split(".")
        module = importlib.import_module(self.module)
        try:
            obj = getattr(module, head)
            if isinstance(obj, type):  # a dataclass of settings: its default
                obj = obj()
            for part in fields:
                obj = getattr(obj, part)
        except AttributeError as exc:
            raise LookupError(f"{self.module}.{self.name} is gone: update validate/constants.py's REGISTRY "
                              f"({exc})") from exc
        return obj


def _rule_value(name: str) -> float:
    """`rule_id.threshold` or `rule_id.confirm` of the shipped rule pack."""
    from formcheck.rules import load_rule_pack

    rule_id, field = name.split(".")
    rules = {rule.id: rule for rule in load_rule_pack().rules}
    if rule_id not in rules:
        raise LookupError(f"rule {rule_id!r} is gone from {RULES}: update validate/constants.py's REGISTRY "
                          f"(rules now: {', '.join(sorted(rules))})")
    condition = rules[rule_id].test if field == "threshold" else rules[rule_id].confirm
    if condition is None:
        raise LookupError(f"rule {rule_id!r} has no {field}: update validate/constants.py's REGISTRY")
    return condition.threshold


_METRICS = "formcheck.measure.metrics"
_OLD_CALIBRATION = "renders outside the grid, level camera (benchmarks/calibrate_{}.py); refit: " + TUNE_FIT
_UNSURE = "unsure: the pack says thresholds start from the article's targets; to be confirmed by the lead"
_TUNE_RULES = ("tune split (v2 observations), the middle of the gap between good and faulty reps' readings "
               "({}); rerun: formcheck validate --split tune")

REGISTRY: tuple[Constant, ...] = (
    Constant("KNEE_LANDMARK_BIAS_DEG", _METRICS, "MediaPipe's knee angle minus the true one at lockout",
             "fitted", _OLD_CALIBRATION.format("knee_shin"), "°", "knee"),
    Constant("SHIN_LANDMARK_BIAS_DEG", _METRICS, "MediaPipe's shin angle minus the true one at lockout",
             "fitted", _OLD_CALIBRATION.format("knee_shin"), "°", "shin"),
    Constant("KNEE_BIAS_PER_ELEVATION_DEG", _METRICS, "change of the knee bias per degree the camera looks "
             "down (estimated)", "fitted", TUNE_FIT + " (plate-free lockouts; the slope through zero with "
             "the least MAE)", "", "knee_elevation"),
    Constant("SHIN_BIAS_PER_ELEVATION_DEG", _METRICS, "change of the shin bias per degree the camera looks "
             "down (estimated)", "fitted", TUNE_FIT + " (plate-free lockouts; the slope through zero with "
             "the least MAE)", "", "shin_elevation"),
    Constant("HIP_LANDMARK_BIAS_DEG", _METRICS, "MediaPipe's hip extension minus the true one at lockout",
             "fitted", TUNE_FIT, "°", "hip"),
    Constant("NECK_NEUTRAL_OFFSET_DEG", _METRICS, "head-line angle of a neck in line with the torso",
             "fitted", _OLD_CALIBRATION.format("neck"), "°", "neck_offset"),
    Constant("NECK_GAIN", _METRICS, "true neck per degree of head-line angle", "fitted",
             _OLD_CALIBRATION.format("neck"), "", "neck_gain"),
    Constant("incomplete_lockout.threshold", RULES, "hip extension below which the lockout is short",
             "fitted", "tune split (v4 observations, after HIP_LANDMARK_BIAS_DEG): 158-160 give the same "
             "cues (163 cues good reps, 155 misses short ones), so the middle; DESIGN.md's cue zone was 165 "
             "on the readings before the offset", "°"),
    Constant("lower_back_arch.threshold", RULES, "hip extension above which the back arches", "fitted",
             "tune split (v4 observations, after HIP_LANDMARK_BIAS_DEG): 190-195 give the same cues (below "
             "190 good reps get the cue), so the middle", "°"),
    Constant("feet_too_close.threshold", RULES, "knee angle below which the feet are too close",
             "fitted", _TUNE_RULES.format("good reps down to 81.7, close up to 68.2"), "°"),
    Constant("feet_too_close.confirm", RULES, "shin that vetoes feet_too_close when it clearly disagrees",
             "article + margin", "5° off the vertical shin the article asks for", "°"),
    Constant("feet_too_far.threshold", RULES, "knee angle above which the feet are too far",
             "fitted", _TUNE_RULES.format("good reps up to 104.3, far from 113.7"), "°"),
    Constant("feet_too_far.confirm", RULES, "shin that vetoes feet_too_far when it clearly disagrees",
             "article + margin", "5° off the vertical shin the article asks for", "°"),
    Constant("feet_too_close_shin.threshold", RULES, "shin back past which the feet are too close",
             "fitted", _TUNE_RULES.format("v5 observations: good back to -18.3, close from -23.2"),
             "°"),
    Constant("feet_too_close_shin.confirm", RULES, "knee that vetoes feet_too_close_shin",
             "article + margin", "5° off the article's 90° knee", "°"),
    Constant("feet_too_far_shin.threshold", RULES, "shin out past which the feet are too far",
             "fitted", _TUNE_RULES.format("good up to 15.8, far from 20.2"), "°"),
    Constant("feet_too_far_shin.confirm", RULES, "knee that vetoes feet_too_far_shin",
             "article + margin", "5° off the article's 90° knee", "°"),
    Constant("no_posterior_tilt.threshold", RULES, "pelvic tilt below which the butt is not tucked",
             "article", "the article's tuck; never fires while pelvic tilt is null", "°"),
    Constant("chin_crushed.threshold", RULES, "neck flexion above which the chin is crushed", "article",
             "DESIGN.md's neck contract", "°"),
    Constant("chin_lifted.threshold", RULES, "neck flexion below which the chin is lifted", "article",
             "DESIGN.md's neck contract", "°"),
    Constant("rushed_reps.threshold", RULES, "median concentric time below which reps are rushed",
             "fitted", "the old fixed grid's rushed vs controlled renders; " + _UNSURE, "s"),
    Constant("rushed_no_pause.threshold", RULES, "hold at the top below which a rep bounced", "fitted",
             "the old fixed grid's renders (held ~1 s vs 0 s); " + _UNSURE, "s"),
    Constant("rushed_no_pause.confirm", RULES, "rise time a bounced rep must also be under", "article",
             "the renderer's rushed label (a hold under 0.25 s with a rise under 0.8 s)", "s"),
    Constant("PlateSearch.min_radius", "formcheck.plate.finder", "smallest plate radius (body scale)",
             "fitted", "the old fixed grid's renders (plates 0.25-0.34, glutes 0.08-0.13); refit on tune"),
    Constant("PlateSearch.max_radius", "formcheck.plate.finder", "largest plate radius (body scale)",
             "fitted", "the old fixed grid's renders; refit on tune"),
    Constant("PlateSearch.min_support", "formcheck.plate.finder", "share of the rim that must show an edge",
             "fitted", "the old fixed grid's renders; refit on tune"),
    Constant("PlateSearch.min_presence", "formcheck.plate.finder",
             "share of frames showing a plate for the clip to have one", "fitted",
             "the old fixed grid's renders; refit on tune"),
    Constant("TORSO_REPS.min_rise", "formcheck.measure.lockout", "least torso rise of a rep",
             "fitted", "tune split (v2 observations): counted reps rise 16-50°; half the least", "°"),
    Constant("TORSO_REPS.edge_band", "formcheck.measure.lockout", "share of the rise that makes a phase edge",
             "fitted", "tune split: 0.1 gave the least tempo error (0.05 cut holds to nothing; 0.15, 0.2 "
             "worse)", ""),
    Constant("TORSO_REPS.steady_ms", "formcheck.measure.lockout", "median window rep decisions follow",
             "fitted", "tune split: 200 ms beat 0, 100, 150 and 400 ms on reps exact", "ms"),
    Constant("BAR_REPS.min_rise", "formcheck.measure.lockout", "least bar rise of a rep (% body scale)",
             "fitted", "tune split (v2 observations): counted bar reps rise 14-28%; 15 lost reps of 12 cm "
             "rises", "%"),
    Constant("BAR_REPS.min_peak", "formcheck.measure.lockout", "lowest top of a rep (% body scale, vs "
             "the shoulder)", "fitted", "tune split: not checked (-100); raised cameras draw locked-out bars "
             "10-20% below the shoulder, and a floor of -10% lost their reps (47/50 exact without, 43/50 "
             "with)", "%"),
    Constant("BAR_REPS.start_rise", "formcheck.measure.lockout", "rise that starts a rep (% body scale)",
             "fitted", "renders of the old grid; refit on tune", "%"),
    Constant("BAR_REPS.turn_drop", "formcheck.measure.lockout", "drop that ends a top (% body scale)",
             "fitted", "renders of the old grid; refit on tune", "%"),
    Constant("BAR_REPS.settle_band", "formcheck.measure.lockout", "band of a settled top (% body scale)",
             "fitted", "renders of the old grid; refit on tune", "%"),
    Constant("SIDE_VIEW_MAX_YAW_DEG", "formcheck.body.view", "camera yaw beyond which the view is refused",
             "article + margin", "between the 25° that must be accepted and the 40° that must be refused",
             "°"),
    Constant("YAW_ESTIMATE_BIAS_DEG", "formcheck.body.view", "how high the landmark yaw estimate reads",
             "fitted", "tune split (v5 observations): median of estimate minus truth over the 56 clips "
             "filmed within 25° of side-on", "°"),
    Constant("PLATE_SIDE_VIEW_MIN_PRESENCE", "formcheck.body.view",
             "share of frames with a round plate that vouches for a side view", "fitted",
             "the old fixed grid's plated 15° clips; refit on tune"),
)


def registry_rows() -> list[tuple[Constant, float | int | str]]:
    """Each constant with its current value ("missing: ..." when it cannot be read)."""
    rows: list[tuple[Constant, float | int | str]] = []
    for constant in REGISTRY:
        try:
            rows.append((constant, constant.value()))
        except LookupError as exc:
            rows.append((constant, f"missing: {exc}"))
    return rows
