"""The engine: thresholds' edges for every shipped rule, abstention, suppression, primary cue, scores."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from formcheck.records import MetricValue, Severity, ViewEstimate
from formcheck.rules import (
    NOT_SIDE_VIEW,
    Direction,
    Rule,
    RulePack,
    RulePhase,
    evaluate_rep,
    evaluate_set,
    load_rule_pack,
)
from formcheck.rules.pack import build_rule_pack

SHIPPED = load_rule_pack()
EPS = 0.1


def _past(rule_value: float, when: Direction, by: float) -> float:
    """A value `by` past a threshold on the fault side (negative `by` = on the good side)."""
    return rule_value - by if when is Direction.BELOW else rule_value + by


def _confirming(rule: Rule) -> dict[str, float]:
    """Values that make the rule's confirming metric agree clearly."""
    if rule.confirm is None:
        return {}
    return {rule.confirm.metric: _past(rule.confirm.threshold, rule.confirm.when, 5.0)}


def _alone(pack: RulePack, rule: Rule) -> RulePack:
    """The pack with only `rule` in it."""
    return replace(pack, rules=(rule,))


REP_RULES = [rule for rule in SHIPPED.rules if rule.phase is RulePhase.LOCKOUT]
SET_RULES = [rule for rule in SHIPPED.rules if rule.phase is RulePhase.SET]


@pytest.mark.parametrize("rule", REP_RULES, ids=lambda rule: rule.id)
@pytest.mark.parametrize(("offset", "fires"), [(-EPS, False), (0.0, False), (EPS, True), (10.0, True)])
def test_lockout_rule_fires_only_past_its_threshold(rule, offset, fires, pack, make_rep):
    value = _past(rule.test.threshold, rule.test.when, offset)
    # the rule alone: another rule giving the same cue (knee and shin rules for the feet) must not mask it
    verdict = evaluate_rep(make_rep(**{rule.test.metric: value, **_confirming(rule)}), _alone(pack, rule))
    assert (rule.cue in [cue.id for cue in verdict.cues]) is fires
    if fires:
        cue = next(cue for cue in verdict.cues if cue.id == rule.cue)
        assert (cue.metric, cue.value, cue.rep, cue.message) == (rule.test.metric, value, 1, rule.message)


@pytest.mark.parametrize("rule", [r for r in REP_RULES if r.confirm], ids=lambda rule: rule.id)
@pytest.mark.parametrize(("offset", "fires"), [(-EPS, False), (0.0, False), (EPS, True)])
def test_confirming_metric_vetoes_at_its_own_threshold(rule, offset, fires, pack, make_rep):
    confirm = rule.confirm
    values = {rule.test.metric: _past(rule.test.threshold, rule.test.when, 5.0),
              confirm.metric: _past(confirm.threshold, confirm.when, offset)}
    verdict = evaluate_rep(make_rep(**values), pack)
    assert (rule.cue in [cue.id for cue in verdict.cues]) is fires
    assert any("not confirmed" in why for rule_id, why in verdict.skipped if rule_id == rule.id) is not fires


@pytest.mark.parametrize("rule", [r for r in REP_RULES if r.confirm], ids=lambda rule: rule.id)
def test_rule_decides_alone_when_confirming_metric_is_unmeasured(rule, pack, make_rep):
    values = {rule.test.metric: _past(rule.test.threshold, rule.test.when, 5.0), rule.confirm.metric: None}
    assert rule.cue in [cue.id for cue in evaluate_rep(make_rep(**values), pack).cues]


@pytest.mark.parametrize("rule", REP_RULES, ids=lambda rule: rule.id)
@pytest.mark.parametrize(("metric", "reason"), [
    (None, "not measured (landmark hidden)"),
    ("low", "confidence 0.10 below"),
])
def test_unmeasured_or_uncertain_metric_abstains_and_says_why(rule, metric, reason, pack, make_rep):
    far_past = _past(rule.test.threshold, rule.test.when, 30.0)
    value = None if metric is None else MetricValue(far_past, confidence=0.1)
    verdict = evaluate_rep(make_rep(**{rule.test.metric: value, **_confirming(rule)}), _alone(pack, rule))
    assert rule.cue not in [cue.id for cue in verdict.cues]
    assert any(rule_id == rule.id and reason in why for rule_id, why in verdict.skipped)


