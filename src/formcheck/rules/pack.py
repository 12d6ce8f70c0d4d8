"""The rule pack: coaching rules as data (TOML) loaded into typed, validated, frozen records.

The shipped pack is `hip_thrust.toml` in this package. A user file (`--rules FILE`) overrides shipped rules
field by field (same id) and adds new ones; with `extend=False` it replaces the pack instead. Any problem is
one `InputError` line naming the file, the rule, the bad field and the valid choices, e.g.
``rules.toml: rule 'feet_too_far': unknown metric 'knee' (valid: knee_angle_deg, ...)``.
The file format is described in docs/rules.md and, by example, in hip_thrust.toml itself.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from formcheck.errors import InputError
from formcheck.records import METRIC_KEYS, Severity
from formcheck.rules.scoring import MAX_SCORE, Penalties

T = TypeVar("T")

# Per-rep timing keys of RepSummary (seconds).
TIMING_KEYS = ("concentric_s", "hold_s", "eccentric_s")
BUILTIN_PACK = "hip_thrust.toml"
ARTICLE_POINTS = range(1, 11)  # the numbered coaching points of ARTICLE.md
_ID_PATTERN = re.compile(r"[a-z][a-z0-9_]*")


class RulePhase(StrEnum):
    """When a rule looks: at each rep's lockout, over each rep, over the whole set."""

    LOCKOUT = "lockout"
    REP = "rep"
    SET = "set"


class Direction(StrEnum):
    """Which side of the threshold is a fault."""

    ABOVE = "above"
    BELOW = "below"


class Aggregate(StrEnum):
    """How a set-level rule summarises a per-rep value across the set."""

    MEDIAN = "median"
    MEAN = "mean"
    MIN = "min"
    MAX = "max"


# What each phase can read: metrics at lockout, timing per rep, either over the set.
PHASE_KEYS: dict[RulePhase, tuple[str, ...]] = {
    RulePhase.LOCKOUT: METRIC_KEYS,
    RulePhase.REP: TIMING_KEYS,
    RulePhase.SET: METRIC_KEYS + TIMING_KEYS,
}


@dataclass(frozen=True)
class Condition:
    """A metric compared with a threshold; `hysteresis` widens the threshold while the fault is latched.

    A latched `below` fault clears only once the value is back above threshold + hysteresis (and a latched
    `above` fault below threshold - hysteresis), so a value wobbling around the threshold does not flicker.
    """

    metric: str
    when: Direction
    threshold: float
    min_confidence: float
    hysteresis: float = 0.0

    def __post_init__(self) -> None:
        if self.metric not in METRIC_KEYS + TIMING_KEYS:
            raise ValueError(_unknown("metric", self.metric, METRIC_KEYS + TIMING_KEYS))
        if not 0.0 <= self.min_confidence <= 1.0:
            raise ValueError(f"min_confidence: expected 0..1, got {self.min_confidence}")
        if self.hysteresis < 0:
            raise ValueError(f"hysteresis: expected >= 0, got {self.hysteresis}")

    def past(self, value: float, *, latched: bool = False) -> bool:
        """Whether `value` is on the fault side of the threshold (strictly; the threshold itself is fine)."""
        margin = self.hysteresis if latched else 0.0
        if self.when is Direction.BELOW:
            return value < self.threshold + margin
        return value > self.threshold - margin

    def describe(self) -> str:
        return f"{self.metric} {self.when.value} {self.threshold:g}"


@dataclass(frozen=True)
class Rule:
    """One coaching rule: when `test` is past its threshold (and `confirm`, if measured, agrees) give a cue.

    `confirm` can only veto: when its metric is measured and not past its threshold the rule stays quiet;
    when it cannot be measured the rule decides on `test` alone. `suppresses` lists cue ids this rule
    silences in the same rep when it fires (a short rep is called short, not blamed on the feet).
    """

    id: str
    phase: RulePhase
    test: Condition
    severity: Severity
    priority: int  # lower = more important; the primary cue is the firing cue with the lowest priority
    message: str
    why: str
    article_point: int
    cue: str  # the cue id given; several rules may give the same cue
    confirm: Condition | None = None
    suppresses: tuple[str, ...] = ()
    aggregate: Aggregate = Aggregate.MEDIAN
    enabled: bool = True

    def __post_init__(self) -> None:
        for name, condition in (("metric", self.test), ("confirm.metric", self.confirm)):
            if condition is not None and condition.metric not in PHASE_KEYS[self.phase]:
                raise ValueError(f"{name} {condition.metric!r} cannot be read at phase "
                                 f"'{self.phase.value}' (valid: {', '.join(PHASE_KEYS[self.phase])})")
        if self.article_point not in ARTICLE_POINTS:
            raise ValueError(f"article_point: expected 1..10, got {self.article_point}")
        if not self.message.strip() or not self.why.strip():
            raise ValueError("message and why: expected non-empty text")


