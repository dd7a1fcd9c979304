"""The teaching page (``lhe viz``): one place, live, for a teacher in front of a class.

Every browser session gets a :class:`model.viz.session.Session` of its own. The
place opens exactly as its scenario file sets it; the settings on the left
change it only when the teacher changes them and presses Reset, and the page
says what they override. Importing this module builds no model.
"""

from __future__ import annotations

from html import escape

import solara

from model.regimes import REGIMES
from model.scenario import Scenario, list_scenarios, load_scenario
from model.viz.clock import PACES
from model.viz.components import (
    ChartGrid,
    DebriefView,
    Live,
    NetworkCard,
    fill_figures,
    heading,
    html_table,
    money,
    para,
    use_live,
)
from model.viz.session import STARTING_STRATEGIES, PageFrame, Session, Settings

START: Scenario | str = "baseline"  # the place a new session opens (``lhe viz SCENARIO`` sets it)
START_CHANGES: tuple[str, ...] = ()  # the --set changes START was served with, in words (``lhe viz --set``)
ACUTE_REGIMES = sorted(name for name, r in REGIMES.items() if "acute" in r.scopes)
PACE_WORDS = {1.0: "1 month a second", 2.0: "2 months a second", 5.0: "5 months a second",
              10.0: "10 months a second", 0.0: "as fast as it goes"}
SCENARIO_WORD = "as the scenario sets it"


def _places() -> list[str]:
    places = list_scenarios()
    start = START.name if isinstance(START, Scenario) else str(START)
    return places if start in places else [start, *places]


def _base(place: str) -> Scenario:
    if isinstance(START, Scenario) and place == START.name:
        return START
    return load_scenario(place)


def started_with(base: Scenario) -> tuple[str, ...]:
    """The server's --set changes, in words, where ``base`` is the place it was started with them."""
    return START_CHANGES if base is START else ()


@solara.component
def ClockControls(session: Session, live: Live, playing: bool, ended: bool, month: int, pace: float) -> None:
    solara.Column(children=[live.html("month")])
    with solara.Row(gap="6px", style="flex-wrap: wrap"):
        if playing:
            solara.Button("❚❚ Pause", on_click=session.clock.pause, color="warning")
        else:
            solara.Button("▶ Play", on_click=session.clock.play, color="primary", disabled=ended)
        solara.Button("Step", on_click=lambda: session.clock.step(1), disabled=ended or playing)
        solara.Button("Step a year", on_click=lambda: session.clock.step(12 - session.clock.model.month % 12),
                      disabled=ended or playing)
    solara.Select("Speed of Play", value=PACE_WORDS.get(pace, PACE_WORDS[5.0]), values=list(PACE_WORDS.values()),
                  on_value=lambda w: session.clock.set_pace(next(p for p in PACES if PACE_WORDS[p] == w)))


@solara.component
def SettingsPanel(session: Session, applied: Settings, overrides: tuple[str, ...], place_name: str) -> None:
    place, set_place = solara.use_state(applied.place)
    base = solara.use_memo(lambda: _base(place), [place])
    acute, set_acute = solara.use_state(SCENARIO_WORD)
    strategies, set_strategies = solara.use_state(STARTING_STRATEGIES["scenario"])
    regulator, set_regulator = solara.use_state(SCENARIO_WORD)
    learning, set_learning = solara.use_state(base.adaptation.policy == "adaptive")
    measures, set_measures = solara.use_state(base.commons.shared_measures)
    sanctions, set_sanctions = solara.use_state(base.commons.graduated_sanctions)
    seed, set_seed = solara.use_state(int(base.run.seed))

    def pick_place(name: str) -> None:
        set_place(name)
        b = _base(name)
        set_acute(SCENARIO_WORD)
        set_strategies(STARTING_STRATEGIES["scenario"])
        set_regulator(SCENARIO_WORD)
        set_learning(b.adaptation.policy == "adaptive")
        set_measures(b.commons.shared_measures)
        set_sanctions(b.commons.graduated_sanctions)
        set_seed(int(b.run.seed))

    wanted = Settings(
        place,
        acute_regime=None if acute == SCENARIO_WORD else acute,
        strategies=next(k for k, v in STARTING_STRATEGIES.items() if v == strategies),
        regulator={SCENARIO_WORD: None, "organisation-focused": "organisation", "whole-system": "system"}[regulator],
        learning=None if learning == (base.adaptation.policy == "adaptive") else learning,
        shared_measures=None if measures == base.commons.shared_measures else measures,
        graduated_sanctions=None if sanctions == base.commons.graduated_sanctions else sanctions,
        seed=None if seed == base.run.seed else int(seed),
    )
    with solara.Card("The place and its rules", margin=0):
        solara.Select("Place", value=place, values=_places(), on_value=pick_place)
        para(base.description, style="color: #444; font-size: 0.9em")
        solara.Select("Acute care paid by", value=acute, values=[SCENARIO_WORD, *ACUTE_REGIMES], on_value=set_acute)
        para(f"the file: {base.contracting.acute}", style="color: #666; font-size: 0.85em")
        solara.Select("Strategies at the start", value=strategies, values=list(STARTING_STRATEGIES.values()),
                      on_value=set_strategies)
        solara.Select("Regulator", value=regulator, values=[SCENARIO_WORD, "organisation-focused", "whole-system"],
                      on_value=set_regulator)
        para(f"the file: {'whole-system' if base.regulation.focus == 'system' else 'organisation-focused'}",
             style="color: #666; font-size: 0.85em")
        solara.Checkbox(label="Organisations learn (adaptive)", value=learning, on_value=set_learning)
        solara.Checkbox(label="Shared measures", value=measures, on_value=set_measures)
        solara.Checkbox(label="Graduated sanctions", value=sanctions, on_value=set_sanctions)
        solara.InputInt("Seed", value=seed, on_value=lambda v: set_seed(int(v) if v is not None else int(base.run.seed)))
        pending = wanted != applied
        if pending:
            solara.Warning("Changed: press Reset to start again with these settings.", dense=True)
        solara.Button("Reset", on_click=lambda: session.apply(wanted), color="error" if pending else None)
    served = started_with(session.base)
    if overrides or served:
        solara.Info("This run differs from the scenario's file: " + "; ".join((*served, *overrides)) + ".", dense=True,
                    classes=["overrides"])
    else:
        solara.Success(f"This run is {place_name} exactly as its scenario file sets it.", dense=True,
                       classes=["overrides"])


