"""report.html: one self-contained page a coach can open offline and read top-down.

Order: the verdict (score, reps, the one or two things to fix, or why the clip could not be judged), the
per-rep table, each cue with why it matters, the metric plots, the lockout key frames, then notes.
Everything is inline (CSS, base64 PNG/JPEG): no external URL, so the file can be mailed or archived.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from formcheck import __version__
from formcheck.records import (
    METRIC_KEYS,
    METRIC_LABELS,
    Analysis,
    MetricValue,
    RepVerdict,
    Severity,
)
from formcheck.report.files import atomic_write
from formcheck.report.keyframes import EncodedKeyFrame
from formcheck.report.plots import DEFAULT_BANDS, metrics_png, plotted_metrics

_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}

# The page look report.html shares with trends.html.
PAGE_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;
 background:#f4f5f7;color:#1d2330;line-height:1.45}
main{max-width:1040px;margin:0 auto;padding:24px 20px 48px}
header{display:flex;justify-content:space-between;align-items:baseline;flex-wrap:wrap;gap:8px}
h1{font-size:1.35rem;margin:0}h2{font-size:1.1rem;margin:32px 0 10px}
.meta{color:#5d6675;font-size:.9rem}
"""
_CSS = PAGE_CSS + """\
section.card{background:#fff;border-radius:10px;box-shadow:0 1px 3px rgba(0,0,0,.08);padding:18px 22px}
.verdict{display:flex;gap:26px;align-items:center;margin-top:16px;border-left:8px solid var(--tone)}
.score{font-size:3.2rem;font-weight:700;color:var(--tone);line-height:1}
.score small{display:block;font-size:.8rem;font-weight:500;color:#5d6675;text-align:center;margin-top:4px}
.verdict h2{margin:0 0 6px}.verdict ol{margin:6px 0 0;padding-left:1.3em;font-size:1.05rem}
.verdict p{margin:4px 0}
table{border-collapse:collapse;width:100%;font-size:.92rem;background:#fff}
th,td{padding:7px 9px;border-bottom:1px solid #e6e8ec;text-align:right;vertical-align:top}
th{background:#eef0f4;font-weight:600}th:first-child,td:first-child{text-align:center}
td.cue,th.cue{text-align:left}td.time{white-space:nowrap}
.off{color:#b3261e;font-weight:600}.unsure{color:#8a929e}.null{color:#8a929e;cursor:help}
.badge{display:inline-block;padding:1px 8px;border-radius:9px;font-size:.78rem;font-weight:600;color:#fff}
.badge.info{background:#2f6fb3}.badge.warning{background:#c77700}.badge.error{background:#b3261e}
.cues article{background:#fff;border-radius:10px;padding:12px 18px;margin-bottom:10px;
 box-shadow:0 1px 3px rgba(0,0,0,.08)}
.cues h3{margin:0 0 4px;font-size:1rem}.cues code{color:#5d6675;font-size:.85rem}
.why{margin:6px 0 0;color:#37404f}
img.plot{width:100%;background:#fff;border-radius:10px}
.frames{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:14px}
figure{margin:0;background:#fff;border-radius:10px;overflow:hidden;box-shadow:0 1px 3px rgba(0,0,0,.08)}
figure img{width:100%;display:block}figcaption{padding:8px 12px;font-size:.9rem}
ul.notes{color:#37404f;font-size:.92rem}footer{margin-top:36px;color:#8a929e;font-size:.8rem}
"""


@dataclass(frozen=True)
class CueGroup:
    """One cue id across the set: its words, severity and the reps it fired on."""

    id: str
    severity: Severity
    message: str
    reps: tuple[int, ...]  # empty for a set-level cue
    primary: int  # on how many reps it was the primary cue


def cue_groups(analysis: Analysis) -> list[CueGroup]:
    """Distinct cues, most important first: severity, then times primary, then how many reps."""
    fired = [(None, c) for c in analysis.set_cues] + [(v.rep.index, c) for v in analysis.reps for c in v.cues]
    ids = list(dict.fromkeys(c.id for _, c in fired))  # first appearance order
    groups = []
    for cue_id in ids:
        mine = [(rep, c) for rep, c in fired if c.id == cue_id]
        worst = max((Severity(c.severity) for _, c in mine), key=_SEVERITY_RANK.__getitem__)
        reps = tuple(dict.fromkeys(rep for rep, _ in mine if rep is not None))
        groups.append(CueGroup(cue_id, worst, mine[0][1].message, reps, sum(c.primary for _, c in mine)))
    return sorted(groups, key=lambda g: (-_SEVERITY_RANK[g.severity], -g.primary, -len(g.reps),
                                         ids.index(g.id)))


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _reps_text(reps: Sequence[int]) -> str:
    if not reps:
        return "the whole set"
    return ("rep " if len(reps) == 1 else "reps ") + ", ".join(str(r) for r in reps)


def _never_measured(analysis: Analysis) -> list[str]:
    """Labels of the metrics that were null at every rep's lockout."""
    return [METRIC_LABELS.get(key, key) for key in METRIC_KEYS
            if all(v.rep.metrics[key].value is None for v in analysis.reps)]