@dataclass(frozen=True)
class ViewRule:
    """The `not_side_view` cue: the only thing said when the camera is not side-on."""

    message: str
    why: str
    severity: Severity = Severity.ERROR


@dataclass(frozen=True)
class PlausibleRange:
    """The readings of one metric or timing key a real rep can give; outside it the tracking is wrong."""

    low: float
    high: float

    def __post_init__(self) -> None:
        if not self.low < self.high:
            raise ValueError(f"expected low < high, got [{self.low:g}, {self.high:g}]")

    def holds(self, value: float) -> bool:
        return self.low <= value <= self.high


@dataclass(frozen=True)
class RulePack:
    """A validated set of rules, the not-side-view cue, the score penalties and the plausible ranges."""

    name: str
    rules: tuple[Rule, ...]
    view: ViewRule
    penalties: Penalties
    sources: tuple[str, ...]  # the files it was built from, in layering order
    # metric or timing key -> what a rep can plausibly read; a rep outside any of them is not judged
    plausible: Mapping[str, PlausibleRange] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ids = [rule.id for rule in self.rules]
        if len(ids) != len(set(ids)):
            raise ValueError(f"rules: expected unique ids, got {ids}")
        for key in self.plausible:
            if key not in METRIC_KEYS + TIMING_KEYS:
                raise ValueError(f"plausible: {_unknown('key', key, METRIC_KEYS + TIMING_KEYS)}")

    def active(self, *phases: RulePhase) -> tuple[Rule, ...]:
        """Enabled rules of the given phases, most important first (ties keep file order)."""
        chosen = [rule for rule in self.rules if rule.enabled and rule.phase in phases]
        return tuple(sorted(chosen, key=lambda rule: rule.priority))

    def cue_priority(self, cue_id: str) -> int:
        """The best priority among the rules giving `cue_id` (-1 for not_side_view, which overrides all)."""
        priorities = [rule.priority for rule in self.rules if rule.cue == cue_id]
        return min(priorities) if priorities else -1


def load_rule_pack(path: Path | None = None, *, extend: bool = True) -> RulePack:
    """The shipped hip-thrust pack, overridden/extended by `path` (or replaced by it when not `extend`)."""
    layers: list[tuple[str, dict[str, Any]]] = []
    if path is None or extend:
        text = resources.files("formcheck.rules").joinpath(BUILTIN_PACK).read_text(encoding="utf-8")
        layers.append((f"{BUILTIN_PACK} (built-in)", _parse(BUILTIN_PACK, text)))
    if path is not None:
        layers.append((str(path), _parse(str(path), _read(path))))
    return build_rule_pack(layers)


def build_rule_pack(layers: list[tuple[str, dict[str, Any]]]) -> RulePack:
    """Merge parsed TOML documents (later ones override earlier ones field by field) into a RulePack."""
    merged: dict[str, dict[str, Any]] = {"pack": {}, "scoring": {}, "view": {}, "plausible": {}}
    rules: dict[str, dict[str, Any]] = {}
    origin: dict[str, str] = {}  # rule id -> the last file that set any of its fields
    for source, document in layers:
        _check_document(source, document)
        for section in merged:
            merged[section].update(document.get(section, {}))
        for rule_id, raw in document.get("rules", {}).items():
            rule = rules.setdefault(rule_id, {})
            confirm = {**rule.get("confirm", {}), **raw.get("confirm", {})}
            rule.update(raw)
            if confirm:
                rule["confirm"] = confirm
            origin[rule_id] = source
    last = layers[-1][0]
    built = tuple(_build_rule(origin[rule_id], rule_id, raw) for rule_id, raw in rules.items())
    _check_suppresses(origin, built)
    return RulePack(
        name=str(merged["pack"].get("name", "rules")),
        rules=built,
        view=_wrap(last, "[view]", lambda: _view_rule(merged["view"])),
        penalties=Penalties(**merged["scoring"]),
        sources=tuple(source for source, _ in layers),
        plausible={key: PlausibleRange(*bounds) for key, bounds in merged["plausible"].items()},
    )


