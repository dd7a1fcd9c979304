"""Solara pieces shared by the teaching page and the classroom pages.

Pages read frames from a :class:`model.viz.clock.Store` through :func:`use_frame`:
each page subscribes once, and the store's publishing thread hands it every new
frame inside that page's own kernel context. Headings and text are plain
ipyvuetify elements (no Markdown: Solara's Markdown loads mermaid from a CDN).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from contextlib import nullcontext
from html import escape
from typing import Any, TypeVar

import ipywidgets as widgets
import reacton.ipyvuetify as rv
import solara

from model.viz import charts
from model.viz.clock import Store
from model.viz.debrief import REFERENCES, Debrief

F = TypeVar("F")


class Live:
    """The parts of one page that change every month, as widgets set in place.

    Re-rendering a whole page for every month costs far more than a step (reacton
    reconciles every element), so a page renders its layout once and only when
    its structure changes (a decision window opens, a student joins), and the
    figures and figures-in-words go into these widgets directly."""

    def __init__(self) -> None:
        self._html: dict[str, widgets.HTML] = {}
        self._images: dict[str, widgets.Image] = {}

    def html(self, key: str) -> widgets.HTML:
        if key not in self._html:
            self._html[key] = widgets.HTML(value="", _dom_classes=[f"live-{key}"])
        return self._html[key]

    def image(self, key: str) -> widgets.Image:
        if key not in self._images:
            self._images[key] = widgets.Image(format="svg+xml", layout=widgets.Layout(width="100%"),
                                              _dom_classes=[f"figure-{key}"])
        return self._images[key]

    def set_html(self, key: str, value: str) -> None:
        w = self.html(key)
        if w.value != value:
            w.value = value

    def set_image(self, key: str, data: bytes) -> None:
        w = self.image(key)
        if w.value != data:
            w.value = data


def use_live[F](store: Store[F], fill: Callable[[F, Live], None], structure: Callable[[F], Hashable]) -> tuple[F | None, Live]:
    """Subscribe this page to ``store``: every frame is written into the page's :class:`Live` widgets by
    ``fill``; the page itself re-renders only when ``structure(frame)`` changes."""
    live = solara.use_memo(Live, [])
    frame, set_frame = solara.use_state(store.latest)
    shown = solara.use_ref(structure(frame) if frame is not None else None)
    if frame is not None and not live._html and not live._images:
        fill(frame, live)

    def connect() -> Callable[[], None]:
        try:
            from solara.server import kernel_context

            context = kernel_context.get_current_context()
        except RuntimeError:  # rendered outside a server (tests): no kernel to enter
            context = None

        def deliver(new: F) -> None:
            with context if context is not None else nullcontext():
                fill(new, live)
                key = structure(new)
                if key != shown.current:
                    shown.current = key
                    set_frame(new)

        unsubscribe = store.subscribe(deliver)
        if store.latest is not None:
            deliver(store.latest)
        return unsubscribe

    solara.use_effect(connect, [store])
    return frame, live


def html_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], classes: str = "") -> str:
    """A table as HTML text, every cell escaped (names come from files and from students)."""
    head = "".join(f"<th style='text-align:left;padding:2px 8px'>{escape(str(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td style='padding:2px 8px;border-top:1px solid #eee;white-space:nowrap'>{escape(str(c))}</td>"
                                    for c in row) + "</tr>" for row in rows)
    return f"<table class='{escape(classes)}' style='border-collapse:collapse;font-size:0.92em'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def heading(text: str, level: int = 3, **kw: Any) -> Any:
    return rv.Html(tag=f"h{level}", children=[text], style_=kw.get("style", "margin: 0.4em 0 0.2em 0"))


def para(text: str, style: str = "", classes: Sequence[str] = ()) -> Any:
    return rv.Html(tag="p", children=[text], style_=f"margin: 0.2em 0; {style}", class_=" ".join(classes))


def svg(data: bytes, width: str = "100%") -> Any:
    return solara.Image(data, format="svg+xml", width=width)


@solara.component
def Legend() -> None:
    with solara.Card("How to read the network", margin=0):
        items = [f"{what}: {meaning}" for what, meaning in charts.LEGEND]
        para("; ".join(items) + ". Every organisation's strategy is fortress (red) or collaborative (green).",
             style="font-size: 0.95em")


@solara.component
def NetworkCard(live: Live, title: str = "The organisations and how far they trust each other") -> None:
    with solara.Card(margin=0):
        heading(title)
        solara.Column(children=[live.image("network")])
        Legend()


@solara.component
def ChartGrid(live: Live, columns: int = 2) -> None:
    """Every chart of :data:`model.viz.charts.CHARTS`, with its title, unit and what to look for."""
    with solara.GridFixed(columns=columns, align_items="start"):
        for chart in charts.CHARTS:
            with solara.Card(margin=0, classes=[f"chart-{chart.key}"]):
                heading(chart.title, 4)
                solara.Column(children=[live.image(chart.key)])
                para(f"What to look for: {chart.look_for}", style="color: #444; font-size: 0.95em")


def fill_figures(figures: Any, live: Live) -> None:
    for key, data in figures.items():
        live.set_image(key, data)


def money(pounds: float | None) -> str:
    if pounds is None:
        return "…"
    sign = "−" if pounds < -5_000 else "+" if pounds >= 5_000 else ""
    return f"{sign}£{abs(pounds) / 1e6:,.2f}m"


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], dense: bool = True) -> Any:
    head = rv.Html(tag="thead", children=[rv.Html(tag="tr", children=[rv.Html(tag="th", children=[h]) for h in headers])])
    body = rv.Html(tag="tbody", children=[
        rv.Html(tag="tr", children=[rv.Html(tag="td", children=[str(c)]) for c in row]) for row in rows])
    return rv.SimpleTable(dense=dense, children=[head, body])


@solara.component
def DebriefView(report: Debrief, who: str = "this class") -> None:
    """Who ended best and worst, the place against each organisation, and the same place without the class."""
    with solara.Card(margin=0, classes=["debrief"]):
        heading(f"Debrief at month {report.month}", 2)
        best, worst = report.best, report.worst
        para(f"Best by its own result: {best.label} ({best.played_by}), {money(best.game)}. "
             f"Worst: {worst.label} ({worst.played_by}), {money(worst.game)}. "
             f"The place as a whole: {money(report.rows[0].game)}.", style="font-size: 1.1em")
        seeds = ", ".join(str(s) for s in report.seeds)
        if report.error:
            solara.Error(f"The comparison runs failed: {report.error}")
        elif report.pending:
            para(f"Running the same place without {who} ({report.pending} runs to go)…", classes=["debrief-pending"])
        else:
            para(f"Beside {who}: the same place on the same seed ({report.seed}) with bots only (the scenario's own "
                 f"policy throughout) and with everyone collaborative throughout; 'mean' is over seeds {seeds}.",
                 classes=["debrief-ready"])
        headers = ["", "played by", who]
        for label in REFERENCES.values():
            headers += [f"{label}, seed {report.seed}", f"{label}, mean"]
        rows = []
        for r in report.rows:
            row = [r.label, r.played_by, money(r.game)]
            for key in REFERENCES:
                same, mean = r.references[key]
                row += [money(same), money(mean)]
            rows.append(row)
        para("Each organisation's own result since month 0 (best first), and the place's (all of them together):")
        table(headers, rows)
        care_rows = []
        for label, game, refs in report.care:
            row = [label, "", f"{game:,.1f}"]
            for key in REFERENCES:
                same, mean = refs[key]
                row += ["…" if same is None else f"{same:,.1f}", "…" if mean is None else f"{mean:,.1f}"]
            care_rows.append(row)
        table(["care", "", who] + headers[3:], care_rows)
