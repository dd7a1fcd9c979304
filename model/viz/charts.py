"""The teaching charts, drawn as SVG text from a snapshot.

Every page of a classroom shows the same figures, so each is drawn once per
update and the same bytes go to every page. They are written as SVG by hand
rather than with matplotlib: a matplotlib chart costs 40-70 ms to draw on these
machines, and a page has eight, which alone would exceed the 0.2 s a step may
take with every page updated; an SVG line chart built as text costs well under a
millisecond, stays sharp on a projector, and is shown as an image (nothing in it
runs).

:data:`CHARTS` is the list of charts a page shows; a chart is a :class:`Chart`
whose ``lines`` function picks its lines from a snapshot. Adding a chart is one
more entry.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from model.population import MONTH_DAYS
from model.viz.snapshot import Snapshot

STRATEGY_COLOURS = {"fortress": "#d62728", "collaborative": "#2ca02c"}
KIND_COLOURS = {"commissioner": "#1f77b4", "council": "#9467bd", "hospital": "#8c564b",
                "gp_federation": "#17becf", "prime_contractor": "#e377c2"}
KIND_WORDS = {"commissioner": "commissioner", "council": "council", "hospital": "hospital",
              "gp_federation": "GP federation", "prime_contractor": "prime contractor"}
KIND_SHAPES = {"commissioner": "square", "council": "diamond", "hospital": "circle",
               "gp_federation": "triangle", "prime_contractor": "triangle pointing down"}
DEFICIT_RIM = "#ff7f0e"
FONT = "font-family='DejaVu Sans, Arial, sans-serif'"


@dataclass(frozen=True)
class Line:
    label: str
    values: Sequence[float]
    colour: str
    dashed: bool = False
    width: float = 2.0


@dataclass(frozen=True)
class Chart:
    """One chart: a title in plain words, its unit, what to look for, and its lines."""

    key: str
    title: str
    unit: str
    look_for: str
    lines: Callable[[Snapshot], list[Line]]
    zero_line: bool = False
    floor_zero: bool = True  # the y axis starts at zero unless the values go below it


def _s(snap: Snapshot, name: str, scale: float = 1.0) -> list[float]:
    return [v * scale for v in snap.series.get(name, ())]


def _money(snap: Snapshot) -> list[Line]:
    lines = [Line("the pool: every organisation's reserves together", _s(snap, "place_balance", 1e-6), "#000000", width=3)]
    if any(_s(snap, "national_support")):  # hospitals rescued from outside the place: the pool without that money
        lines.append(Line("the pool without the national support that rescued its hospitals",
                          _s(snap, "place_balance_own", 1e-6), "#000000", dashed=True))
    kinds = {o.kind for o in snap.orgs}
    for kind in ("commissioner", "council", "hospital", "gp_federation", "prime_contractor"):
        if kind in kinds:
            lines.append(Line(f"{KIND_WORDS[kind]}s", _s(snap, f"balance_{kind}", 1e-6), KIND_COLOURS[kind]))
    return lines


def _unmet(snap: Snapshot) -> list[Line]:
    people = snap.series.get("population", ())
    unmet = snap.series.get("unmet_social_care_need", ())
    return [Line("people needing social care who get none, per 1,000 people",
                 [u * 1000 / p if p else 0.0 for u, p in zip(unmet, people, strict=True)], "#9467bd")]


def _beds(snap: Snapshot) -> list[Line]:
    return [Line("beds occupied on an average day", _s(snap, "bed_days", 1 / MONTH_DAYS), "#8c564b"),
            Line("beds open", _s(snap, "beds"), "#8c564b", dashed=True)]


def _health_lost(snap: Snapshot) -> list[Line]:
    people = snap.series.get("population", ())

    def per_1000_a_year(name: str) -> list[float]:
        return [q * 12 * 1000 / p if p else 0.0 for q, p in zip(snap.series.get(name, ()), people, strict=True)]

    return [Line("people needing care who get none", per_1000_a_year("qalys_lost_unmet_need"), "#9467bd"),
            Line("days waiting in hospital to leave", per_1000_a_year("qalys_lost_delays"), "#ff7f0e"),
            Line("long waits for planned care", per_1000_a_year("qalys_lost_waits"), "#1f77b4"),
            Line("emergency admissions", per_1000_a_year("qalys_lost_admissions"), "#d62728")]


CHARTS: list[Chart] = [
    Chart("money", "Money: the pool and each kind's reserves", "£ million",
          "Who is in deficit (below zero)? A fortress moves money to itself; the black line shows whether the place as a whole gains"
          " (dashed: without the money from outside that rescues a hospital in deficit).",
          _money, zero_line=True, floor_zero=False),
    Chart("admissions", "Emergency admissions", "per 1,000 people a year",
          "Rises when hospitals admit at the margin or GP federations refer more; falls some years after proactive care starts.",
          lambda s: [Line("emergency admissions", _s(s, "emergency_admissions_per_1000"), "#d62728")]),
    Chart("delays", "Delayed transfers of care", "days a month",
          "Days that people fit to leave hospital wait in a bed for social care: they rise when councils cut care.",
          lambda s: [Line("days waiting in hospital", _s(s, "delayed_transfer_days"), "#ff7f0e")]),
    Chart("unmet", "Unmet social care need", "per 1,000 people",
          "People frail enough to need care who get none: the cost of tighter eligibility.",
          _unmet),
    Chart("waiting", "Waiting list for planned care", "thousand people",
          "Grows when beds fill with emergencies and delayed transfers.",
          lambda s: [Line("people waiting", _s(s, "waiting_list", 1e-3), "#1f77b4")]),
    Chart("beds", "Hospital beds", "beds",
          "Occupied above open means escalation: electives cancelled, frail patients kept longer. Falls when admissions"
          " are avoided or stays shorten; rises when hospitals admit at the margin or people wait in beds for care.",
          _beds),
    Chart("health", "Health lost to gaps in care", "QALYs a year per 1,000 people",
          "Quality-adjusted life lost to each gap (net_health in the scenario): money saved by cutting care shows up here.",
          _health_lost),
    Chart("collaboration", "Collaboration and trust", "per cent",
          "The share of organisations collaborating, and how far they trust each other (0 to 100).",
          lambda s: [Line("organisations collaborating", _s(s, "share_collaborative", 100), "#2ca02c"),
                     Line("mean trust", _s(s, "mean_trust", 100), "#7f7f7f", dashed=True)]),
]
"""The charts every page shows, in order."""


def _nice_step(span: float, ticks: int = 5) -> float:
    raw = span / max(ticks, 1)
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def _fmt(v: float, step: float) -> str:
    if step >= 1:
        return f"{v:,.0f}"
    digits = min(max(0, -math.floor(math.log10(step))), 3)
    return f"{v:,.{digits}f}"


def line_chart(chart: Chart, snap: Snapshot, width: int = 480, height: int = 270) -> bytes:
    """One chart as SVG: months 0 to the run's end across, the unit up, a legend below."""
    lines = chart.lines(snap)
    legend_rows = len(lines)
    left, right, top, bottom = 62, 14, 26, 40 + 16 * legend_rows
    h = height + 16 * legend_rows
    pw, ph = width - left - right, h - top - bottom
    horizon = max(snap.horizon, 12)
    values = [v for ln in lines for v in ln.values if math.isfinite(v)]
    out = [f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {h}' width='{width}' height='{h}' {FONT} font-size='12'>",
           f"<rect width='{width}' height='{h}' fill='white'/>",
           f"<text x='{left}' y='16' font-size='12' fill='#333'>{escape(chart.unit)}</text>"]
    if values:
        lo, hi = min(values), max(values)
        if chart.floor_zero and lo >= 0:
            lo = 0.0
        if chart.zero_line:
            lo, hi = min(lo, 0.0), max(hi, 0.0)
        if hi - lo < 1e-9:
            hi, lo = hi + 1.0, lo - (1.0 if lo < 0 or not chart.floor_zero else 0.0)
        step = _nice_step(hi - lo)
        lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
    else:
        lo, hi, step = 0.0, 1.0, 0.25

    def x(month: float) -> float:
        return left + pw * month / horizon

    def y(v: float) -> float:
        return top + ph * (1 - (v - lo) / (hi - lo))

    # axes, grid and ticks
    tick = lo
    while tick <= hi + step / 2:
        yy = y(tick)
        out.append(f"<line x1='{left}' x2='{left + pw}' y1='{yy:.1f}' y2='{yy:.1f}' stroke='#e5e5e5'/>")
        out.append(f"<text x='{left - 6}' y='{yy + 4:.1f}' text-anchor='end' fill='#333'>{_fmt(tick, step)}</text>")
        tick += step
    if chart.zero_line and lo < 0 < hi:
        out.append(f"<line x1='{left}' x2='{left + pw}' y1='{y(0):.1f}' y2='{y(0):.1f}' stroke='#000' stroke-width='1'/>")
    year_step = 12 if horizon <= 72 else 24
    for m in range(0, horizon + 1, year_step):
        out.append(f"<line x1='{x(m):.1f}' x2='{x(m):.1f}' y1='{top + ph}' y2='{top + ph + 4}' stroke='#333'/>")
        out.append(f"<text x='{x(m):.1f}' y='{top + ph + 17}' text-anchor='middle' fill='#333'>{m}</text>")
    out.append(f"<text x='{left + pw}' y='{top + ph + 31}' text-anchor='end' fill='#333'>month</text>")
    out.append(f"<rect x='{left}' y='{top}' width='{pw}' height='{ph}' fill='none' stroke='#999'/>")
    if not values:
        out.append(f"<text x='{left + pw / 2}' y='{top + ph / 2}' text-anchor='middle' fill='#777'>"
                   "month 0: press Step or Play to begin</text>")
    for ln in lines:
        pts = " ".join(f"{x(i + 1):.1f},{y(v):.1f}" for i, v in enumerate(ln.values) if math.isfinite(v))
        if pts:
            dash = " stroke-dasharray='6 4'" if ln.dashed else ""
            out.append(f"<polyline points='{pts}' fill='none' stroke='{ln.colour}' stroke-width='{ln.width}'{dash}/>")
    # legend
    for i, ln in enumerate(lines):
        ly = h - 16 * legend_rows + 16 * i - 2
        dash = " stroke-dasharray='6 4'" if ln.dashed else ""
        out.append(f"<line x1='{left}' x2='{left + 22}' y1='{ly - 4}' y2='{ly - 4}' stroke='{ln.colour}' stroke-width='{ln.width}'{dash}/>")
        last = f": {_fmt(ln.values[-1], step / 10)}" if ln.values else ""
        out.append(f"<text x='{left + 28}' y='{ly}' fill='#222'>{escape(ln.label)}{last}</text>")
    out.append("</svg>")
    return "".join(out).encode()


