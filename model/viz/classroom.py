"""Classroom mode: students play the organisations of one shared place; the teacher runs the clock.

Everything here is independent of the pages. A :class:`Classroom` holds the
game: the place and its clock (:class:`model.viz.clock.Clock`), the join code,
the students and the organisations they hold, the decision window of each
simulated year, the record of every decision and the reference runs for the
debrief. Pages subscribe to its :class:`model.viz.clock.Store` and read the
immutable frames it publishes; they change the game only through its methods.

Students' choices enter the model as a :class:`StudentPolicy` that wraps the
scenario's own policy: at every year end it asks the scenario's policy about
every organisation exactly as a run with bots only would (so the same random
numbers are drawn), then, for an organisation a team of students holds, puts the
team's choice in place of the bot's unless the rules force a strategy (special
measures, system leadership). Bots play every organisation no student holds.
"""

from __future__ import annotations

import hmac
import secrets
import statistics
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from model.scenario import Scenario, load_scenario
from model.strategies import STRATEGIES, StrategyPolicy
from model.viz import charts
from model.viz.clock import Clock, Store
from model.viz.debrief import Debrief, ReferenceRuns, debrief
from model.viz.levers import LEVER_SETS, levers_of
from model.viz.snapshot import Snapshot

if TYPE_CHECKING:
    from model.economy import LocalHealthEconomy
    from model.organisations import Organisation

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on a projector
CODE_LENGTH = 6
WINDOW_SECONDS = 90.0  # a decision window's default deadline
MAX_STUDENTS = 120
MAX_NAME = 30
WRONG_CODES_BEFORE_WAIT = 5
WRONG_CODE_WAIT = 30.0  # seconds a session waits after too many wrong codes


class JoinRefused(ValueError):
    """A join the classroom refuses, with a message a student can act on."""


@dataclass(frozen=True)
class Decision:
    """What a team chose for its organisation at one year end."""

    strategy: str
    levers: Mapping[str, float] = field(default_factory=dict)
    by: str = ""  # the students who decided


class StudentPolicy:
    """The scenario's own policy, with students' decisions in place of the bots' for the organisations they hold."""

    def __init__(self, base: StrategyPolicy) -> None:
        self.base = base
        self.decisions: dict[int, dict[str, Decision]] = {}  # year-end month -> organisation -> decision
        self.record: list[dict[str, Any]] = []

    def observe(self, model: LocalHealthEconomy) -> None:
        self.base.observe(model)

    def choose(self, org: Organisation, model: LocalHealthEconomy) -> str:
        bot = self.base.choose(org, model)  # always asked, so random numbers are drawn as in a bots-only run
        decision = self.decisions.get(model.month, {}).get(org.name)
        forced = model.forced_strategy(org)
        chosen, by = bot, "bot"
        if decision is not None:
            if forced is not None and forced != decision.strategy:
                chosen, by = forced, "the rules (special measures or system leadership)"
            else:
                chosen, by = decision.strategy, decision.by
            if org.kind in LEVER_SETS and decision.levers:
                lever_set = LEVER_SETS[org.kind]
                lever_set.apply(model, org, {lv.name: lv.clamp(decision.levers[lv.name])
                                             for lv in lever_set.levers if lv.name in decision.levers})
        self.record.append({"month": model.month, "organisation": org.name, "kind": org.kind, "bot": bot,
                            "students": decision.strategy if decision else None,
                            "levers": dict(decision.levers) if decision else {}, "strategy": chosen, "by": by})
        return chosen


@dataclass
class Student:
    id: str  # the session cookie's value: never shown on a page
    name: str
    org: str
    joined_month: int
    pages: int = 0  # pages open now
    votes: dict[int, str] = field(default_factory=dict)  # year-end month -> the strategy they voted for


@dataclass
class Window:
    """The decision window before one year end."""

    month: int  # the year-end month the decisions apply at
    opened: float
    deadline: float
    votes: dict[str, Decision] = field(default_factory=dict)  # student id -> vote
    closed: str = ""  # why it closed: "all decided", "the teacher", "the deadline", or "" while open


@dataclass(frozen=True)
class StudentView:
    name: str
    org: str
    kind: str
    connected: bool
    voted: str | None  # this window's vote, if any
    last_vote: tuple[int, str] | None  # (year-end month, strategy) of their latest vote


@dataclass(frozen=True)
class WindowView:
    month: int
    seconds_left: float
    deadline: float  # time.time() at which it closes
    decided: int
    expected: int
    closed: str