def test_good_rep_gets_no_cue_and_full_score(pack, make_rep):
    verdict = evaluate_rep(make_rep(), pack)
    assert (verdict.cues, verdict.score, verdict.skipped) == ((), 100, ())


def test_short_rep_is_called_short_not_blamed_on_the_feet(pack, make_rep):
    verdict = evaluate_rep(make_rep(hip_extension_deg=150.0, knee_angle_deg=65.0,
                                    shin_from_vertical_deg=-15.0), pack)
    assert [cue.id for cue in verdict.cues] == ["incomplete_lockout"]
    assert verdict.cues[0].primary
    assert ("feet_too_close", "suppressed by incomplete_lockout") in verdict.skipped
    assert verdict.score == 75


@pytest.mark.parametrize(("faults", "expected"), [
    ({"knee_angle_deg": 120.0, "shin_from_vertical_deg": 20.0, "neck_flexion_deg": 85.0,
      "pelvic_tilt_deg": 0.0}, ["feet_too_far", "no_posterior_tilt", "chin_crushed"]),
    ({"neck_flexion_deg": -30.0, "hip_extension_deg": 200.0}, ["lower_back_arch", "chin_lifted"]),
    ({"pelvic_tilt_deg": -5.0, "neck_flexion_deg": 80.0}, ["no_posterior_tilt", "chin_crushed"]),
])
def test_cues_come_most_important_first_and_only_the_first_is_primary(faults, expected, pack, make_rep):
    cues = evaluate_rep(make_rep(**faults), pack).cues
    assert [cue.id for cue in cues] == expected
    assert [cue.primary for cue in cues] == [True] + [False] * (len(expected) - 1)


@pytest.mark.parametrize(("knee", "latched", "fires"), [
    (77.0, False, False),  # above 75: not a fault on its own
    (77.0, True, True),  # still within the 4-degree release band while latched
    (78.9, True, True),
    (79.0, True, False),  # back past threshold + hysteresis: cleared
    (74.0, False, True),
])
def test_latched_cue_clears_only_past_the_hysteresis_band(knee, latched, fires, pack, make_rep):
    rule = next(rule for rule in pack.rules if rule.id == "feet_too_close")
    assert rule.test.hysteresis == 4.0 and rule.test.threshold == 75.0  # the table assumes these
    rep = make_rep(knee_angle_deg=knee, shin_from_vertical_deg=-8.0)  # confirms, short of the shin rule
    verdict = evaluate_rep(rep, pack, latched={"feet_too_close"} if latched else ())
    assert ("feet_too_close" in [cue.id for cue in verdict.cues]) is fires


def test_not_side_view_is_the_only_cue_and_nothing_is_scored(pack, make_rep):
    view = ViewEstimate(side="right", is_side_view=False, confidence=0.8, reason="camera faces the lifter")
    verdict = evaluate_set([make_rep(hip_extension_deg=150.0)], view, pack)
    assert verdict.refused
    assert [cue.id for cue in verdict.set_cues] == [NOT_SIDE_VIEW]
    assert verdict.set_cues[0].message.endswith("(camera faces the lifter)")
    assert (verdict.reps, verdict.score, verdict.cue_ids) == ((), None, (NOT_SIDE_VIEW,))