def _read(path: Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"rules file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read rules file {path}: {exc}") from None


def _parse(source: str, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{source}: not valid TOML: {exc}") from None


# Field parsers: each turns a raw TOML value into a typed one or raises ValueError naming what was expected.
def _text(field: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{field}: expected non-empty text, got {value!r}")
        return value
    return parse


def _number(field: str) -> Callable[[Any], float]:
    def parse(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{field}: expected a number, got {value!r}")
        return float(value)
    return parse


def _integer(field: str) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{field}: expected an integer, got {value!r}")
        return value
    return parse


def _choice(field: str, choices: tuple[str, ...]) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        if value not in choices:
            raise ValueError(_unknown(field, value, choices))
        return str(value)
    return parse


def _cue_id(value: Any) -> str:
    if not isinstance(value, str) or not _ID_PATTERN.fullmatch(value):
        raise ValueError(f"cue: expected a lower_snake_case id, got {value!r}")
    return value


def _cue_ids(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError(f"suppresses: expected a list of cue ids, got {value!r}")
    return tuple(_cue_id(item) for item in value)


def _points(field: str) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SCORE:
            raise ValueError(f"{field}: expected an integer 0..{MAX_SCORE}, got {value!r}")
        return value
    return parse


def _confirm_table(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"confirm: expected a table, got {value!r}")
    try:
        _check_fields(_CONDITION_FIELDS, value)
    except ValueError as exc:
        raise ValueError(f"confirm: {exc}") from None
    return value


def _bounds(field: str) -> Callable[[Any], tuple[float, float]]:
    def parse(value: Any) -> tuple[float, float]:
        if (not isinstance(value, list) or len(value) != 2
                or any(isinstance(v, bool) or not isinstance(v, int | float) for v in value)):
            raise ValueError(f"{field}: expected [low, high], two numbers, got {value!r}")
        low, high = float(value[0]), float(value[1])
        if not low < high:
            raise ValueError(f"{field}: expected low < high, got {value!r}")
        return low, high
    return parse


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"enabled: expected true or false, got {value!r}")
    return value


_CONDITION_FIELDS: dict[str, Callable[[Any], Any]] = {
    "metric": _choice("metric", METRIC_KEYS + TIMING_KEYS),
    "when": _choice("when", tuple(Direction)),
    "threshold": _number("threshold"),
    "hysteresis": _number("hysteresis"),
    "min_confidence": _number("min_confidence"),
}
_RULE_FIELDS: dict[str, Callable[[Any], Any]] = {
    **_CONDITION_FIELDS,
    "phase": _choice("phase", tuple(RulePhase)),
    "severity": _choice("severity", tuple(Severity)),
    "priority": _integer("priority"),
    "message": _text("message"),
    "why": _text("why"),
    "article_point": _integer("article_point"),
    "cue": _cue_id,
    "suppresses": _cue_ids,
    "aggregate": _choice("aggregate", tuple(Aggregate)),
    "enabled": _flag,
    "confirm": _confirm_table,
}
_REQUIRED = ("phase", "metric", "when", "threshold", "min_confidence", "severity", "priority", "message",
             "why", "article_point")
_SECTIONS: dict[str, dict[str, Callable[[Any], Any]]] = {
    "pack": {"name": _text("name"), "description": _text("description")},
    "scoring": {severity.value: _points(severity.value) for severity in Severity},
    "view": {"message": _text("message"), "why": _text("why"),
             "severity": _choice("severity", tuple(Severity))},
    "plausible": {key: _bounds(key) for key in METRIC_KEYS + TIMING_KEYS},
}


def _check_document(source: str, document: dict[str, Any]) -> None:
    """Check every key and value one file sets, so an error names the file that holds it."""
    for section, content in document.items():
        if section not in (*_SECTIONS, "rules"):
            raise InputError(f"{source}: {_unknown('table', section, (*_SECTIONS, 'rules'))}")
        if not isinstance(content, dict):
            raise InputError(f"{source}: [{section}] expected a table, got {content!r}")
        if section != "rules":
            _wrap(source, f"[{section}]", partial(_check_fields, _SECTIONS[section], content))
            continue
        for rule_id, raw in content.items():
            where = f"rule {rule_id!r}"
            if not _ID_PATTERN.fullmatch(rule_id):
                raise InputError(f"{source}: {where}: expected a lower_snake_case id")
            if not isinstance(raw, dict):
                raise InputError(f"{source}: {where}: expected a table, got {raw!r}")
            _wrap(source, where, partial(_check_fields, _RULE_FIELDS, raw))


def _check_fields(fields: Mapping[str, Callable[[Any], Any]], raw: Mapping[str, Any]) -> None:
    for key, value in raw.items():
        if key not in fields:
            raise ValueError(_unknown("field", key, tuple(fields)))
        fields[key](value)


def _build_rule(source: str, rule_id: str, raw: dict[str, Any]) -> Rule:
    where = f"rule {rule_id!r}"
    missing = [key for key in _REQUIRED if key not in raw]
    if missing:
        raise InputError(f"{source}: {where}: missing field {missing[0]!r} "
                         f"(required: {', '.join(_REQUIRED)})")
    field = {key: _RULE_FIELDS[key](value) for key, value in raw.items()}
    return _wrap(source, where, lambda: Rule(
        id=rule_id,
        phase=RulePhase(field["phase"]),
        test=_condition(field, default_confidence=field["min_confidence"]),
        severity=Severity(field["severity"]),
        priority=field["priority"],
        message=field["message"],
        why=field["why"],
        article_point=field["article_point"],
        cue=field.get("cue", rule_id),
        confirm=_confirm(field.get("confirm"), field["min_confidence"]),
        suppresses=field.get("suppresses", ()),
        aggregate=Aggregate(field.get("aggregate", Aggregate.MEDIAN)),
        enabled=field.get("enabled", True),
    ))


def _condition(field: Mapping[str, Any], *, default_confidence: float) -> Condition:
    return Condition(
        metric=field["metric"],
        when=Direction(field["when"]),
        threshold=float(field["threshold"]),
        min_confidence=float(field.get("min_confidence", default_confidence)),
        hysteresis=float(field.get("hysteresis", 0.0)),
    )


def _confirm(raw: Mapping[str, Any] | None, default_confidence: float) -> Condition | None:
    if not raw:
        return None
    missing = [key for key in ("metric", "when", "threshold") if key not in raw]
    if missing:
        raise ValueError(f"confirm: missing field {missing[0]!r} (required: metric, when, threshold)")
    return _condition(raw, default_confidence=default_confidence)


def _check_suppresses(origin: Mapping[str, str], rules: tuple[Rule, ...]) -> None:
    cues = tuple(dict.fromkeys(rule.cue for rule in rules))
    for rule in rules:
        for cue in rule.suppresses:
            if cue not in cues:
                raise InputError(f"{origin[rule.id]}: rule {rule.id!r}: suppresses unknown cue {cue!r} "
                                 f"(valid: {', '.join(cues)})")


def _view_rule(raw: Mapping[str, Any]) -> ViewRule:
    missing = [key for key in ("message", "why") if key not in raw]
    if missing:
        raise ValueError(f"missing field {missing[0]!r} (required: message, why)")
    return ViewRule(message=raw["message"], why=raw["why"],
                    severity=Severity(raw.get("severity", Severity.ERROR)))


def _wrap(source: str, where: str, build: Callable[[], T]) -> T:
    """Run `build`, turning a ValueError into one InputError line naming the file and place."""
    try:
        return build()
    except ValueError as exc:
        raise InputError(f"{source}: {where}: {str(exc).splitlines()[0]}") from None


def _unknown(field: str, value: Any, choices: tuple[str, ...]) -> str:
    return f"unknown {field} {value!r} (valid: {', '.join(choices)})"


__all__ = ["TIMING_KEYS", "Aggregate", "Condition", "Direction", "PlausibleRange", "Rule", "RulePack",
           "RulePhase", "ViewRule", "build_rule_pack", "load_rule_pack"]
