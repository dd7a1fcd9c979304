"""Classroom mode's pages (``lhe class``): the teacher's (``/teacher``), the projector's (``/screen``) and
the students' (``/``).

All three read frames of the one :class:`model.viz.classroom.Classroom` that
``lhe class`` creates before serving (:data:`CLASSROOM`), and change the game
only through its methods. The teacher's page needs the startup token (a cookie
set by the server when the teacher opens the link printed in the terminal);
a student is known by an HTTP-only cookie, so a reload or a laptop that slept
gets its organisation back. Importing this module builds no model.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from html import escape

import solara
import solara.lab

from model.regimes import REGIMES
from model.scenario import list_scenarios
from model.viz.classroom import ClassFrame, Classroom, JoinRefused
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

CLASSROOM: Classroom | None = None  # set by ``lhe class`` before the server starts
JOIN_URL = ""  # what students type, set by ``lhe class``
TEACHER_COOKIE = "lhe_teacher"
STUDENT_COOKIE = "lhe_student"
ACUTE_REGIMES = sorted(name for name, r in REGIMES.items() if "acute" in r.scopes)
PACE_WORDS = {1.0: "1 month a second", 2.0: "2 months a second", 5.0: "5 months a second",
              10.0: "10 months a second", 0.0: "as fast as it goes"}
WHAT_IT_MEANS = {
    ("hospital", "fortress"): "grow planned operations, admit at the margin, keep specialists in hospital, refuse risk shares",
    ("hospital", "collaborative"): "specialists work in the community, support early discharge, share risk, release beds",
    ("gp_federation", "fortress"): "protect the core contract, refer more, no proactive care",
    ("gp_federation", "collaborative"): "proactive care for people with several conditions, join alliances, take budget risk",
    ("commissioner", "fortress"): "short contracts, activity caps, cut community services first, shift costs to the council",
    ("commissioner", "collaborative"): "long outcome-based contracts, pool budgets with the council, invest in community care",
    ("council", "fortress"): "tighten social care eligibility, cut prevention, refuse to pool budgets",
    ("council", "collaborative"): "pool budgets, keep care places for hospital discharge, invest in prevention",
}


def _cookie(name: str) -> str | None:
    cookies = solara.lab.cookies.value or {}
    value = cookies.get(name)
    return str(value) if value else None


def _classroom() -> Classroom:
    if CLASSROOM is None:
        raise RuntimeError("no classroom: start the pages with `lhe class`")
    return CLASSROOM


def status_html(frame: ClassFrame) -> str:
    snap = frame.snap
    words = {"deciding": "decision time", "playing": "playing", "paused": "paused", "debrief": "debrief"}[frame.phase]
    out = (f"<div class='month-counter' style='font-size:1.4em;font-weight:bold'>Month {snap.month} of {snap.horizon}: "
           f"{words}</div>")
    w = frame.window
    if w is not None and not w.closed:
        out += (f"<div class='window-open' style='background:#fff3cd;padding:6px;border-radius:4px'>Decisions for the year "
                f"ending at month {w.month}: {w.decided} of {w.expected} students have decided; the window closes when "
                f"all have, or {time.strftime('at %H:%M:%S', time.localtime(w.deadline))}.</div>")
    elif w is not None and w.closed:
        out += f"<div class='window-closed'>Decisions for month {w.month} closed ({escape(w.closed)}).</div>"
    return out


def org_rows(frame: ClassFrame) -> list[tuple[str, ...]]:
    return [(o.name, o.kind.replace("_", " "), o.strategy + (" (special measures)" if o.in_special_measures else ""),
             money(o.result), ", ".join(frame.teams.get(o.name, ())) or "bot") for o in frame.snap.orgs]


def fill_common(frame: ClassFrame, live: Live) -> None:
    fill_figures(frame.figures, live)
    live.set_html("status", status_html(frame))
    live.set_html("orgs", html_table(["organisation", "kind", "strategy", "own result", "played by"], org_rows(frame)))


def debrief_key(frame: ClassFrame) -> tuple | None:
    d = frame.debrief
    return None if d is None else (d.month, d.pending, d.error)


@solara.component
def PlacePictures(live: Live, columns: int = 2) -> None:
    NetworkCard(live)
    ChartGrid(live, columns=columns)


@solara.component
def Record(classroom: Classroom, frame: ClassFrame) -> None:
    record = json.dumps(classroom.record(), indent=1)
    solara.FileDownload(record, filename=f"lhe-class-{frame.snap.place}-seed{frame.snap.seed}.json",
                        label="Download the record of every decision (replays the game exactly)")


def fill_teacher(frame: ClassFrame, live: Live) -> None:
    fill_common(frame, live)
    rows = [(s.name, s.org, "yes" if s.connected else "no", s.voted or "") for s in frame.students.values()]
    live.set_html("students", html_table(["student", "organisation", "connected", "decided"], rows))


def teacher_structure(frame: ClassFrame) -> tuple:
    return (frame.phase, frame.playing, frame.finished, frame.snap.extra.get("pace"), len(frame.students),
            frame.snap.place, frame.snap.acute_regime, debrief_key(frame))


@solara.component
def TeacherPage() -> None:
    classroom = _classroom()
    if not classroom.check_token(_cookie(TEACHER_COOKIE)):
        heading("The teacher's page", 2)
        para("This page needs the teacher's link, printed in the terminal where `lhe class` runs.",
             classes=["needs-token"])
        return
    TeacherConsole(classroom)


@solara.component
def TeacherConsole(classroom: Classroom) -> None:
    frame, live = use_live(classroom.store, fill_teacher, teacher_structure)
    places = list_scenarios()
    place, set_place = solara.use_state(classroom.scenario.name)
    acute, set_acute = solara.use_state(classroom.scenario.contracting.acute)
    seed, set_seed = solara.use_state(classroom.seed)
    window, set_window = solara.use_state(int(classroom.window_seconds))
    solara.Title("Classroom: teacher")
    if frame is None:
        para("Opening the place…")
        return
    snap = frame.snap

    def new_game() -> None:
        classroom.window_seconds = float(window)
        classroom.setup(place, seed=int(seed), acute_regime=acute)

    with solara.Columns([1, 3], gutters_dense=True):
        with solara.Column(style="min-width: 300px"):
            heading("Classroom: the teacher", 2)
            para(f"Students join at {JOIN_URL or 'this address'} with the code", style="margin-bottom: 0")
            para(frame.join_code, style="font-size: 2em; font-weight: bold; letter-spacing: 0.15em", classes=["join-code"])
            solara.Column(children=[live.html("status")])
            playing = frame.playing
            with solara.Row(gap="6px", style="flex-wrap: wrap"):
                if playing:
                    solara.Button("❚❚ Pause", on_click=classroom.pause, color="warning")
                else:
                    solara.Button("▶ Start", on_click=classroom.start, color="primary", disabled=frame.finished)
                solara.Button("Step", on_click=lambda: classroom.step(1), disabled=playing or frame.finished)
                solara.Button("Close decisions now", on_click=classroom.close_window,
                              disabled=frame.phase != "deciding")
                solara.Button("Finish and debrief", on_click=classroom.finish, disabled=frame.finished)
            pace = snap.extra.get("pace", 5.0)
            solara.Select("Speed", value=PACE_WORDS.get(pace, PACE_WORDS[5.0]), values=list(PACE_WORDS.values()),
                          on_value=lambda w: classroom.set_pace(next(p for p in PACES if PACE_WORDS[p] == w)))
            with solara.Card("A new game", margin=0):
                solara.Select("Place", value=place, values=places, on_value=set_place)
                solara.Select("Acute care paid by", value=acute, values=ACUTE_REGIMES, on_value=set_acute)
                solara.InputInt("Seed", value=seed, on_value=lambda v: set_seed(int(v or 0)))
                solara.InputInt("Seconds to decide each year", value=window,
                                on_value=lambda v: set_window(max(int(v or 10), 10)))
                solara.Button("New game (back to month 0)", on_click=new_game, color="error")
            with solara.Card(f"Students ({len(frame.students)})", margin=0):
                solara.Column(children=[live.html("students")])
        with solara.Column():
            if frame.debrief is not None:
                DebriefView(frame.debrief)
                Record(classroom, frame)
            with solara.Card(f"{snap.place}: {snap.population:,} people; acute care paid by {snap.acute_regime}", margin=0):
                solara.Column(children=[live.html("orgs")])
            PlacePictures(live)


@solara.component
def ScreenPage() -> None:
    classroom = _classroom()
    frame, live = use_live(classroom.store, fill_common, lambda f: (f.finished, f.snap.place, debrief_key(f)))
    solara.Title("Classroom")
    if frame is None:
        para("Opening the place…")
        return
    with solara.Row(style="align-items: baseline; flex-wrap: wrap", gap="24px"):
        heading(f"{frame.snap.place}", 2)
        para(f"Join at {JOIN_URL or 'this address'} with the code {frame.join_code}",
             style="font-size: 1.6em; font-weight: bold", classes=["join-code"])
    solara.Column(children=[live.html("status")])
    if frame.debrief is not None:
        DebriefView(frame.debrief)
    solara.Column(children=[live.html("orgs")])
    PlacePictures(live, columns=3)


@solara.component
def JoinForm(classroom: Classroom, student_id: str, frame: ClassFrame) -> None:
    name, set_name = solara.use_state("")
    code, set_code = solara.use_state("")
    org, set_org = solara.use_state("any organisation no one plays yet")
    error, set_error = solara.use_state("")
    orgs = [o.name for o in frame.snap.orgs if o.kind != "prime_contractor"]

    def join() -> None:
        try:
            classroom.join(student_id, name, code, None if org not in orgs else org)
            set_error("")
        except JoinRefused as e:
            set_error(str(e))

    heading(f"Join the class: {frame.snap.place}", 2)
    solara.InputText("Your name", value=name, on_value=set_name, continuous_update=True)
    solara.InputText("Join code (on the teacher's screen)", value=code, on_value=set_code, continuous_update=True)
    labels = ["any organisation no one plays yet"] + orgs
    solara.Select("Organisation", value=org, values=labels, on_value=set_org)
    solara.Button("Join", on_click=join, color="primary")
    if error:
        solara.Error(error, classes=["join-error"])


def student_fill(student_id: str) -> Callable[[ClassFrame, Live], None]:
    def fill(frame: ClassFrame, live: Live) -> None:
        fill_figures(frame.figures, live)
        live.set_html("status", status_html(frame))
        me = frame.students.get(student_id)
        if me is None:
            return
        try:
            org = frame.snap.org(me.org)
        except KeyError:
            return
        live.set_html("mine", f"<div class='my-strategy' style='font-size:1.15em'>Your strategy now: <b>{org.strategy}</b>. "
                              f"Your reserves: {money(org.reserves)}; your own result since month 0: "
                              f"{money(org.result)}.</div>")
    return fill


def student_structure(student_id: str) -> Callable[[ClassFrame], tuple]:
    def structure(frame: ClassFrame) -> tuple:
        me = frame.students.get(student_id)
        w = frame.window
        special = False
        if me is not None and me.org in {o.name for o in frame.snap.orgs}:
            special = frame.snap.org(me.org).in_special_measures
        return (me, frame.phase, None if w is None else (w.month, w.closed), frame.teams.get(me.org) if me else None,
                frame.snap.place, special, debrief_key(frame))
    return structure


@solara.component
def Levers(declared: tuple, values: dict, set_values: Callable[[dict], None]) -> None:
    """A slider for each lever the organisation's kind declares (model.viz.levers)."""
    for lever in declared:
        solara.SliderFloat(lever.label, value=float(values.get(lever.name, (lever.low + lever.high) / 2)),
                           min=lever.low, max=lever.high, step=lever.step,
                           on_value=lambda v, name=lever.name: set_values({**values, name: float(v)}))