@solara.component
def StrategySwitch(session: Session, frame: PageFrame) -> None:
    """Turn one organisation into a fortress (or back) mid-run."""
    names = [o.name for o in frame.snap.orgs]
    picked, set_picked = solara.use_state(names[0] if names else "")
    chosen = picked if picked in names else (names[0] if names else "")
    with solara.Card("Switch an organisation's strategy", margin=0):
        solara.Select("Organisation", value=chosen, values=names, on_value=set_picked)
        if chosen:
            para(f"now: {frame.snap.org(chosen).strategy}", classes=["strategy-now"])
        with solara.Row():
            solara.Button("Make fortress", on_click=lambda: session.switch(chosen, "fortress"), color="error")
            solara.Button("Make collaborative", on_click=lambda: session.switch(chosen, "collaborative"), color="success")
        for line in frame.switches[-4:]:
            para(line, style="color: #444; font-size: 0.9em")


def fill(frame: PageFrame, live: Live) -> None:
    """What changes every month: the figures, the month, the organisations' table."""
    snap = frame.snap
    fill_figures(frame.figures, live)
    live.set_html("month", f"<div class='month-counter' style='font-size:1.4em;font-weight:bold'>Month {snap.month} of "
                           f"{snap.horizon}{' (ended)' if snap.ended else ''}</div>")
    rows = [(o.name, o.kind.replace("_", " "), o.strategy + (" (special measures)" if o.in_special_measures else ""),
             money(o.reserves), money(o.result)) for o in snap.orgs]
    events = "".join(f"<div style='color:#a33;font-size:0.9em'>{escape(e)}</div>" for e in snap.events)
    live.set_html("orgs", html_table(["organisation", "kind", "strategy", "reserves", "own result"], rows) + events)


def structure(frame: PageFrame) -> tuple:
    """What the page's layout depends on; it re-renders only when this changes."""
    snap = frame.snap
    d = frame.debrief
    return (frame.settings, frame.overrides, frame.switches, snap.ended, snap.extra.get("playing"), snap.extra.get("pace"),
            snap.place, tuple((o.name, o.strategy) for o in snap.orgs), snap.month == 0,
            None if d is None else (d.month, d.pending, d.error))


@solara.component
def Page() -> None:
    session = solara.use_memo(lambda: Session(START), [])
    solara.use_effect(lambda: session.close, [])
    frame, live = use_live(session.store, fill, structure)
    solara.Title("Local health economy")
    if frame is None:
        para("Opening the place…")
        return
    snap = frame.snap
    with solara.Columns([1, 3], gutters_dense=True):
        with solara.Column(style="min-width: 300px"):
            heading("Local health economy", 2)
            ClockControls(session, live, bool(snap.extra.get("playing")), snap.ended, snap.month,
                          float(snap.extra.get("pace", 5.0)))
            SettingsPanel(session, frame.settings, frame.overrides, snap.place)
        with solara.Column():
            if snap.ended or frame.debrief is not None:
                with solara.Card(margin=0, classes=["run-end"]):
                    if snap.ended:
                        heading(f"The run has ended at month {snap.month}: the end of {snap.place}'s horizon.")
                    if frame.debrief is None:
                        para("Compare it with the same place run with bots only and with everyone collaborative.")
                        solara.Button("Debrief", on_click=session.ask_debrief, color="primary")
                    else:
                        DebriefView(frame.debrief, who="this run")
            with solara.Row(style="flex-wrap: wrap; align-items: flex-start", gap="12px"):
                with solara.Column(style="flex: 3; min-width: 480px"):
                    NetworkCard(live)
                with solara.Column(style="flex: 2; min-width: 360px"):
                    StrategySwitch(session, frame)
                    with solara.Card(f"The organisations ({snap.place}, {snap.population:,} people; acute care paid "
                                     f"by {snap.acute_regime})", margin=0):
                        solara.Column(children=[live.html("orgs")])
                    if not snap.ended and frame.debrief is None:
                        solara.Button("Debrief now", on_click=session.ask_debrief, text=True)
            ChartGrid(live)


@solara.component
def Layout(children: list = []) -> None:  # noqa: B006 - Solara's layout signature
    with solara.Column(style="padding: 8px"):
        for c in children:
            solara.display(c)
