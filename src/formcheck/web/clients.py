"""A client's page: their stored sets as JSON documents, and the trends `formcheck history` writes, drawn for
the page by the same code (`history.trends*`): the four plots as PNGs and trends.csv.

A set is named in URLs by its video's sha256, the store's key of a set within a client: it is known as soon
as the upload is received, it stays the same when the set is re-judged or re-analysed, and it names
nothing on the disk. Links never carry a path: the set's folder is looked up in the database, under the
client named in the URL, and served only from the server's own folders (`ServeSettings.report_roots`).
"""

from __future__ import annotations

import io
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from formcheck.history.records import StoredSet
from formcheck.history.trends import SetTrend, Trends, build_trends
from formcheck.history.trends_csv import write_rep_rows
from formcheck.history.trends_plots import angles_png, cues_png, drift_png, tempo_png
from formcheck.web.jobs import SET_FILES

SET_ID = re.compile(r"^[0-9a-f]{64}$")
TRENDS_CSV = "trends.csv"
PLOTS: Mapping[str, Callable[[Trends, Mapping[str, tuple[float, float]], Mapping[str, float]], bytes]] = {
    "angles.png": lambda t, bands, _limits: angles_png(t, bands),
    "tempo.png": lambda t, _bands, limits: tempo_png(t, limits),
    "cues.png": lambda t, _bands, _limits: cues_png(t),
    "drift.png": lambda t, _bands, _limits: drift_png(t),
}
# A client's trend files a browser may fetch, by name; nothing else.
TREND_FILES = {**dict.fromkeys(PLOTS, "image/png"), TRENDS_CSV: "text/csv; charset=utf-8"}
FILES_NOT_KEPT = ("this set's report files are not kept on this server (removed after --keep-days, or "
                  "written by formcheck batch outside its folders); its numbers are still in the history")


def set_url(client: str, video_sha256: str) -> str:
    """The page of a client's set."""
    return f"/clients/{quote(client, safe='')}/sets/{video_sha256}"


def summary(stored: StoredSet) -> dict[str, Any]:
    """What report.json's summary says, from the stored set: reps, score and the cue ids given."""
    record = stored.record
    return {"rep_count": len(record.reps), "score": record.score,
            "cues": list(dict.fromkeys(c.cue for c in record.cues))}


def set_document(client: str, stored: StoredSet, trend: SetTrend, folder: Path | None) -> dict[str, Any]:
    """What the client and report pages say about a stored set; file links only for files the server may
    serve (`folder` None: none)."""
    record = stored.record
    base = set_url(client, record.key.video_sha256)
    files = [name for name in SET_FILES if folder is not None and (folder / name).is_file()]
    doc: dict[str, Any] = {
        "set": record.key.video_sha256, "client": client, "status": "done", "session": stored.session,
        "video": record.video_name, "recorded_at": record.recorded_at, "analysed_at": record.analysed_at,
        "summary": summary(stored),
        "clean_share": trend.clean_share, "lockout_loss_deg": trend.lockout_loss_deg,
        "slowdown_pct": trend.slowdown_pct,
        "links": {"page": base, **{name: f"{base}/files/{name}" for name in files}},
    }
    if "report.json" not in files:
        doc["note"] = FILES_NOT_KEPT
    return doc


def trends_csv(trends: Trends, stored: Sequence[StoredSet], client: str) -> str:
    """trends.csv as `formcheck history --csv` writes it, with each set's page in the report column."""
    pages = {s.id: set_url(client, s.record.key.video_sha256) for s in stored}
    out = io.StringIO()
    write_rep_rows(trends, out, pages)
    return out.getvalue()


class TrendPlots:
    """The client page's plots, drawn when asked and kept until the client's sets change.

    Drawn one at a time: matplotlib's figures are private here, but its caches (fonts, text layout) are
    shared by every thread of the process.
    """

    def __init__(self, bands: Mapping[str, tuple[float, float]], limits: Mapping[str, float],
                 keep: int = 32) -> None:
        self.bands, self.limits, self.keep = bands, limits, keep
        self._drawn: OrderedDict[tuple[str, str], tuple[tuple, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def png(self, client: str, stored: Sequence[StoredSet], name: str) -> bytes:
        """The plot `name` (a key of PLOTS) of the client's stored sets (at least one)."""
        seen = tuple((s.id, s.record.analysed_at) for s in stored)
        with self._lock:
            kept = self._drawn.get((client, name))
            if kept is not None and kept[0] == seen:
                self._drawn.move_to_end((client, name))
                return kept[1]
            png = PLOTS[name](build_trends(client, stored), self.bands, self.limits)
            self._drawn[(client, name)] = (seen, png)
            while len(self._drawn) > self.keep:
                self._drawn.popitem(last=False)
            return png
