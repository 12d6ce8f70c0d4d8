"""trends.html: a client's history on one self-contained page, a sibling of each set's report.html.

Top-down: where the client stands (latest session against the first), the lockout angles and tempo over the
sessions with their target bands, cues and clean reps per session, drift within each set, then every set
with a link to its report. Plots are inline PNGs and the style is inline: the page makes no request, so
it can be mailed or archived with the reports it links to (links are relative to the page).
"""

from __future__ import annotations

import base64
import html
import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote

from formcheck import __version__
from formcheck.history.trends import ANGLE_KEYS, SessionTrend, SetTrend, Trends
from formcheck.history.trends_plots import ANGLE_LABELS, angles_png, cues_png, drift_png, tempo_png
from formcheck.report.html_report import PAGE_CSS

_CSS = PAGE_CSS + """\
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:14px;margin-top:16px}
.card{background:#fff;border-radius:10px;box-shadow:0 1px 3px rgba(0,0,0,.08);padding:14px 18px;
 border-left:6px solid var(--tone,#1f4e79)}
.card b{display:block;font-size:1.7rem;line-height:1.2;color:var(--tone,#1f4e79)}
.card span{color:#5d6675;font-size:.88rem}
img.plot{width:100%;background:#fff;border-radius:10px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
table{border-collapse:collapse;width:100%;font-size:.9rem;background:#fff;border-radius:10px;overflow:hidden}
th,td{padding:7px 9px;border-bottom:1px solid #e6e8ec;text-align:right;vertical-align:top}
th{background:#eef0f4;font-weight:600}td.l,th.l{text-align:left}td.d{white-space:nowrap}
.off{color:#b3261e;font-weight:600}
code{color:#5d6675;font-size:.85rem}
ul.notes{color:#37404f;font-size:.92rem}footer{margin-top:36px;color:#8a929e;font-size:.8rem}
"""


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img class="plot" alt="{_esc(alt)}" src="data:image/png;base64,{data}">'


def _num(value: float | None, fmt: str = ".1f", unit: str = "") -> str:
    return "&ndash;" if value is None else f"{value:{fmt}}{unit}"


def _cards(trends: Trends) -> str:
    first, last = trends.sessions[0], trends.sessions[-1]
    cards = [("Sessions", str(len(trends.sessions)), f"{first.date} to {last.date}", "#1f4e79"),
             ("Sets / reps", f"{len(trends.sets)} / {len(trends.reps)}", "recorded and judged", "#1f4e79")]
    cards.append(("Clean reps, latest session", _num(_pct(last.clean_share), ".0f", "%"),
                  f"first session: {_num(_pct(first.clean_share), '.0f', '%')}", _tone(last.clean_share)))
    top = trends.cue_ids[0] if trends.cue_ids else None
    if top is not None:
        latest = _num(_pct(last.cue_share.get(top, 0.0)), ".0f", "%")
        cards.append(("Most frequent cue", top, f"latest session: {latest} of reps", "#c77700"))
    items = "".join(f'<div class="card" style="--tone:{tone}"><span>{_esc(title)}</span><b>{_esc(value)}</b>'
                    f"<span>{_esc(sub)}</span></div>" for title, value, sub, tone in cards)
    return f'<section class="cards">{items}</section>'


def _pct(share: float | None) -> float | None:
    return None if share is None else 100.0 * share


def _tone(share: float | None) -> str:
    if share is None:
        return "#8a929e"
    return "#2e7d32" if share >= 0.8 else "#c77700" if share >= 0.5 else "#b3261e"


def _session_table(trends: Trends, bands: Mapping[str, tuple[float, float]]) -> str:
    head = "".join(f"<th>{_esc(ANGLE_LABELS[k])}</th>" for k in ANGLE_KEYS)
    rows = "".join(_session_row(s, bands) for s in trends.sessions)
    return (f'<table><thead><tr><th class="l">Session</th><th>Sets</th><th>Reps</th>{head}'
            f"<th>Up / hold / down (s)</th><th>Clean reps</th><th>Median score</th></tr></thead>"
            f"<tbody>{rows}</tbody></table><p class=meta>Angles: median at the top of the session's reps; "
            "red when outside the target band.</p>")


def _session_row(s: SessionTrend, bands: Mapping[str, tuple[float, float]]) -> str:
    cells = []
    for key in ANGLE_KEYS:
        value, band = s.angles[key], bands.get(key)
        off = value is not None and band is not None and not band[0] <= value <= band[1]
        cells.append(f'<td{" class=off" if off else ""}>{_num(value, ".1f", "&deg;")}</td>')
    tempo = " / ".join(_num(s.tempo[k], ".1f") for k in ("concentric_s", "hold_s", "eccentric_s"))
    return (f'<tr><td class="l d">{_esc(s.date)}</td><td>{s.sets}</td><td>{s.reps}</td>{"".join(cells)}'
            f"<td>{tempo}</td><td>{_num(_pct(s.clean_share), '.0f', '%')}</td>"
            f"<td>{_num(s.score, '.0f')}</td></tr>")


