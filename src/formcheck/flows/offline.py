"""A recorded set end to end: the tracking pass over the file, then the engine fed every frame and finished.

`analyse_video` is what `formcheck analyze`, `formcheck batch` and the web upload run; `analyse_observed`
starts from a clip already observed (the validation grid caches them), so every way in judges with the
same engine. Nothing here prints or writes files: the CLI draws progress and the report writers write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from formcheck.capture.video import DEFAULT_MAX_SIDE, FileSource, open_video
from formcheck.flows.engine import SIDES, Engine, EngineOptions, EngineResult
from formcheck.flows.tracking import ObservedClip, TrackingOptions, observe_video
from formcheck.records import SourceInfo
from formcheck.rules import RulePack, load_rule_pack

__all__ = ["SIDES", "PipelineOptions", "analyse_observed", "analyse_video"]


@dataclass(frozen=True)
class PipelineOptions:
    """How to analyse: the pose model file, the rule pack, which side faces the camera, parallelism."""

    model: Path
    pack: RulePack
    side: str = "auto"  # "auto" | "left" | "right": the body side facing the camera
    workers: int | None = None  # tracking processes; None = one per available core
    max_side: int = DEFAULT_MAX_SIDE

    def __post_init__(self) -> None:
        if self.side not in SIDES:
            raise ValueError(f"side: expected one of {SIDES}, got {self.side!r}")

    @classmethod
    def default(cls, model: Path, rules: Path | None = None, **kwargs: object) -> PipelineOptions:
        """Options with the shipped rule pack, extended by `rules` when given."""
        return cls(model=model, pack=load_rule_pack(rules), **kwargs)  # type: ignore[arg-type]

    @property
    def tracking(self) -> TrackingOptions:
        return TrackingOptions(self.model, max_side=self.max_side)

    @property
    def engine(self) -> EngineOptions:
        return EngineOptions(self.pack, side=self.side)


def analyse_video(video: FileSource | str | Path, options: PipelineOptions,
                  progress: Callable[[int], None] | None = None) -> EngineResult:
    """Analyse a side-view video file. Raises InputError for unreadable input or a video with nobody in it."""
    source = video if isinstance(video, FileSource) else open_video(video)
    clip = observe_video(source, options.tracking, workers=options.workers, progress=progress)
    notes = []
    if source.info.looks_truncated(len(clip)):
        notes.append(f"decoded {len(clip)} of the {source.info.frame_count} frames the file announces; "
                     "it looks truncated, so the end of the set may be missing")
    return analyse_observed(clip, source, options, notes=tuple(notes))


def analyse_observed(clip: ObservedClip, source: FileSource, options: PipelineOptions,
                     notes: tuple[str, ...] = ()) -> EngineResult:
    """Judge a set from its observations: feed them to the engine, then finish."""
    engine = Engine(options.engine)
    for observation in clip:
        engine.update(observation)
    info = source.info
    seen = SourceInfo(path=info.path, fps=info.fps, frames=len(clip), width=info.width, height=info.height)
    return engine.finish(seen, notes)
