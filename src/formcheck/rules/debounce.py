"""Live cue pacing: which cue, if any, to say out loud after each rep.

A lifter mid-set can take in one short cue per rep at most. The debouncer says a new fault at once,
repeats a fault that persists only every `repeat_every_n_reps` reps, says it again straight away if it
cleared and came back, and never speaks twice within `min_interval_s`. A cue held back by the interval
stays due and is said at the next chance. Time is passed in (seconds, any origin); nothing reads a clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from formcheck.records import Cue


@dataclass
class CueDebouncer:
    """Feed it each rep's cues (most important first, as `evaluate_rep` gives them) with the time."""

    min_interval_s: float = 3.0
    repeat_every_n_reps: int = 3
    _streak: dict[str, int] = field(default_factory=dict, init=False, repr=False)  # reps in a row firing
    _said_at: dict[str, int] = field(default_factory=dict, init=False, repr=False)  # streak when last said
    _last_spoken_s: float | None = field(default=None, init=False, repr=False)
    _last_update_s: float | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.min_interval_s < 0:
            raise ValueError(f"min_interval_s: expected >= 0, got {self.min_interval_s}")
        if isinstance(self.repeat_every_n_reps, bool) or self.repeat_every_n_reps < 1:
            raise ValueError(f"repeat_every_n_reps: expected an integer >= 1, got {self.repeat_every_n_reps}")

    @property
    def active(self) -> frozenset[str]:
        """Cue ids that fired on the last rep: pass as `evaluate_rep(..., latched=...)` for hysteresis."""
        return frozenset(self._streak)

    def update(self, cues: Sequence[Cue], now_s: float) -> Cue | None:
        """Record one rep's cues; return the cue to say now, or None to stay quiet."""
        if self._last_update_s is not None and now_s < self._last_update_s:
            raise ValueError(f"now_s: expected >= {self._last_update_s} (time runs forward), got {now_s}")
        self._last_update_s = now_s
        ids = list(dict.fromkeys(cue.id for cue in cues))
        for gone in set(self._streak) - set(ids):
            del self._streak[gone]
            self._said_at.pop(gone, None)
        for cue_id in ids:
            self._streak[cue_id] = self._streak.get(cue_id, 0) + 1
        if self._last_spoken_s is not None and now_s - self._last_spoken_s < self.min_interval_s:
            return None
        for cue in cues:
            said = self._said_at.get(cue.id)
            if said is None or self._streak[cue.id] - said >= self.repeat_every_n_reps:
                self._said_at[cue.id] = self._streak[cue.id]
                self._last_spoken_s = now_s
                return cue
        return None
