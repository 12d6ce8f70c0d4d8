"""What travels between the batch driver and its workers (processes or Ray tasks): jobs out, outcomes back.

All plain frozen records, picklable, so both backends carry them unchanged. A worker writes a set's files
into the staging folder the driver made for it; a worker on another machine, which cannot see that folder,
sends the files back as bytes instead. Either way only the driver moves them into place and writes the
history database.
"""

from __future__ import annotations

from dataclasses import dataclass

from formcheck.history.records import Judgement, SetRecord
from formcheck.rules import RulePack


@dataclass(frozen=True)
class Settings:
    """How every set of a batch is analysed and what is written for it."""

    model: str  # path of the pose model (.task)
    pack: RulePack
    side: str = "auto"
    max_side: int = 1280
    video: bool = True  # write annotated.mp4

    def __post_init__(self) -> None:
        if self.side not in ("auto", "left", "right"):
            raise ValueError(f"Settings.side: expected auto, left or right, got {self.side!r}")
        if self.max_side <= 0:
            raise ValueError(f"Settings.max_side: expected a positive number of pixels, got {self.max_side}")


@dataclass(frozen=True)
class AnalyseJob:
    """Run the whole pipeline on a video (pose model included)."""

    number: int  # the job's number within the batch
    video: str  # the path reports show
    staging: str  # the folder to write the outputs into
    settings: Settings
    read_from: str | None = None  # where the worker finds the bytes, when not at `video` (another machine)


@dataclass(frozen=True)
class RejudgeJob:
    """Judge a stored set again with `settings.pack`, from its stored measurements: no pose model."""

    number: int
    video: str | None  # the video, when it is still where it was (for key frames and annotated.mp4)
    staging: str
    settings: Settings
    stored: SetRecord


Job = AnalyseJob | RejudgeJob


@dataclass(frozen=True)
class Judged:
    """A job that produced a judged set; `files` holds the outputs when they could not be staged."""

    number: int
    judgement: Judgement
    files: dict[str, bytes] | None = None


@dataclass(frozen=True)
class Failed:
    """A job that produced no judged set: why, in one line; `report` when a report saying why was written
    (a refused camera view), with `files` as for `Judged`."""

    number: int
    reason: str
    report: bool = False
    files: dict[str, bytes] | None = None


Outcome = Judged | Failed