@pytest.mark.parametrize("rule", SET_RULES, ids=lambda rule: rule.id)
@pytest.mark.parametrize(("offset", "fires"), [(-0.01, False), (0.0, False), (0.01, True)])
def test_set_timing_rule_reads_the_median_rep(rule, offset, fires, pack, side_view, make_rep):
    edge = _past(rule.test.threshold, rule.test.when, offset)
    # Two reps on the fault side of the median and one far on the good side: only the median matters.
    timings = [edge, edge, _past(rule.test.threshold, rule.test.when, -2.0)]
    reps = [make_rep(i + 1, **{rule.test.metric: t}) for i, t in enumerate(timings)]
    verdict = evaluate_set(reps, side_view, pack)
    assert (rule.cue in [cue.id for cue in verdict.set_cues]) is fires
    assert all(cue.rep is None for cue in verdict.set_cues)


def test_two_rules_giving_one_cue_give_it_once_per_level(pack, side_view, make_rep):
    """A fast drive (set rule) and no pause (rep rule) both give `rushed_reps`: once per rep, once per set."""
    reps = [make_rep(i, concentric_s=0.3, hold_s=0.05) for i in (1, 2, 3)]
    verdict = evaluate_set(reps, side_view, pack)
    assert [cue.id for cue in verdict.set_cues] == ["rushed_reps"]
    assert verdict.set_cues[0].metric == "concentric_s"
    per_rep = [[(cue.id, cue.metric) for cue in v.cues] for v in verdict.reps]
    assert per_rep == [[("rushed_reps", "hold_s")]] * 3
    assert verdict.cue_ids == ("rushed_reps",)


TIMING_RULES = [rule for rule in SHIPPED.rules if rule.phase is RulePhase.REP]


def test_the_pause_at_the_top_is_judged_per_rep():
    assert [rule.id for rule in TIMING_RULES] == ["rushed_no_pause"]


@pytest.mark.parametrize("rule", TIMING_RULES, ids=lambda rule: rule.id)
@pytest.mark.parametrize(("offset", "fires"), [(-0.01, False), (0.0, False), (0.01, True)])
def test_rep_timing_rule_fires_only_past_its_threshold(rule, offset, fires, pack, make_rep):
    value = _past(rule.test.threshold, rule.test.when, offset)
    verdict = evaluate_rep(make_rep(**{rule.test.metric: value, **_confirming(rule)}), pack)
    assert (rule.cue in [cue.id for cue in verdict.cues]) is fires
    assert verdict.score == (100 - pack.penalties.of(rule.severity) if fires else 100)


def test_set_score_is_mean_rep_score_minus_set_cue_penalties(pack, side_view, make_rep):
    reps = [make_rep(1, concentric_s=0.3), make_rep(2, concentric_s=0.3, hip_extension_deg=150.0),
            make_rep(3, concentric_s=0.3, neck_flexion_deg=85.0, pelvic_tilt_deg=0.0)]
    verdict = evaluate_set(reps, side_view, pack)
    assert [v.score for v in verdict.reps] == [100, 75, 70]
    assert verdict.score == round((100 + 75 + 70) / 3 - 15)
    assert verdict.cue_ids == ("incomplete_lockout", "no_posterior_tilt", "chin_crushed", "rushed_reps")


def test_set_without_reps_has_no_score_and_says_why_set_rules_abstained(pack, side_view):
    verdict = evaluate_set([], side_view, pack)
    assert (verdict.reps, verdict.set_cues, verdict.score) == ((), (), None)
    assert ("rushed_reps", "concentric_s not measured (no reps counted)") in verdict.skipped


def test_unusable_timing_abstains(pack, side_view, make_rep):
    verdict = evaluate_set([make_rep(1, concentric_s=math.nan)], side_view, pack)
    assert "rushed_reps" not in [cue.id for cue in verdict.set_cues]
    assert any(rule_id == "rushed_reps" and "no rep had a trusted" in why for rule_id, why in verdict.skipped)


def _pack_with(rules_toml: str) -> RulePack:
    import tomllib

    return build_rule_pack([("base", tomllib.loads(
        '[view]\nmessage = "side on"\nwhy = "angles"\n' + rules_toml))])


