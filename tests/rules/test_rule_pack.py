"""Loading the rule pack: the shipped pack's content, user overrides/extensions, one-line errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from formcheck.errors import InputError
from formcheck.records import Severity
from formcheck.rules import RulePhase, load_rule_pack

# docs/design.md's stable cue ids the shipped pack must give (not_side_view is the engine's own).
DESIGN_CUES = {"feet_too_close", "feet_too_far", "incomplete_lockout", "lower_back_arch", "no_posterior_tilt",
               "chin_lifted", "chin_crushed", "rushed_reps"}


def _write(tmp_path, text: str):
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_pack_gives_every_design_cue_from_an_article_point(pack):
    assert {rule.cue for rule in pack.rules} == DESIGN_CUES
    assert all(1 <= rule.article_point <= 10 and rule.enabled for rule in pack.rules)
    assert pack.sources == ("hip_thrust.toml (built-in)",)


def test_shipped_priorities_follow_the_documented_order(pack):
    order = [rule.cue for rule in sorted(pack.rules, key=lambda rule: rule.priority)]
    ranks = [order.index(cue) for cue in ("incomplete_lockout", "feet_too_close", "lower_back_arch",
                                          "no_posterior_tilt", "chin_crushed", "rushed_reps")]
    assert ranks == sorted(ranks)
    lockout = next(rule for rule in pack.rules if rule.id == "incomplete_lockout")
    assert set(lockout.suppresses) == {"feet_too_close", "feet_too_far"}


def test_shipped_thresholds_leave_good_form_clear(pack):
    """The ideal of each metric (the design contract) is on the good side of every threshold, with room to
    spare; for the neck, every value of the coached band (+10 to +65) is."""
    ideal = {"knee_angle_deg": 90.0, "shin_from_vertical_deg": 0.0, "hip_extension_deg": 180.0,
             "neck_flexion_deg": 37.5, "pelvic_tilt_deg": 12.0}
    neck = [rule for rule in pack.active(RulePhase.LOCKOUT) if rule.test.metric == "neck_flexion_deg"]
    for band_edge in (10.0, 65.0):
        assert not any(rule.test.past(band_edge, latched=True) for rule in neck)
    for rule in pack.active(RulePhase.LOCKOUT):
        for condition in (rule.test, rule.confirm):
            if condition is not None:
                assert not condition.past(ideal[condition.metric], latched=True), rule.id
                assert abs(ideal[condition.metric] - condition.threshold) >= 5.0, rule.id


def test_user_file_overrides_field_by_field_and_adds_rules(tmp_path):
    path = _write(tmp_path, '''
[scoring]
warning = 10

[rules.feet_too_far]
threshold = 110.0
confirm = { threshold = 8.0 }

[rules.chin_lifted]
enabled = false

[rules.slow_lowering]
phase = "rep"
metric = "eccentric_s"
when = "above"
threshold = 4.0
min_confidence = 0.5
severity = "info"
priority = 70
message = "Keep the lowering steady, no need to crawl."
why = "Very slow lowering tires you before the set's last reps."
article_point = 9
''')
    pack, shipped = load_rule_pack(path), load_rule_pack()
    rules = {rule.id: rule for rule in pack.rules}
    before = {rule.id: rule for rule in shipped.rules}["feet_too_far"]
    after = rules["feet_too_far"]
    assert after.test.threshold == 110.0
    assert (after.message, after.priority) == (before.message, before.priority)
    assert (after.confirm.threshold, after.confirm.metric) == (8.0, "shin_from_vertical_deg")
    assert "chin_lifted" not in [rule.id for rule in pack.active(RulePhase.LOCKOUT)]
    assert rules["slow_lowering"].phase is RulePhase.REP and rules["slow_lowering"].severity is Severity.INFO
    assert (pack.penalties.warning, pack.penalties.error) == (10, 25)
    assert pack.sources == ("hip_thrust.toml (built-in)", str(path))


def test_without_extend_the_user_file_is_the_whole_pack(tmp_path):
    path = _write(tmp_path, '''
[view]
message = "Side on, please."
why = "Angles need it."

[rules.only_rule]
phase = "lockout"
metric = "knee_angle_deg"
when = "below"
threshold = 60.0
min_confidence = 0.4
severity = "error"
priority = 1
message = "Feet out."
why = "Knees."
article_point = 4
''')
    pack = load_rule_pack(path, extend=False)
    assert [rule.id for rule in pack.rules] == ["only_rule"]
    assert pack.view.message == "Side on, please."


_BASE = '''[rules.new_rule]
phase = "lockout"
metric = "knee_angle_deg"
when = "below"
threshold = 60.0
min_confidence = 0.5
severity = "warning"
priority = 5
message = "m"
why = "w"
article_point = 4
'''


@pytest.mark.parametrize(("text", "expected"), [
    ('[rules.feet_too_far]\ntreshold = 1.0\n',
     "rule 'feet_too_far': unknown field 'treshold' (valid: metric, when, threshold,"),
    ('[rules.feet_too_far]\nmetric = "knee"\n',
     "rule 'feet_too_far': unknown metric 'knee' (valid: knee_angle_deg, shin_from_vertical_deg, "
     "hip_extension_deg, neck_flexion_deg, pelvic_tilt_deg, concentric_s, hold_s, eccentric_s)"),
    ('[rules.feet_too_far]\nphase = "top"\n',
     "rule 'feet_too_far': unknown phase 'top' (valid: lockout, rep, set)"),
    ('[rules.feet_too_far]\nseverity = "fatal"\n',
     "rule 'feet_too_far': unknown severity 'fatal' (valid: info, warning, error)"),
    ('[rules.feet_too_far]\nwhen = "over"\n', "unknown when 'over' (valid: above, below)"),
    ('[rules.rushed_reps]\naggregate = "mode"\n', "unknown aggregate 'mode' (valid: median, mean, min, max)"),
    ('[rules.feet_too_far]\nthreshold = "high"\n',
     "rule 'feet_too_far': threshold: expected a number, got 'high'"),
    ('[rules.feet_too_far]\npriority = 1.5\n', "priority: expected an integer, got 1.5"),
    ('[rules.feet_too_far]\nmin_confidence = 1.5\n', "min_confidence: expected 0..1, got 1.5"),
    ('[rules.feet_too_far]\narticle_point = 11\n', "article_point: expected 1..10, got 11"),
    ('[rules.feet_too_far]\nhysteresis = -1\n', "hysteresis: expected >= 0, got -1"),
    ('[rules.feet_too_far]\nconfirm = { metric = "shin" }\n',
     "rule 'feet_too_far': confirm: unknown metric 'shin' (valid: knee_angle_deg,"),
    ('[rules.chin_lifted]\nmetric = "hold_s"\n',
     "rule 'chin_lifted': metric 'hold_s' cannot be read at phase 'lockout' (valid: knee_angle_deg,"),
    ('[rules.incomplete_lockout]\nsuppresses = ["feet_wrong"]\n',
     "rule 'incomplete_lockout': suppresses unknown cue 'feet_wrong' (valid: incomplete_lockout,"),
    ('[rules.new_rule]\nmetric = "knee_angle_deg"\n',
     "rule 'new_rule': missing field 'phase' (required: phase, metric,"),
    (_BASE + 'enabled = "yes"\n', "rule 'new_rule': enabled: expected true or false, got 'yes'"),
    ('[rules.Bad-Id]\nthreshold = 1\n', "rule 'Bad-Id': expected a lower_snake_case id"),
    ('[rule.feet_too_far]\nthreshold = 1\n',
     "unknown table 'rule' (valid: pack, scoring, view, plausible, rules)"),
    ('[scoring]\nerror = 200\n', "[scoring]: error: expected an integer 0..100, got 200"),
    ('[scoring]\nfatal = 50\n', "[scoring]: unknown field 'fatal' (valid: info, warning, error)"),
    ('[rules.feet_too_far\nthreshold = 1\n', "not valid TOML"),
    ('[plausible]\nknee = [30, 160]\n', "[plausible]: unknown field 'knee' (valid: knee_angle_deg,"),
    ('[plausible]\nknee_angle_deg = 160\n', "[plausible]: knee_angle_deg: expected [low, high], two numbers"),
    ('[plausible]\nknee_angle_deg = [160, 30]\n', "[plausible]: knee_angle_deg: expected low < high"),
])
def test_bad_rules_file_is_one_line_naming_file_field_and_choices(tmp_path, text, expected):
    path = _write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        load_rule_pack(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert expected in message
    assert "\n" not in message


def test_missing_rules_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="rules file not found"):
        load_rule_pack(tmp_path / "nope.toml")


def test_replacing_pack_without_view_says_what_is_missing(tmp_path):
    path = _write(tmp_path, _BASE)
    with pytest.raises(InputError, match=r"\[view\]: missing field 'message' \(required: message, why\)"):
        load_rule_pack(path, extend=False)


REPO_ROOT = Path(__file__).resolve().parents[2]
ARTICLE = REPO_ROOT / ".." / "shared" / "ARTICLE.md"


def test_docs_example_rules_file_loads(tmp_path):
    text = (REPO_ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", text, re.S)
    assert example is not None
    pack = load_rule_pack(_write(tmp_path, example.group(1)))
    assert "slow_lowering" in [rule.id for rule in pack.rules]


@pytest.mark.skipif(not ARTICLE.exists(), reason="the source article sits beside the repository")
def test_cue_texts_are_in_the_projects_own_words(pack):
    """No five-word run of a message or `why` appears in the article."""
    words = re.findall(r"[a-z']+", ARTICLE.read_text(encoding="utf-8").lower())
    article_runs = {tuple(words[i:i + 5]) for i in range(len(words) - 4)}
    for rule in pack.rules:
        for text in (rule.message, rule.why):
            ours = re.findall(r"[a-z']+", text.lower())
            copied = [ours[i:i + 5] for i in range(len(ours) - 4) if tuple(ours[i:i + 5]) in article_runs]
            assert not copied, (rule.id, copied)


def test_user_file_overrides_one_plausible_range(tmp_path):
    pack = load_rule_pack(_write(tmp_path, "[plausible]\nknee_angle_deg = [20.0, 170.0]\n"))
    shipped = load_rule_pack()
    assert (pack.plausible["knee_angle_deg"].low, pack.plausible["knee_angle_deg"].high) == (20.0, 170.0)
    assert pack.plausible["hip_extension_deg"] == shipped.plausible["hip_extension_deg"]