def _set_table(trends: Trends, page_dir: Path) -> str:
    rows = "".join(_set_row(s, page_dir) for s in trends.sets)
    return ('<table><thead><tr><th class="l">Session</th><th class="l">Set</th><th>Reps</th><th>Score</th>'
            '<th>Clean reps</th><th>Lockout lost by the last rep</th><th>Last rep slower up</th>'
            f'<th class="l">Cues</th></tr></thead><tbody>{rows}</tbody></table>')


def _set_row(s: SetTrend, page_dir: Path) -> str:
    link = quote(Path(os.path.relpath(s.report_html, page_dir)).as_posix())
    cues = ", ".join(f"<code>{_esc(c)}</code>" for c in s.cues) or '<span class="meta">none</span>'
    return (f'<tr><td class="l d">{_esc(s.session)}</td><td class="l"><a href="{_esc(link)}">'
            f"{_esc(s.video_name)}</a></td><td>{s.reps}</td><td>{_num(s.score, '.0f')}</td>"
            f"<td>{_num(_pct(s.clean_share), '.0f', '%')}</td>"
            f"<td>{_num(s.lockout_loss_deg, '.1f', '&deg;')}</td>"
            f"<td>{_num(s.slowdown_pct, '.0f', '%')}</td><td class=\"l\">{cues}</td></tr>")


def _notes(trends: Trends) -> str:
    notes = []
    unmeasured = sum(all(v is None for v in r.angles.values()) for r in trends.reps)
    if unmeasured:
        notes.append(f"{unmeasured} of {len(trends.reps)} reps have no angle measured at the top (e.g. a "
                     "plate hid the hip): they count for tempo and cues only, and are never clean.")
    missing = [s for s in trends.sets if not s.report_html.is_file()]
    if missing:
        notes.append(f"{len(missing)} set report(s) are no longer where they were written; their links are "
                     "broken.")
    notes.append("Clean rep: at least one angle measured at the top and no cue, set-level cues included. "
                 "Drift: each rep against the set's best (fullest top, fastest way up); a set's figure is "
                 "its last rep's.")
    return "<h2>Notes</h2><ul class=notes>" + "".join(f"<li>{_esc(n)}</li>" for n in notes) + "</ul>"


def render_trends_html(trends: Trends, page_dir: Path, bands: Mapping[str, tuple[float, float]],
                       limits: Mapping[str, float]) -> str:
    """The page; `page_dir` is where it will be written (its links to the set reports are relative)."""
    if not trends.sets:
        raise ValueError(f"render_trends_html: expected at least one set for {trends.client!r}, got none")
    name = _esc(trends.client)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
        f'content="width=device-width,initial-scale=1"><title>formcheck &middot; {name} &middot; history'
        f"</title><style>{_CSS}</style></head><body><main><header><h1>Hip thrust history &middot; {name}</h1>"
        f'<span class="meta">{len(trends.sessions)} sessions &middot; {len(trends.sets)} sets &middot; '
        f"{len(trends.reps)} reps</span></header>{_cards(trends)}"
        f"<h2>Sessions</h2>{_session_table(trends, bands)}"
        "<h2>At the top of each rep, session by session</h2>"
        f"{_img(angles_png(trends, bands), 'lockout angles over the sessions')}"
        "<p class=meta>Dots: each rep's top, in recording order within its session. Line: the session's "
        "median. Green band: the target at the top.</p>"
        "<h2>Tempo</h2>"
        f"{_img(tempo_png(trends, limits), 'tempo over the sessions')}"
        "<p class=meta>Seconds up, held at the top and down. Dashed: the least the rule pack accepts before "
        "it calls the reps rushed.</p>"
        "<h2>Cues and clean reps</h2>"
        f"{_img(cues_png(trends), 'cue frequency and clean reps per session')}"
        "<h2>Drift within a set</h2>"
        f"{_img(drift_png(trends), 'lockout loss and slow-down within each set')}"
        "<p class=meta>Fatigue shows as lines that climb with the rep number: a top that falls short of the "
        "set's fullest, a way up that takes longer than the set's fastest.</p>"
        f"<h2>Every set</h2>{_set_table(trends, page_dir)}{_notes(trends)}"
        f"<footer>formcheck {_esc(__version__)} &middot; history of {name}</footer></main></body></html>\n"
    )