def test_rep_phase_rule_reads_each_rep_timing(make_rep):
    pack = _pack_with('''[rules.fast_lowering]
phase = "rep"
metric = "eccentric_s"
when = "below"
threshold = 1.0
min_confidence = 0.5
severity = "info"
priority = 1
message = "Lower slowly."
why = "Control."
article_point = 9
''')
    fast, slow = evaluate_rep(make_rep(eccentric_s=0.8), pack), evaluate_rep(make_rep(eccentric_s=1.2), pack)
    assert ([c.id for c in fast.cues], [c.id for c in slow.cues]) == (["fast_lowering"], [])
    assert fast.score == 100  # info costs nothing


def test_severity_and_penalty_come_from_the_pack(pack, make_rep):
    verdict = evaluate_rep(make_rep(hip_extension_deg=200.0, neck_flexion_deg=-30.0), pack)
    assert [cue.severity for cue in verdict.cues] == [Severity.ERROR, Severity.WARNING]
    assert verdict.score == 100 - pack.penalties.error - pack.penalties.warning


# Issue 11 item 5: either the knee or the shin gives the feet cue when it says so clearly (knee over 108 or
# under 75, shin 18 off vertical), unless the other clearly disagrees (within 5 degrees of its target, or
# past it).
@pytest.mark.parametrize(("knee", "shin", "expected"), [
    (104.7, 21.6, ["feet_too_far"]),  # the real far-feet clip the knee threshold used to veto
    (96.0, 19.0, ["feet_too_far"]),  # the shin says far, the knee leans the same way
    (95.0, 20.0, []),  # ... but a knee within 5 of 90 clearly disagrees
    (109.0, 6.0, ["feet_too_far"]),  # the knee says far, the shin leans the same way
    (109.0, 5.0, []),  # ... but a vertical shin clearly disagrees
    (107.0, 17.0, []),  # neither says it clearly
    (74.0, -6.0, ["feet_too_close"]),
    (74.0, -5.0, []),
    (84.0, -22.0, ["feet_too_close"]),  # the shin says close, the knee leans the same way
    (85.0, -22.0, []),
    (65.0, -20.0, ["feet_too_close"]),  # both say it: one cue, not two
    (115.0, 20.0, ["feet_too_far"]),
    (None, -22.0, ["feet_too_close"]),  # plated: the knee is null, the shin alone decides
    (None, -20.0, []),  # ... but only past its margin
    (None, 20.0, ["feet_too_far"]),
    (None, 17.0, []),
    (110.0, None, ["feet_too_far"]),  # the shin unmeasured: the knee alone decides
])
def test_feet_cue_when_one_reading_says_so_clearly_and_the_other_does_not_disagree(knee, shin, expected, pack,
                                                                                   make_rep):
    verdict = evaluate_rep(make_rep(knee_angle_deg=knee, shin_from_vertical_deg=shin), pack)
    assert [cue.id for cue in verdict.cues] == expected


@pytest.mark.parametrize(("concentric_s", "hold_s", "bounced"), [
    (0.5, 0.1, True),  # a fast rise straight into the lowering: bounced
    (0.79, 0.0, True),
    (0.8, 0.0, False),  # no measured pause, but an unhurried rise: not a bounce
    (1.5, 0.0, False),
    (0.5, 0.3, False),  # a fast rise with a pause at the top
])
def test_a_bounced_rep_is_a_fast_rise_with_no_pause(concentric_s, hold_s, bounced, pack, make_rep):
    verdict = evaluate_rep(make_rep(concentric_s=concentric_s, hold_s=hold_s), pack)
    assert ("rushed_reps" in [cue.id for cue in verdict.cues]) is bounced