def _shape(kind: str, cx: float, cy: float, r: float, fill: str, rim: str) -> str:
    style = f"fill='{fill}' stroke='{rim}' stroke-width='2.5'"
    if kind == "commissioner":
        return f"<rect x='{cx - r:.1f}' y='{cy - r:.1f}' width='{2 * r:.1f}' height='{2 * r:.1f}' {style}/>"
    if kind == "council":
        return f"<polygon points='{cx},{cy - r * 1.3:.1f} {cx + r * 1.3:.1f},{cy} {cx},{cy + r * 1.3:.1f} {cx - r * 1.3:.1f},{cy}' {style}/>"
    if kind == "gp_federation":
        return f"<polygon points='{cx},{cy - r * 1.3:.1f} {cx + r * 1.2:.1f},{cy + r * 0.8:.1f} {cx - r * 1.2:.1f},{cy + r * 0.8:.1f}' {style}/>"
    if kind == "prime_contractor":
        return f"<polygon points='{cx},{cy + r * 1.3:.1f} {cx + r * 1.2:.1f},{cy - r * 0.8:.1f} {cx - r * 1.2:.1f},{cy - r * 0.8:.1f}' {style}/>"
    return f"<circle cx='{cx:.1f}' cy='{cy:.1f}' r='{r:.1f}' {style}/>"