@dataclass(frozen=True, eq=False)
class ClassFrame:
    """What every classroom page reads: the place, its figures (drawn once), and the class."""

    snap: Snapshot
    figures: Mapping[str, bytes]
    students: Mapping[str, StudentView]  # by student id
    teams: Mapping[str, tuple[str, ...]]  # organisation -> names of the students holding it
    window: WindowView | None
    playing: bool
    finished: bool  # the teacher ended the game, or the run reached its end
    join_code: str
    debrief: Debrief | None
    decisions: tuple[dict[str, Any], ...]
    levers: Mapping[str, tuple[Any, ...]]  # kind -> its levers (empty until the model has levers)

    @property
    def phase(self) -> str:
        if self.finished:
            return "debrief"
        if self.window is not None and not self.window.closed:
            return "deciding"
        return "playing" if self.playing else "paused"


def clean_name(text: str) -> str:
    name = " ".join("".join(ch for ch in str(text) if unicodedata.category(ch)[0] != "C").split())
    if not name:
        raise JoinRefused("Type your name (up to 30 letters).")
    return name[:MAX_NAME]


def bots_base_policy(model: LocalHealthEconomy) -> StrategyPolicy:
    """The policy the model chose for its scenario, unwrapped."""
    policy = model.policy
    return policy.base if isinstance(policy, StudentPolicy) else policy