# Readings no real rep gives: the tracking went wrong, so the rep is not judged at all (its other, faulty
# looking readings included), and the set rules leave it out.
@pytest.mark.parametrize(("overrides", "why"), [
    ({"hip_extension_deg": 320.0, "knee_angle_deg": 150.0}, "hip_extension_deg 320.0"),
    ({"knee_angle_deg": 168.0, "neck_flexion_deg": -40.0}, "knee_angle_deg 168.0"),
    ({"shin_from_vertical_deg": 70.0, "knee_angle_deg": 125.0}, "shin_from_vertical_deg 70.0"),
    ({"concentric_s": 0.04, "hold_s": 0.0}, "concentric_s 0.0"),
    ({"eccentric_s": 0.1, "hip_extension_deg": 150.0}, "eccentric_s 0.1"),
])
def test_an_implausible_rep_is_not_judged_and_says_why(overrides, why, pack, side_view, make_rep):
    verdict = evaluate_rep(make_rep(**overrides), pack)
    assert verdict.cues == ()
    assert verdict.score is None  # no score, rather than a 100 that says nothing
    assert all(why in reason and "not judged" in reason for _, reason in verdict.skipped)
    assert {rule_id for rule_id, _ in verdict.skipped} == {
        rule.id for rule in pack.rules if rule.phase is not RulePhase.SET}
    # its readings are withheld with the reason, and judged again from the verdict it is skipped the same way
    # (a rescore from stored reps)
    shown = verdict.rep.metrics
    assert all(m.value is None and m.reason is not None for m in shown.values())
    measured = [k for k, m in make_rep(**overrides).metrics.items() if m.value is not None]
    assert all(why in shown[k].reason for k in measured)
    again = evaluate_rep(verdict.rep, pack)
    assert again.skipped == verdict.skipped and again.rep == verdict.rep and again.score is None
    fast = [make_rep(1, concentric_s=0.3), make_rep(2, **overrides), make_rep(3, concentric_s=0.3)]
    assert evaluate_set(fast, side_view, pack).cue_ids == ("rushed_reps",)
    stored = [v.rep for v in evaluate_set(fast, side_view, pack).reps]
    assert evaluate_set(stored, side_view, pack).cue_ids == ("rushed_reps",)


@pytest.mark.parametrize(("key", "value"), [
    ("knee_angle_deg", 30.0), ("knee_angle_deg", 160.0), ("hip_extension_deg", 240.0),
    ("shin_from_vertical_deg", -60.0), ("concentric_s", 0.2),
])
def test_plausible_bounds_themselves_are_judged(key, value, pack, make_rep):
    verdict = evaluate_rep(make_rep(**{key: value}), pack)
    assert not any("not judged" in reason for _, reason in verdict.skipped)


def test_set_rule_abstains_when_every_rep_is_implausible(pack, side_view, make_rep):
    verdict = evaluate_set([make_rep(1, concentric_s=0.1), make_rep(2, concentric_s=0.05)], side_view, pack)
    assert verdict.cue_ids == ()
    assert verdict.score is None  # nothing judged: no score, rather than 100
    assert any(rule_id == "rushed_reps" and "only 0 of 2 reps could be judged" in why
               for rule_id, why in verdict.skipped)


@pytest.mark.parametrize(("timings", "fires"), [
    ([0.3, 0.3, 0.1], True),  # one glitch rep left out: the other two are rushed
    ([0.3, 0.1, 0.05], False),  # two of three not judged: the set's timing is not trusted
    ([0.3, 1.0, 0.1, 0.05], False),  # ... nor with half of them judged but the median not rushed
    ([0.3, 0.35, 0.1, 0.05], True),  # half judged, both rushed
])
def test_set_timing_needs_half_the_reps_judged(timings, fires, pack, side_view, make_rep):
    reps = [make_rep(i, concentric_s=c, hold_s=0.6) for i, c in enumerate(timings, start=1)]
    verdict = evaluate_set(reps, side_view, pack)
    assert ("rushed_reps" in [cue.id for cue in verdict.set_cues]) is fires


def test_the_set_score_leaves_out_reps_that_were_not_judged(pack, side_view, make_rep):
    bad = make_rep(1, hip_extension_deg=150.0)  # a short lockout: penalised
    alone = evaluate_set([bad], side_view, pack).score
    assert evaluate_set([bad, make_rep(2, hip_extension_deg=300.0)], side_view, pack).score == alone