def _never_sure(analysis: Analysis) -> list[str]:
    """Labels of the metrics measured at some lockout but never surely enough to judge on."""
    return [METRIC_LABELS.get(key, key) for key in METRIC_KEYS
            if not any(v.rep.metrics[key].trusted for v in analysis.reps)
            and any(v.rep.metrics[key].value is not None for v in analysis.reps)]


def _verdict(analysis: Analysis) -> str:
    if not analysis.view.is_side_view:
        reason = analysis.view.reason or "the camera is not side-on"
        return (f'<section class="card verdict" style="--tone:#b3261e"><div class="score">&ndash;'
                f'<small>no score</small></div><div><h2>Could not judge: {_esc(reason)}</h2>'
                "<p>Film from the side, camera level with the hips, the whole body in the frame, "
                "and run it again.</p></div></section>")
    if analysis.reps and analysis.score is None:
        n = len(analysis.reps)
        return ('<section class="card verdict" style="--tone:#8a929e"><div class="score">&ndash;'
                f'<small>no score</small></div><div><h2>{n} rep{"s" if n != 1 else ""} counted, none '
                "judged</h2><p>No angle could be measured at the top of any rep, so the tool gives no cue "
                "rather than guess. The notes at the end say what it could not see.</p></div></section>")
    if not analysis.reps or analysis.score is None:
        see = " The notes at the end say what the tool could not see." if analysis.notes else ""
        return ('<section class="card verdict" style="--tone:#8a929e"><div class="score">0'
                '<small>reps</small></div><div><h2>No rep counted</h2><p>The hips never rose to a clear '
                f"top and came back down, so there is nothing to judge.{see}</p></div></section>")
    score = analysis.score
    tone = "#2e7d32" if score >= 85 else "#c77700" if score >= 65 else "#b3261e"
    n = len(analysis.reps)
    unjudged = sum(v.score is None for v in analysis.reps)
    fixes = [g for g in cue_groups(analysis) if g.severity != Severity.INFO][:2]
    if fixes:
        items = "".join(f"<li>{_esc(g.message)} <span class=meta>({_reps_text(g.reps)})</span></li>"
                        for g in fixes)
        body = f"<p>Fix first:</p><ol>{items}</ol>"
    else:
        unmeasured, unsure = _never_measured(analysis), _never_sure(analysis)
        caveat = (f" Not measured: {', '.join(unmeasured)}." if unmeasured else "")
        if unsure:
            caveat += f" Measured too unsurely to judge (shown with ?): {', '.join(unsure)}."
        which = "every judged rep" if unjudged else "every rep"
        body = f"<p>Nothing to fix: {which} met the targets the tool could measure.{_esc(caveat)}</p>"
    heading = f'{n} rep{"s" if n != 1 else ""} analysed'
    if unjudged:
        # a score over the judged reps alone must not read as the whole set's
        heading = f"{n} reps counted, {n - unjudged} judged"
        body += (f"<p>{unjudged} rep{'s' if unjudged != 1 else ''} not judged: a reading no real rep gives "
                 "means the tracking went wrong there (the table says which), so the score is of the "
                 "judged reps only.</p>")
    return (f'<section class="card verdict" style="--tone:{tone}"><div class="score">{score}'
            f'<small>out of 100</small></div><div><h2>{heading}</h2>{body}</div></section>')


def _metric_cell(key: str, m: MetricValue, bands: Mapping[str, tuple[float, float]]) -> str:
    if m.value is None:
        return f'<td class="null" title="{_esc(m.reason or "not measured")}">&mdash;</td>'
    text = f"{m.value:.1f}&deg;"
    band = bands.get(key)
    if not m.trusted:
        return f'<td class="unsure" title="low confidence ({m.confidence:.2f})">{text}?</td>'
    if band is not None and not band[0] <= m.value <= band[1]:
        return f'<td class="off" title="target {band[0]:g} to {band[1]:g}">{text}</td>'
    return f"<td>{text}</td>"


def _quiet_rep(verdict: RepVerdict) -> str:
    """What a rep without cues gets: good only when there was enough measured to judge it by, and why not
    when the rules could not judge it at all."""
    if verdict.score is None and verdict.skipped:
        return f'<span class="meta">Not judged: {_esc(verdict.skipped[0][1])}</span>'
    return f'<span class="meta">{_esc(verdict.rep.without_cues())}</span>'


