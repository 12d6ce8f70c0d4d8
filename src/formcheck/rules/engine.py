"""The rules engine: turns rep summaries into cues, one primary cue per rep, and 0-100 scores.

- `evaluate_rep(rep, pack)` judges one rep (lockout and rep-phase rules); live use calls it after each rep,
  passing the cues still latched from the previous rep so hysteresis applies (see `CueDebouncer.active`).
- `evaluate_set(reps, view, pack)` judges a whole set: every rep, then the set-phase rules. Set rules
  (the shipped tempo cue reads the set's median timing) are not part of `evaluate_rep`; a live loop that
  wants them calls `evaluate_set` on the reps so far (cheap: a few comparisons per rep).
- Offline, reps are judged independently (no latching), so a verdict does not depend on rep order.

Abstention: a rule whose metric is null or below its `min_confidence` gives no cue; the verdict lists it
in `skipped` with the reason. A rep with a reading outside the pack's `plausible` ranges (a hip extension of
300 degrees, a rise of one frame) is not a hip-thrust rep as measured: the landmarks or the rep's bounds
are wrong, so its other readings are not trusted either and every rule abstains on it (set rules leave it
out, and abstain when that leaves fewer than half of the set's reps). Its verdict reports those readings as
null with the reason (`UNTRUSTED`): a number the tool will not judge by is not one to show a lifter either.
When the camera is not side-on the only cue is `not_side_view`: no rep is judged and the score is None.

Primary cue: the firing cue with the lowest `priority`. Before choosing it, a firing rule silences the cues
it `suppresses` in the same rep (a short rep is called short rather than blamed on the feet), and when
several rules give the same cue id only the most important one is kept.

Score (docs/scoring.md): rep = max(0, 100 - sum of the penalties of the cues given, by severity);
set = max(0, round(mean of rep scores - penalties of the set-level cues)); None without reps.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from formcheck.records import Cue, MetricValue, RepSummary, RepVerdict, ViewEstimate
from formcheck.rules.pack import TIMING_KEYS, Aggregate, Condition, Rule, RulePack, RulePhase
from formcheck.rules.scoring import rep_score, set_score

NOT_SIDE_VIEW = "not_side_view"
# The null reason of a reading an implausible rep's verdict withholds; `implausible` reads it back, so a rep
# judged again from its verdict's summary (`formcheck batch --rescore`) is skipped for the same reason.
UNTRUSTED = "not trusted: "
_AGGREGATES: dict[Aggregate, Callable[[list[float]], float]] = {
    Aggregate.MEDIAN: statistics.median,
    Aggregate.MEAN: statistics.fmean,
    Aggregate.MIN: min,
    Aggregate.MAX: max,
}


@dataclass(frozen=True)
class SetVerdict:
    """A judged set: each rep's verdict, the set-level cues and the 0-100 set score."""

    view: ViewEstimate
    reps: tuple[RepVerdict, ...]
    set_cues: tuple[Cue, ...]
    score: int | None  # None when the view was refused or no rep was counted
    skipped: tuple[tuple[str, str], ...] = field(default=())  # set-level (rule id, why it gave no cue)
    cue_ids: tuple[str, ...] = field(default=())  # every cue given in the set, most important first

    @property
    def refused(self) -> bool:
        """True when the camera was not side-on and nothing was judged."""
        return not self.view.is_side_view


def evaluate_rep(rep: RepSummary, pack: RulePack, *, latched: Iterable[str] = ()) -> RepVerdict:
    """Judge one rep: its lockout metrics and its timing. `latched` cue ids use their release thresholds."""
    why_not = implausible(rep, pack)
    if why_not is not None:
        skipped = tuple((rule.id, why_not) for rule in pack.active(RulePhase.LOCKOUT, RulePhase.REP))
        return RepVerdict(rep=_withheld(rep, why_not), cues=(), score=None, skipped=skipped)
    sources = {RulePhase.LOCKOUT: rep.metrics, RulePhase.REP: _timing(rep)}
    firing, skipped = _fire(pack.active(RulePhase.LOCKOUT, RulePhase.REP),
                            lambda rule: sources[rule.phase], frozenset(latched))
    given, settled = _settle(firing)
    cues = tuple(replace(cue, rep=rep.index, primary=(i == 0)) for i, cue in enumerate(given))
    return RepVerdict(rep=rep, cues=cues, score=rep_score(cues, pack.penalties), skipped=(*skipped, *settled))


