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

from formcheck.capture.video import FileSource
from formcheck.flows.engine import EngineResult
from formcheck.report.csv_report import write_csv_report
from formcheck.report.json_report import write_json_report
from formcheck.report.keyframes import EncodedKeyFrame, KeyFrameEncoder, iter_frames
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
    keyframes = KeyFrameEncoder(analysis, result.joints, result.pose, result.plate.radius)
    shown = analysis.view.is_side_view  # a refused view gets neither key frames nor a video
    if shown and source is None:
        notes.append(f"{no_source}, so this report has no key frames and no annotated video")
    elif shown and video:
        notes.append(_annotated_video(source, result, folder / ANNOTATED_MP4, keyframes, progress))
        files.append(ANNOTATED_MP4)
    elif shown:
        for index, image in iter_frames(source.info.path, keyframes.wanted):
            keyframes.take(index, image)
    write_json_report(analysis, folder / REPORT_JSON, notes=notes)
    _write_html(result, pack, folder / REPORT_HTML, keyframes.frames, notes)
    return Outputs(folder, tuple(files), tuple(notes))


def _annotated_video(source: FileSource, result: EngineResult, path: Path, keyframes: KeyFrameEncoder,
                     progress: OutputProgress | None) -> str:
    """Write annotated.mp4, handing the lockout frames to `keyframes` undrawn on the way; return the codec
    note."""
    from formcheck.report.annotated_video import render_annotated_video
    from formcheck.report.timeline import OverlayTimeline

    analysis = result.analysis
    total = len(result.pose)
    timeline = OverlayTimeline(analysis, result.joints, result.pose, result.plate.radius)
    wanted = set(keyframes.wanted)

    def frames():
        for done, frame in enumerate(source, start=1):
            if progress is not None:
                progress("drawing annotated.mp4", done, total)
            if frame.index in wanted:
                keyframes.take(frame.index, frame.image)  # before the overlay is drawn on it
            yield frame.image

    rendered = render_annotated_video(frames(), timeline, analysis.source.fps,
                                      (analysis.source.width, analysis.source.height), path)
    return rendered.note


def _write_html(result: EngineResult, pack: RulePack, path: Path, keyframes: list[EncodedKeyFrame],
                notes: list[str]) -> None:
    from formcheck.report.html_report import write_html_report

    why = {rule.cue: rule.why for rule in pack.rules}
    why["not_side_view"] = pack.view.why
    write_html_report(result.analysis, path, why=why, keyframes=keyframes, notes=notes)
