"""What runs in the analysis process: one uploaded set through `analyse_video` and `write_outputs`.

This and `live_engine.py` are the web package's only doors into the analysis core. The function runs in a
separate process (the server's event loop never analyses), reports progress through the queue the pool
was started with, and returns a dict of builtins plus the judged set as the history stores it (a frozen
`Judgement`, as a batch worker returns it): the server process, not this one, writes the database.
"""

from __future__ import annotations

import multiprocessing as mp
from dataclasses import replace
from pathlib import Path
from typing import Any

_progress: Any = None  # the pool's progress queue, set once per process by `start_worker`


def start_worker(progress: mp.Queue) -> None:
    """Pool initializer: keep the progress queue and import the analysis core before the first upload."""
    global _progress
    _progress = progress
    # imported now, so that the first upload does not wait for them
    import formcheck.flows.offline
    import formcheck.flows.outputs
    import formcheck.history.convert  # noqa: F401


def _report(job: str, stage: str, done: int, total: int) -> None:
    if _progress is not None:
        _progress.put((job, stage, done, total))


def analyse_upload(job: str, video: str, out: str, model: str, rules: str | None) -> dict[str, Any]:
    """Analyse `video` into the folder `out` exactly as `formcheck analyze` would.

    Returns {"ok": True, "files": [...], "refused": reason or None, "judgement": Judgement or None (refused)}
    or {"ok": False, "error": line} for a video that cannot be judged (bad input); any other exception is a
    server fault and propagates.
    """
    from formcheck.capture.video import open_video
    from formcheck.errors import FormcheckError
    from formcheck.flows.offline import PipelineOptions, analyse_video
    from formcheck.flows.outputs import write_outputs
    from formcheck.history.convert import judgement, pack_measurements
    from formcheck.rules import load_rule_pack

    path = Path(video)
    try:
        source = open_video(path)
        pack = load_rule_pack(Path(rules) if rules else None)
        options = PipelineOptions(Path(model), pack)
        total = source.info.frame_count
        found = 0

        def tracked(n: int) -> None:
            nonlocal found
            found += n
            _report(job, "finding the body", found, total)

        result = analyse_video(source, options, progress=tracked)
        # the report names the upload by its server-made file name, not by where the server keeps it
        analysis = result.analysis
        result = replace(result, analysis=replace(analysis, source=replace(analysis.source, path=path.name)))
        outputs = write_outputs(result, source, Path(out), pack,
                                progress=lambda stage, done, all_: _report(job, stage, done, all_))
    except FormcheckError as exc:
        return {"ok": False, "error": str(exc).replace(f"{path}: ", "the video ", 1).replace(str(path),
                                                                                            "the video")}
    analysis = result.analysis
    if not analysis.view.is_side_view:
        refused = analysis.view.reason or "the camera is not side-on"
        return {"ok": True, "files": list(outputs.files), "refused": refused, "judgement": None}
    blob = pack_measurements(analysis.series, result.pose, result.joints, result.plate)
    return {"ok": True, "files": list(outputs.files), "refused": None, "judgement": judgement(analysis, blob)}