def evaluate_set(reps: Sequence[RepSummary], view: ViewEstimate, pack: RulePack) -> SetVerdict:
    """Judge a set: every rep, then the set rules over the reps."""
    if not view.is_side_view:
        return _refused(view, pack)
    verdicts = tuple(evaluate_rep(rep, pack) for rep in reps)
    firing, skipped = _fire(pack.active(RulePhase.SET), lambda rule: _aggregates(rule, reps, pack),
                            frozenset())
    set_cues, settled = _settle(firing)
    given = [*set_cues, *(cue for verdict in verdicts for cue in verdict.cues)]
    return SetVerdict(
        view=view,
        reps=verdicts,
        set_cues=set_cues,
        score=set_score([v.score for v in verdicts if v.score is not None], set_cues, pack.penalties),
        skipped=(*skipped, *settled),
        cue_ids=tuple(sorted(dict.fromkeys(cue.id for cue in given), key=pack.cue_priority)),
    )


def implausible(rep: RepSummary, pack: RulePack) -> str | None:
    """Why the rep cannot be judged (a reading outside the pack's plausible ranges, or withheld for being
    outside them when it was first judged), or None when it can."""
    for metric in rep.metrics.values():
        if metric.value is None and metric.reason is not None and metric.reason.startswith(UNTRUSTED):
            return metric.reason.removeprefix(UNTRUSTED)
    readings = {**rep.metrics, **_timing(rep)}
    for key, bounds in pack.plausible.items():
        value = readings[key].value
        if value is not None and not bounds.holds(value):
            return (f"{key} {value:.1f} is outside the {bounds.low:g}..{bounds.high:g} a real rep gives: "
                    "the tracking is wrong at this rep, so it is not judged")
    return None


def _withheld(rep: RepSummary, why: str) -> RepSummary:
    """`rep` with every measured lockout reading replaced by null and the reason (its timing is kept: the
    report shows it with the rep's edges)."""
    metrics = {key: metric if metric.value is None else MetricValue(None, metric.confidence, UNTRUSTED + why)
               for key, metric in rep.metrics.items()}
    return replace(rep, metrics=metrics)


def _refused(view: ViewEstimate, pack: RulePack) -> SetVerdict:
    message = pack.view.message + (f" ({view.reason})" if view.reason else "")
    cue = Cue(id=NOT_SIDE_VIEW, severity=pack.view.severity, message=message, primary=True)
    return SetVerdict(view=view, reps=(), set_cues=(cue,), score=None, cue_ids=(NOT_SIDE_VIEW,))


_Skips = tuple[tuple[str, str], ...]


def _fire(rules: Sequence[Rule], source_for: Callable[[Rule], Mapping[str, MetricValue]],
          latched: frozenset[str]) -> tuple[list[tuple[Rule, Cue]], _Skips]:
    """Run rules (most important first): the ones that fire with their cue, and why others abstained."""
    firing: list[tuple[Rule, Cue]] = []
    skipped: list[tuple[str, str]] = []
    for rule in rules:
        cue, reason = _judge(rule, source_for(rule), rule.cue in latched)
        if cue is not None:
            firing.append((rule, cue))
        elif reason is not None:
            skipped.append((rule.id, reason))
    return firing, tuple(skipped)