class Classroom:
    """One game for one class. Thread-safe: pages call it from their own threads."""

    def __init__(self, scenario: Scenario | str | None = None, *, seed: int | None = None, acute_regime: str | None = None,
                 window_seconds: float = WINDOW_SECONDS, reference_seeds: int = 3, background: bool = True,
                 max_students: int = MAX_STUDENTS, clock: Callable[[], float] = time.monotonic) -> None:
        self.token = secrets.token_urlsafe(18)
        self.join_code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        self.window_seconds = window_seconds
        self.reference_seeds = reference_seeds
        self.background = background
        self.max_students = max_students
        self._now = clock
        self._lock = threading.RLock()
        self.students: dict[str, Student] = {}
        self._wrong: dict[str, tuple[int, float]] = {}
        self.window: Window | None = None
        self.finished = False
        self.references: ReferenceRuns | None = None
        self._figures: tuple[Any, dict[str, bytes]] | None = None
        # the place served, changes and all (lhe class --set): chosen again by its name, it is this, not its file
        self.served: Scenario | None = scenario if isinstance(scenario, Scenario) else None
        self._configure(scenario, seed, acute_regime)
        self.store: Store[ClassFrame] = Store(self._frame, name="lhe-class-publisher")
        self.clock = Clock(self._build, changed=lambda since=None: self.store.publish(since), hold=self._hold,
                           name="lhe-class-clock")
        self._start_references()

    # --- the game --------------------------------------------------------------------------
    def _configure(self, scenario: Scenario | str | None, seed: int | None, acute_regime: str | None) -> None:
        if isinstance(scenario, Scenario):
            base = scenario
        elif self.served is not None and scenario == self.served.name:
            base = self.served
        else:
            base = load_scenario(scenario)
        if acute_regime and acute_regime != base.contracting.acute:
            base = base.with_changes({"contracting.acute": acute_regime})
        self.scenario = base
        self.seed = int(base.run.seed if seed is None else seed)

    def _build(self) -> tuple[LocalHealthEconomy, int]:
        from model.economy import LocalHealthEconomy

        model = LocalHealthEconomy(self.scenario, rng=self.seed)
        model.policy = StudentPolicy(model.policy)
        return model, self.seed

    def _start_references(self) -> None:
        if self.references is not None:
            self.references.close()
        self.references = ReferenceRuns(self.scenario, self.seed, self.reference_seeds,
                                        on_update=self.store.publish, background=self.background)

    def setup(self, scenario: Scenario | str | None = None, *, seed: int | None = None, acute_regime: str | None = None) -> None:
        """A new game: another place, regime or seed (or the same again). Students keep their seats where
        the place still has their organisation."""
        with self.clock.lock, self._lock:  # always the clock's lock first, as the clock thread takes them
            self._configure(scenario if scenario is not None else self.scenario, seed, acute_regime)
            self.window, self.finished, self._figures = None, False, None
            self.clock.reset()
            names = [o.name for o in self.playable()]
            for s in sorted(self.students.values(), key=lambda s: s.joined_month):
                if s.org not in names:
                    s.org = self._free_org(exclude=s.id)
            self._start_references()
        self.store.publish()

    reset = setup

    def start(self) -> None:
        self.finished = False
        self.clock.play()

    def pause(self) -> None:
        self.clock.pause()

    def step(self, months: int = 1) -> None:
        self.clock.step(months)

    def finish(self) -> None:
        """End the game here and show the debrief."""
        with self.clock.lock, self._lock:
            self.clock.pause()
            self.finished = True
            if self.window is not None and not self.window.closed:
                self.window.closed = "the game ended"
        self.store.publish()

    def set_pace(self, pace: float) -> None:
        self.clock.set_pace(pace)

    def close(self) -> None:
        self.clock.close()
        self.store.close()
        if self.references is not None:
            self.references.close()

    def playable(self) -> list[Organisation]:
        """The organisations students can hold (a prime contractor is a contracting vehicle, played by its owner)."""
        return [o for o in self.clock.model.organisations if o.kind != "prime_contractor"]

    # --- joining ---------------------------------------------------------------------------
    def check_code(self, code: str) -> bool:
        """The join code, compared in constant time (spaces and case ignored)."""
        given = "".join(str(code).split()).upper().encode()
        return hmac.compare_digest(given, self.join_code.encode())

    def check_token(self, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(str(token).encode(), self.token.encode())

    def join(self, student_id: str, name: str, code: str, org: str | None = None) -> Student:
        """A student joins (or rejoins) with the code; they get ``org`` if given, else a bot's organisation,
        else a seat on the smallest team."""
        with self._lock:
            now = self._now()
            wrong, until = self._wrong.get(student_id, (0, 0.0))
            if now < until:
                raise JoinRefused(f"Too many wrong codes: wait {until - now:.0f} seconds and try again.")
            if not self.check_code(code):
                wrong += 1
                self._wrong[student_id] = (0, now + WRONG_CODE_WAIT) if wrong >= WRONG_CODES_BEFORE_WAIT else (wrong, 0.0)
                raise JoinRefused("That join code is not right: use the code on the teacher's screen.")
            self._wrong.pop(student_id, None)
            name = clean_name(name)
            names = {o.name for o in self.playable()}
            if org is not None and org not in names:
                raise JoinRefused(f"There is no organisation called {org!r} in this place.")
            if student_id in self.students:
                s = self.students[student_id]
                s.name = name
                if org is not None:
                    s.org = org
            else:
                if len(self.students) >= self.max_students:
                    raise JoinRefused(f"The class is full ({self.max_students} students).")
                s = Student(student_id, name, org or self._free_org(), self.clock.model.month)
                self.students[student_id] = s
        self.store.publish()
        return s

    def _free_org(self, exclude: str | None = None) -> str:
        held = Counter(s.org for s in self.students.values() if s.id != exclude)
        orgs = [o.name for o in self.playable()]
        return min(orgs, key=lambda n: (held[n], orgs.index(n)))

    def student(self, student_id: str | None) -> Student | None:
        with self._lock:
            return self.students.get(student_id) if student_id else None

    def move(self, student_id: str, org: str) -> None:
        """A student picks another organisation (between decisions)."""
        with self._lock:
            if org not in {o.name for o in self.playable()}:
                raise JoinRefused(f"There is no organisation called {org!r} in this place.")
            s = self.students[student_id]
            if self.window is not None and not self.window.closed:
                self.window.votes.pop(student_id, None)
            s.org = org
        self.store.publish()

    def connect(self, student_id: str) -> None:
        with self._lock:
            if student_id in self.students:
                self.students[student_id].pages += 1
        self.store.publish()

    def disconnect(self, student_id: str) -> None:
        with self._lock:
            if student_id in self.students:
                self.students[student_id].pages = max(0, self.students[student_id].pages - 1)
                self._close_if_all_decided()
        self.clock.wake()
        self.store.publish()

    def teams(self) -> dict[str, list[Student]]:
        out: dict[str, list[Student]] = {}
        for s in self.students.values():
            out.setdefault(s.org, []).append(s)
        return out

    # --- decisions -------------------------------------------------------------------------
    def _hold(self, model: LocalHealthEconomy) -> bool:
        """Asked by the clock before each step: hold the year-end step while its window is open."""
        with self._lock:
            if model.month % 12 != 11 or not self.students:
                return False
            year_end = model.month + 1
            if self.window is None or self.window.month != year_end:
                now = self._now()
                self.window = Window(year_end, now, now + self.window_seconds)
                self._close_if_all_decided()
                self.store.publish()
            w = self.window
            if not w.closed and self._now() >= w.deadline:
                self._close("the deadline")
            return not w.closed

    def decide(self, student_id: str, strategy: str, levers: Mapping[str, float] | None = None) -> None:
        """A student's vote in the open window."""
        if strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}, not {strategy!r}")
        with self._lock:
            s = self.students.get(student_id)
            w = self.window
            if s is None or w is None or w.closed:
                return
            kind = self.clock.model.organisation(s.org).kind
            allowed = {lv.name: lv for lv in levers_of(kind)}
            values = {k: allowed[k].clamp(v) for k, v in (levers or {}).items() if k in allowed}
            w.votes[student_id] = Decision(strategy, values, s.name)
            s.votes[w.month] = strategy
            self._close_if_all_decided()
        self.clock.wake()  # outside the class's lock: the clock takes its own lock first
        self.store.publish()

    def close_window(self) -> None:
        """The teacher closes the open window now."""
        with self._lock:
            if self.window is not None and not self.window.closed:
                self._close("the teacher")
        self.clock.wake()
        self.store.publish()

    def tick(self) -> None:
        """Close a window whose deadline has passed (the clock also does this while it waits)."""
        with self._lock:
            if self.window is not None and not self.window.closed and self._now() >= self.window.deadline:
                self._close("the deadline")

    def _expected(self) -> list[Student]:
        return [s for s in self.students.values() if s.pages > 0]

    def _close_if_all_decided(self) -> None:
        w = self.window
        if w is not None and not w.closed and all(s.id in w.votes for s in self._expected()):
            self._close("all decided")

    def _close(self, why: str) -> None:
        """Count each team's votes (majority; a tie or no vote leaves it to the bot) into the policy."""
        w = self.window
        assert w is not None
        w.closed = why
        decided: dict[str, Decision] = {}
        for org, team in self.teams().items():
            votes = [w.votes[s.id] for s in team if s.id in w.votes]
            if not votes:
                continue
            counts = Counter(v.strategy for v in votes).most_common()
            if len(counts) > 1 and counts[0][1] == counts[1][1]:
                continue  # a tied team leaves the choice to the bot
            winner = counts[0][0]
            lever_names = {k for v in votes for k in v.levers}
            levers = {k: statistics.median(v.levers[k] for v in votes if k in v.levers) for k in lever_names}
            decided[org] = Decision(winner, levers, ", ".join(sorted(v.by for v in votes if v.strategy == winner)))
        policy = self.clock.model.policy
        if isinstance(policy, StudentPolicy):
            policy.decisions[w.month] = decided

    # --- the record ------------------------------------------------------------------------
    def record(self) -> dict[str, Any]:
        """Everything needed to replay the game exactly: the place, the seed and every decision."""
        with self.clock.lock:
            policy = self.clock.model.policy
            decisions = policy.record if isinstance(policy, StudentPolicy) else []
            return {"format": "lhe-classroom-record/1", "place": self.scenario.name, "seed": self.seed,
                    "month": self.clock.model.month, "scenario": self.scenario.model_dump(mode="json"),
                    "decisions": [dict(d) for d in decisions]}

    # --- frames ----------------------------------------------------------------------------
    def _frame(self) -> ClassFrame:
        with self.clock.lock, self._lock:
            snap = self.clock.snapshot()
            model = self.clock.model
            teams = {org: tuple(s.name for s in team) for org, team in self.teams().items()}
            held = {org: ", ".join(names) if len(names) <= 2 else f"{len(names)} students" for org, names in teams.items()}
            key = (snap.version, snap.month, tuple(sorted(held.items())), id(model))
            if self._figures is None or self._figures[0] != key:
                self._figures = (key, charts.render(snap, held))
            figures = self._figures[1]
            w = self.window
            wall = time.time() - self._now()
            window = None
            if w is not None:
                expected = self._expected()
                window = WindowView(w.month, max(0.0, w.deadline - self._now()), w.deadline + wall,
                                    sum(1 for s in expected if s.id in w.votes), len(expected), w.closed)
            kinds = {o.name: o.kind for o in model.organisations}
            students = {s.id: StudentView(s.name, s.org, kinds.get(s.org, ""), s.pages > 0,
                                          w.votes[s.id].strategy if w is not None and s.id in w.votes and not w.closed else None,
                                          max(s.votes.items()) if s.votes else None)
                        for s in self.students.values()}
            policy = model.policy
            decisions = tuple(dict(d) for d in policy.record) if isinstance(policy, StudentPolicy) else ()
            finished = self.finished or self.clock.ended
            report = None
            if finished:
                played_by = {org: ", ".join(names) for org, names in teams.items()}
                report = debrief(snap.month, self.seed, {o.name: o.result for o in snap.orgs}, kinds, played_by,
                                 snap.series, self.references)
            return ClassFrame(snap, MappingProxyType(figures), MappingProxyType(students), MappingProxyType(teams),
                              window, self.clock.busy, finished, self.join_code, report, decisions,
                              MappingProxyType({k: levers_of(k) for k in kinds.values()}))


def replay(record: Mapping[str, Any]) -> LocalHealthEconomy:
    """The game of a record, played again from its place, seed and the students' decisions."""
    from model.economy import LocalHealthEconomy

    scenario = Scenario.model_validate(record["scenario"])
    model = LocalHealthEconomy(scenario, rng=int(record["seed"]))
    policy = StudentPolicy(model.policy)
    for d in record["decisions"]:
        if d.get("students"):
            policy.decisions.setdefault(int(d["month"]), {})[d["organisation"]] = Decision(
                d["students"], dict(d.get("levers") or {}), d.get("by", ""))
    model.policy = policy
    for _ in range(int(record["month"])):
        model.step()
    return model
