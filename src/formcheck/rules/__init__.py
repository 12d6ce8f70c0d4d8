"""Coaching rules: a TOML rule pack (data) evaluated by a small engine into cues and 0-100 scores.

Use `load_rule_pack()` (optionally with a user `--rules FILE`), then `evaluate_set(reps, view, pack)` for a
recorded set or `evaluate_rep(rep, pack)` with a `CueDebouncer` for live use.
"""

from formcheck.rules.debounce import CueDebouncer
from formcheck.rules.engine import NOT_SIDE_VIEW, SetVerdict, can_read, evaluate_rep, evaluate_set
from formcheck.rules.pack import (
    TIMING_KEYS,
    Aggregate,
    Condition,
    Direction,
    Rule,
    RulePack,
    RulePhase,
    ViewRule,
    load_rule_pack,
)
from formcheck.rules.scoring import Penalties, rep_score, set_score

__all__ = [
    "NOT_SIDE_VIEW",
    "TIMING_KEYS",
    "Aggregate",
    "Condition",
    "CueDebouncer",
    "Direction",
    "Penalties",
    "Rule",
    "RulePack",
    "RulePhase",
    "SetVerdict",
    "ViewRule",
    "can_read",
    "evaluate_rep",
    "evaluate_set",
    "load_rule_pack",
    "rep_score",
    "set_score",
]