@solara.component
def StudentPage() -> None:
    fallback = solara.use_memo(lambda: secrets.token_urlsafe(16), [])
    StudentScreen(_cookie(STUDENT_COOKIE) or fallback)


@solara.component
def StudentScreen(student_id: str) -> None:
    """One student's page: the join form, then their organisation, their decisions and the place."""
    classroom = _classroom()
    fill = solara.use_memo(lambda: student_fill(student_id), [student_id])
    structure = solara.use_memo(lambda: student_structure(student_id), [student_id])
    frame, live = use_live(classroom.store, fill, structure)
    levers, set_levers = solara.use_state({})  # this student's lever settings (none until the model has levers)
    me = frame.students.get(student_id) if frame is not None else None
    joined = me is not None

    def connect():
        if not joined:
            return None
        classroom.connect(student_id)
        return lambda: classroom.disconnect(student_id)

    solara.use_effect(connect, [joined, student_id])
    solara.Title("Classroom: student")
    if frame is None:
        para("Opening the place…")
        return
    if me is None:
        JoinForm(classroom, student_id, frame)
        return
    snap = frame.snap
    team = [n for n in frame.teams.get(me.org, ()) if n != me.name]
    heading(f"{me.name}: you play {me.org}", 2)
    para(f"a {me.kind.replace('_', ' ')}" + (f", with {', '.join(team)}" if team else "") + ".", classes=["my-org"])
    solara.Column(children=[live.html("status"), live.html("mine")])
    if me.org in {o.name for o in snap.orgs} and snap.org(me.org).in_special_measures:
        solara.Warning("The regulator has put you in special measures: it will make you a fortress this year.")
    w = frame.window
    if frame.phase == "deciding" and w is not None:
        with solara.Card(f"Your decision for the year from month {w.month}", margin=0, classes=["decision"]):
            for strategy in ("fortress", "collaborative"):
                para(f"{strategy.capitalize()}: {WHAT_IT_MEANS.get((me.kind, strategy), '')}.")
            Levers(frame.levers.get(me.kind, ()), levers, set_levers)
            with solara.Row():
                solara.Button("Fortress", on_click=lambda: classroom.decide(student_id, "fortress", levers),
                              color="error")
                solara.Button("Collaborative", on_click=lambda: classroom.decide(student_id, "collaborative", levers),
                              color="success")
            if me.voted:
                para("Waiting for the others.")
    if me.last_vote is not None:
        para(f"You chose {me.last_vote[1]} for the year from month {me.last_vote[0]}.", classes=["my-vote"])
    if frame.phase not in ("deciding", "debrief"):
        others = [o.name for o in snap.orgs if o.kind != "prime_contractor"]
        solara.Select("Play another organisation", value=me.org, values=others,
                      on_value=lambda name: classroom.move(student_id, name))
    if frame.debrief is not None:
        DebriefView(frame.debrief)
    PlacePictures(live, columns=2)


@solara.component
def Layout(children: list = []) -> None:  # noqa: B006 - Solara's layout signature
    with solara.Column(style="padding: 8px"):
        for c in children:
            solara.display(c)


routes = [  # each with the plain layout, so no navigation between the pages is offered
    solara.Route(path="/", component=StudentPage, label="Join", layout=Layout),
    solara.Route(path="teacher", component=TeacherPage, label="Teacher", layout=Layout),
    solara.Route(path="screen", component=ScreenPage, label="Screen", layout=Layout),
]
