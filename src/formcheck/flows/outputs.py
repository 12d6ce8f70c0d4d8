"""Every output of an analysed set, written the one way `analyze`, `batch` and `serve` all share.

report.json, angles.csv, report.html and (unless asked not to) annotated.mp4 go into one folder, each
atomically. The annotated video is the only second decode of the clip; the HTML's lockout key frames are
kept from it, or picked from the file when no video is drawn. A set re-judged after its video is gone has
neither, and its report says why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formcheck.capture.video import FileSource
from formcheck.flows.engine import EngineResult
from formcheck.records import Analysis
from formcheck.report.csv_report import write_csv_report
from formcheck.report.json_report import write_json_report
from formcheck.rules import RulePack

# (stage, frames done so far, frames in all): the only stage that takes long is "drawing annotated.mp4"
OutputProgress = Callable[[str, int, int], None]

REPORT_JSON = "report.json"
ANGLES_CSV = "angles.csv"
REPORT_HTML = "report.html"
ANNOTATED_MP4 = "annotated.mp4"


@dataclass(frozen=True)
class Outputs:
    """The folder written and the notes added to the report while writing it (e.g. the video codec)."""

    folder: Path
    files: tuple[str, ...]
    notes: tuple[str, ...]


def write_outputs(result: EngineResult, source: FileSource | None, folder: Path, pack: RulePack, *,
                  video: bool = True, progress: OutputProgress | None = None,
                  no_source: str = "the video is not available") -> Outputs:
    """Write the set's outputs into `folder` (created if missing). A refused view gets report.json,
    angles.csv and an HTML that says why, but no video.

    `source` None (a set re-judged from stored measurements after its video was moved or deleted): no
    annotated video and no key frames, and the report's notes say so, starting with `no_source` (why).
    """
    analysis = result.analysis
    folder.mkdir(parents=True, exist_ok=True)
    files = [REPORT_JSON, ANGLES_CSV, REPORT_HTML]
    notes: list[str] = []
    write_csv_report(analysis.series, folder / ANGLES_CSV)
    if not analysis.view.is_side_view:
        images: dict[int, np.ndarray] = {}
    elif source is None:
        images = {}
        notes.append(f"{no_source}, so this report has no key frames and no annotated video")
    elif video:
        images, codec_note = _annotated_video(source, result, folder / ANNOTATED_MP4, progress)
        notes.append(codec_note)
        files.append(ANNOTATED_MP4)
    else:
        images = _pick_lockouts(source, analysis)
    write_json_report(analysis, folder / REPORT_JSON, notes=notes)
    _write_html(result, pack, folder / REPORT_HTML, images, notes)
    return Outputs(folder, tuple(files), tuple(notes))


def lockout_frames(analysis: Analysis) -> list[int]:
    """The frame of each rep's lockout, in rep order."""
    return [verdict.rep.lockout_frame for verdict in analysis.reps]


def _annotated_video(source: FileSource, result: EngineResult, path: Path,
                     progress: OutputProgress | None) -> tuple[dict[int, np.ndarray], str]:
    """Write annotated.mp4; return the lockout frames it saw, undrawn, for the HTML, and the codec note."""
    from formcheck.report.annotated_video import render_annotated_video
    from formcheck.report.timeline import OverlayTimeline

    analysis = result.analysis
    total = len(result.pose)
    timeline = OverlayTimeline(analysis, result.joints, result.pose, result.plate.radius)

    def frames():
        for done, frame in enumerate(source, start=1):
            if progress is not None:
                progress("drawing annotated.mp4", done, total)
            yield frame.image

    rendered = render_annotated_video(frames(), timeline, analysis.source.fps,
                                      (analysis.source.width, analysis.source.height), path,
                                      keep=lockout_frames(analysis))
    return rendered.kept, rendered.note


def _pick_lockouts(source: FileSource, analysis: Analysis) -> dict[int, np.ndarray]:
    from formcheck.report.keyframes import pick_frames

    return pick_frames(source.info.path, lockout_frames(analysis))


def _write_html(result: EngineResult, pack: RulePack, path: Path, images: dict[int, np.ndarray],
                notes: list[str]) -> None:
    from formcheck.report.html_report import write_html_report
    from formcheck.report.keyframes import lockout_keyframes

    why = {rule.cue: rule.why for rule in pack.rules}
    why["not_side_view"] = pack.view.why
    keyframes = lockout_keyframes(result.analysis, result.joints, result.pose, result.plate.radius, images)
    write_html_report(result.analysis, path, why=why, keyframes=keyframes, notes=notes)