def _wrap(name: str, width: int = 16) -> list[str]:
    words, lines, cur = name.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    return [*lines, cur] if cur else lines


def network(snap: Snapshot, held: dict[str, str] | None = None, width: int = 760, height: int = 520) -> bytes:
    """The organisations as a network: colour = strategy, shape = kind, size = reserves, orange rim =
    in deficit, line width = trust. ``held`` labels organisations that students play."""
    held = held or {}
    pad_x, pad_top, pad_bottom = 90, 40, 60
    pw, ph = width - 2 * pad_x, height - pad_top - pad_bottom
    pos = {n: (pad_x + pw * px, pad_top + ph * (1 - py)) for n, (px, py) in snap.positions.items()}
    out = [f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' width='{width}' height='{height}' {FONT} font-size='12'>",
           f"<rect width='{width}' height='{height}' fill='white'/>"]
    for a, b, trust in snap.edges:
        if a in pos and b in pos:
            (x1, y1), (x2, y2) = pos[a], pos[b]
            out.append(f"<line x1='{x1:.1f}' y1='{y1:.1f}' x2='{x2:.1f}' y2='{y2:.1f}' stroke='#888' "
                       f"stroke-opacity='0.6' stroke-width='{0.5 + 6 * trust:.1f}'/>")
    scale = max((abs(o.reserves) for o in snap.orgs), default=1.0) or 1.0
    for o in snap.orgs:
        if o.name not in pos:
            continue
        cx, cy = pos[o.name]
        r = 9 + 17 * math.sqrt(abs(o.reserves) / scale)
        rim = DEFICIT_RIM if o.reserves < 0 else "#222"
        out.append(_shape(o.kind, cx, cy, r, STRATEGY_COLOURS.get(o.strategy, "#999"), rim))
        label = _wrap(o.name)
        if o.name in held:
            label.append(f"({held[o.name]})")
        for i, text in enumerate(label):
            weight = " font-weight='bold'" if o.name in held and i == len(label) - 1 else ""
            out.append(f"<text x='{cx:.1f}' y='{cy + r + 14 + 13 * i:.1f}' text-anchor='middle' fill='#111'{weight} "
                       f"stroke='white' stroke-width='3' paint-order='stroke'>{escape(text)}</text>")
    out.append(f"<text x='10' y='20' fill='#333'>month {snap.month}: green collaborative, red fortress; size = reserves; "
               "orange rim = in deficit; line width = trust</text>")
    out.append("</svg>")
    return "".join(out).encode()


LEGEND = [
    ("green", "collaborative"), ("red", "fortress"), ("square", "commissioner"), ("diamond", "council"),
    ("circle", "hospital"), ("triangle", "GP federation"), ("triangle pointing down", "prime contractor"),
    ("size", "reserves"), ("orange rim", "in deficit"), ("line width", "trust between two partners"),
]


def render(snap: Snapshot, held: dict[str, str] | None = None) -> dict[str, bytes]:
    """Every figure of a snapshot, drawn once: ``network`` and each chart's key."""
    figures = {"network": network(snap, held)}
    for chart in CHARTS:
        figures[chart.key] = line_chart(chart, snap)
    return figures