def _settle(firing: Sequence[tuple[Rule, Cue]]) -> tuple[tuple[Cue, ...], _Skips]:
    """Drop cues silenced by a firing rule's `suppresses`, and repeats of a cue id already given."""
    silenced = {cue_id: rule.id for rule, _ in firing for cue_id in rule.suppresses if cue_id != rule.cue}
    given: list[Cue] = []
    skipped: list[tuple[str, str]] = []
    for rule, cue in firing:
        if cue.id in silenced:
            skipped.append((rule.id, f"suppressed by {silenced[cue.id]}"))
        elif any(other.id == cue.id for other in given):
            skipped.append((rule.id, f"cue {cue.id} already given by a more important rule"))
        else:
            given.append(cue)
    return tuple(given), tuple(skipped)


def _judge(rule: Rule, source: Mapping[str, MetricValue], latched: bool) -> tuple[Cue | None, str | None]:
    """A cue when the rule fires; else None with the reason it abstained (None if the form was fine)."""
    value, why_not = _reading(rule.test, source)
    if value is None:
        return None, why_not
    if not rule.test.past(value, latched=latched):
        return None, None
    if rule.confirm is not None:
        other, _ = _reading(rule.confirm, source)
        if other is not None and not rule.confirm.past(other, latched=latched):
            return None, (f"{rule.test.describe()} ({value:.1f}) but not confirmed: "
                          f"{rule.confirm.metric} is {other:.1f}, not {rule.confirm.when.value} "
                          f"{rule.confirm.threshold:g}")
    return Cue(id=rule.cue, severity=rule.severity, message=rule.message, metric=rule.test.metric,
               value=value), None


def can_read(condition: Condition, source: Mapping[str, MetricValue]) -> bool:
    """True when `condition`'s metric is in `source`, measured and at least as confident as it asks:
    otherwise a rule built on it abstains."""
    return _reading(condition, source)[0] is not None


def _reading(condition: Condition, source: Mapping[str, MetricValue]) -> tuple[float | None, str | None]:
    """The value to compare, or None with why it cannot be trusted."""
    metric = source.get(condition.metric)
    if metric is None:
        return None, f"{condition.metric} not available"
    if metric.value is None:
        return None, f"{condition.metric} not measured ({metric.reason})"
    if metric.confidence < condition.min_confidence:
        return None, (f"{condition.metric} confidence {metric.confidence:.2f} below "
                      f"{condition.min_confidence:.2f}")
    return metric.value, None


def _timing(rep: RepSummary) -> dict[str, MetricValue]:
    """A rep's timing as metric values: exact (confidence 1) unless not finite or negative."""
    timing = {}
    for key in TIMING_KEYS:
        seconds = float(getattr(rep, key))
        if math.isfinite(seconds) and seconds >= 0:
            timing[key] = MetricValue(seconds, confidence=1.0)
        else:
            timing[key] = MetricValue(None, reason=f"rep {rep.index} has no usable {key} ({seconds})")
    return timing


def _aggregates(rule: Rule, reps: Sequence[RepSummary], pack: RulePack) -> dict[str, MetricValue]:
    """For a set rule: each of its metrics summarised over the reps where it was trusted."""
    source = {}
    judged = [rep for rep in reps if implausible(rep, pack) is None]
    for condition in (rule.test, rule.confirm):
        if condition is None:
            continue
        if 2 * len(judged) < len(reps):  # a set summary over the odd rep the tracking got right is no summary
            source[condition.metric] = MetricValue(
                None, reason=f"only {len(judged)} of {len(reps)} reps could be judged")
            continue
        readings = [_reading(condition, {**rep.metrics, **_timing(rep)})[0] for rep in judged]
        values = [value for value in readings if value is not None]
        if values:
            source[condition.metric] = MetricValue(_AGGREGATES[rule.aggregate](values), confidence=1.0)
        else:
            source[condition.metric] = MetricValue(
                None, reason=f"no rep had a trusted {condition.metric}" if reps else "no reps counted")
    return source