def _rep_table(analysis: Analysis, bands: Mapping[str, tuple[float, float]]) -> str:
    if not analysis.reps:
        return ""
    head = "".join(f"<th>{_esc(METRIC_LABELS.get(k, k))}</th>" for k in METRIC_KEYS)
    rows = []
    for v in analysis.reps:
        r = v.rep
        cells = "".join(_metric_cell(k, r.metrics[k], bands) for k in METRIC_KEYS)
        cues = "<br>".join(f'<span class="badge {_esc(c.severity)}">{_esc(c.id)}</span> {_esc(c.message)}'
                           for c in v.cues) or _quiet_rep(v)
        rows.append(f'<tr><td>{r.index}</td>{cells}<td class="time">{r.concentric_s:.1f} / {r.hold_s:.1f} / '
                    f'{r.eccentric_s:.1f}</td><td>{"&ndash;" if v.score is None else v.score}</td>'
                    f'<td class="cue">{cues}</td></tr>')
    bands_text = ", ".join(f"{METRIC_LABELS.get(k, k).lower()} {lo:g}&ndash;{hi:g}&deg;"
                           for k, (lo, hi) in bands.items())
    return (f"<h2>Each rep, measured at the top</h2><table><thead><tr><th>Rep</th>{head}"
            f'<th>Up / hold / down (s)</th><th>Score</th><th class="cue">Cue</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table><p class=meta>Red: outside the target ({bands_text}). "
            "Grey with ?: measured with low confidence. &mdash;: not measured (hover for why).</p>")


def _cue_section(analysis: Analysis, why: Mapping[str, str]) -> str:
    groups = cue_groups(analysis)
    if not groups:
        return ""
    items = []
    for g in groups:
        reason = why.get(g.id)
        why_html = f'<p class="why"><b>Why it matters:</b> {_esc(reason)}</p>' if reason else ""
        items.append(f'<article id="cue-{_esc(g.id)}"><h3><span class="badge {_esc(g.severity)}">'
                     f"{_esc(g.severity)}</span> {_esc(g.message)}</h3><code>{_esc(g.id)}</code> "
                     f'<span class="meta">&middot; {_reps_text(g.reps)}</span>{why_html}</article>')
    return f'<h2>What to work on</h2><div class="cues">{"".join(items)}</div>'


def _plot_section(analysis: Analysis, bands: Mapping[str, tuple[float, float]]) -> str:
    shown = plotted_metrics(analysis.series)
    if not shown:
        return "<h2>Angles over time</h2><p class=meta>No metric could be measured in any frame.</p>"
    png = metrics_png(analysis.series, [v.rep for v in analysis.reps], bands)
    missing = [METRIC_LABELS.get(k, k) for k in METRIC_KEYS if k not in shown]
    extra = f"<p class=meta>Not measured in any frame: {_esc(', '.join(missing))}.</p>" if missing else ""
    return ('<h2>Angles over time</h2>'
            f'<img class="plot" alt="metrics over time" src="{_data_uri(png, "image/png")}">'
            "<p class=meta>Green band: target at the top. Dashed red line: where each rep was measured. "
            f"Faint line: low-confidence frames.</p>{extra}")


def _frames_section(analysis: Analysis, keyframes: Sequence[EncodedKeyFrame]) -> str:
    if not keyframes:
        return ""
    fps = analysis.source.fps
    figures = []
    for kf in keyframes:
        figures.append(f'<figure><img alt="rep {kf.rep} at the top" src="{_data_uri(kf.jpeg, "image/jpeg")}">'
                       f"<figcaption>Rep {kf.rep} at the top &middot; frame {kf.frame} "
                       f"({kf.frame / fps:.1f} s)</figcaption></figure>")
    return f'<h2>The top of each rep</h2><div class="frames">{"".join(figures)}</div>'


def render_html(analysis: Analysis, why: Mapping[str, str] | None = None,
                bands: Mapping[str, tuple[float, float]] = DEFAULT_BANDS,
                keyframes: Sequence[EncodedKeyFrame] = (), notes: Iterable[str] = ()) -> str:
    """The whole page as a string. `why` maps cue id -> why it matters (from the rule pack)."""
    src = analysis.source
    all_notes = [*analysis.notes, *notes]
    notes_html = ("<h2>Notes</h2><ul class=notes>" + "".join(f"<li>{_esc(n)}</li>" for n in all_notes)
                  + "</ul>") if all_notes else ""
    name = Path(src.path).name
    view = analysis.view
    side = f" &middot; {_esc(view.side)} side toward the camera" if view.is_side_view else ""
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
        f'content="width=device-width,initial-scale=1"><title>formcheck &middot; {_esc(name)}</title>'
        f"<style>{_CSS}</style></head><body><main><header><h1>Hip thrust check &middot; {_esc(name)}</h1>"
        f'<span class="meta">{src.frames} frames &middot; {src.fps:.2f} fps &middot; {src.width}&times;'
        f"{src.height}{side}</span></header>"
        f"{_verdict(analysis)}{_rep_table(analysis, bands)}{_cue_section(analysis, why or {})}"
        f"{_plot_section(analysis, bands)}{_frames_section(analysis, keyframes)}{notes_html}"
        f"<footer>formcheck {_esc(__version__)} &middot; report schema 1</footer></main></body></html>\n"
    )


def write_html_report(analysis: Analysis, path: str | Path, why: Mapping[str, str] | None = None,
                      bands: Mapping[str, tuple[float, float]] = DEFAULT_BANDS,
                      keyframes: Sequence[EncodedKeyFrame] = (),
                      notes: Iterable[str] = ()) -> Path:
    """Write report.html atomically; returns its path."""
    page = render_html(analysis, why, bands, keyframes, notes)
    with atomic_write(path) as handle:
        handle.write(page)
    return Path(path)
