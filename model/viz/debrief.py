"""The debrief: how the class did against the same place without them.

At the start of a game, the same place on the same seeds is run in a process of
its own twice over: with bots only (the scenario's own policy throughout) and
with everyone collaborative throughout, on the game's seed and the next few.
Each run keeps every organisation's own result month by month, so the debrief
compares the class with them at whatever month the game stops.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from model.scenario import Scenario

log = logging.getLogger(__name__)

KINDS = ("commissioners", "councils", "hospitals", "gp_federations")
REFERENCES = {"bots": "bots only", "collaborative": "everyone collaborative"}


@dataclass(frozen=True)
class RunFigures:
    """One run's figures by month (index 0 = month 1): the place's and each organisation's own result
    (pounds since month 0, without the national support drawn: snapshot.own_result), emergency admissions per
    1,000, delayed transfer days, and the place's net health benefit since the start (QALYs: its people's health,
    and its money as the health it would buy at the NHS's margin; model.health)."""

    reference: str  # "bots" or "collaborative"
    seed: int
    place: tuple[float, ...]
    orgs: dict[str, tuple[float, ...]]
    admissions: tuple[float, ...]
    delays: tuple[float, ...]
    health: tuple[float, ...]

    def at(self, month: int) -> dict[str, Any]:
        i = min(month, len(self.place)) - 1
        if i < 0:
            return {"place": 0.0, "orgs": dict.fromkeys(self.orgs, 0.0), "admissions": 0.0, "delays": 0.0, "health": 0.0}
        last12 = slice(max(0, i - 11), i + 1)
        return {"place": self.place[i], "orgs": {n: v[i] for n, v in self.orgs.items()},
                "admissions": sum(self.admissions[last12]) / len(self.admissions[last12]),
                "delays": sum(self.delays[last12]) / len(self.delays[last12]), "health": self.health[i]}


def everyone_collaborative(scenario: Scenario) -> Scenario:
    return scenario.with_changes({f"{kind}.{i}.strategy": "collaborative"
                                  for kind in KINDS for i, _ in enumerate(getattr(scenario, kind))})


def run_reference(scenario: Scenario, seed: int, reference: str) -> RunFigures:
    """The place run to its end with bots only, or with everyone collaborative throughout."""
    from model.economy import LocalHealthEconomy
    from model.strategies import FixedStrategies
    from model.viz.snapshot import own_result

    if reference == "collaborative":
        model = LocalHealthEconomy(everyone_collaborative(scenario), rng=seed, policy=FixedStrategies())
    else:
        model = LocalHealthEconomy(scenario, rng=seed)
    start = {o.name: o.reserves for o in model.organisations}
    place, admissions, delays, health = [], [], [], []
    orgs: dict[str, list[float]] = {n: [] for n in start}
    for _ in range(scenario.run.steps):
        model.step()
        total = 0.0
        for o in model.organisations:
            result = own_result(o, start.get(o.name, 0.0))
            orgs.setdefault(o.name, [0.0] * (len(place))).append(result)
            total += result
        place.append(total)
        admissions.append(float(model.report["emergency_admissions_per_1000"]))
        delays.append(float(model.report["delayed_transfer_days"]))
        health.append(float(model.report["net_health_benefit_cumulative"]))
    return RunFigures(reference, seed, tuple(place), {n: tuple(v) for n, v in orgs.items()}, tuple(admissions), tuple(delays),
                      tuple(health))


def _worker(scenario: Scenario, seeds: list[int], conn: Any) -> None:
    try:
        for seed in seeds:
            for reference in REFERENCES:
                conn.send(run_reference(scenario, seed, reference))
        conn.send(None)
    except Exception as e:  # noqa: BLE001 - reported to the page as text
        conn.send(f"{type(e).__name__}: {e}")
    finally:
        conn.close()


class ReferenceRuns:
    """The reference runs of one game, computed in a process of their own."""

    def __init__(self, scenario: Scenario, seed: int, seeds: int = 3, on_update: Callable[[], None] = lambda: None,
                 background: bool = True) -> None:
        self.seeds = [seed + i for i in range(seeds)]
        self.runs: list[RunFigures] = []
        self.error: str | None = None
        self.done = False
        self._on_update = on_update
        self._process = None
        if not background:
            for s in self.seeds:
                for reference in REFERENCES:
                    self.runs.append(run_reference(scenario, s, reference))
            self.done = True
            return
        ctx = mp.get_context("spawn")
        parent, child = ctx.Pipe(duplex=False)
        self._process = ctx.Process(target=_worker, args=(scenario, self.seeds, child), daemon=True, name="lhe-debrief")
        self._process.start()
        child.close()
        self._reader = threading.Thread(target=self._read, args=(parent,), daemon=True, name="lhe-debrief-reader")
        self._reader.start()

    @property
    def expected(self) -> int:
        return len(self.seeds) * len(REFERENCES)

    def _read(self, conn: Any) -> None:
        try:
            while True:
                item = conn.recv()
                if item is None:
                    self.done = True
                elif isinstance(item, str):
                    self.error, self.done = item, True
                else:
                    self.runs.append(item)
                self._on_update()
                if self.done:
                    return
        except (EOFError, OSError):
            if not self.done:
                self.error = self.error or "the reference runs stopped"
                self.done = True
                self._on_update()

    def wait(self, timeout: float = 300) -> bool:
        if self._process is not None:
            self._reader.join(timeout)
        return self.done

    def close(self) -> None:
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
            self._process.join(5)

    def of(self, reference: str) -> list[RunFigures]:
        return [r for r in list(self.runs) if r.reference == reference]


@dataclass(frozen=True)
class DebriefRow:
    label: str  # an organisation's name, or "the place"
    kind: str
    played_by: str
    game: float  # pounds, the game's own result
    references: dict[str, tuple[float | None, float | None]]  # reference -> (this seed, mean over seeds)


@dataclass(frozen=True)
class Debrief:
    month: int
    seed: int
    seeds: tuple[int, ...]
    rows: tuple[DebriefRow, ...]  # the place first, then organisations best to worst by their own result
    care: tuple[tuple[str, float, dict[str, tuple[float | None, float | None]]], ...]
    pending: int  # reference runs not yet finished
    error: str | None

    @property
    def best(self) -> DebriefRow:
        return self.rows[1]

    @property
    def worst(self) -> DebriefRow:
        return self.rows[-1]


def _mean(xs: list[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def _last12(values: Sequence[float]) -> float:
    values = values[-12:]
    return sum(values) / len(values) if values else 0.0


def debrief(month: int, seed: int, results: dict[str, float], kinds: dict[str, str], played_by: dict[str, str],
            series: Mapping[str, Sequence[float]], refs: ReferenceRuns | None) -> Debrief:
    """The debrief at ``month``: the game's results (pounds, since month 0), and its care and net health benefit
    (QALYs since the start) from its place's monthly ``series`` (a snapshot's), as RunFigures.at takes the
    references', beside the references'."""
    admissions = _last12(series.get("emergency_admissions_per_1000", ()))
    delays = _last12(series.get("delayed_transfer_days", ()))
    health = (series.get("net_health_benefit_cumulative") or (0.0,))[-1]

    def ref_pair(reference: str, pick: Callable[[dict[str, Any]], float]) -> tuple[float | None, float | None]:
        runs = refs.of(reference) if refs is not None else []
        same = [pick(r.at(month)) for r in runs if r.seed == seed]
        return (same[0] if same else None, _mean([pick(r.at(month)) for r in runs]))

    place = sum(results.values())
    rows = [DebriefRow("the place", "place", "everyone", place,
                       {k: ref_pair(k, lambda f: f["place"]) for k in REFERENCES})]
    for name in sorted(results, key=lambda n: -results[n]):
        rows.append(DebriefRow(name, kinds[name], played_by.get(name, "bot"), results[name],
                               {k: ref_pair(k, lambda f, n=name: f["orgs"].get(n, 0.0)) for k in REFERENCES}))
    care = (
        ("emergency admissions per 1,000 a year (last 12 months)", admissions,
         {k: ref_pair(k, lambda f: f["admissions"]) for k in REFERENCES}),
        ("delayed transfer days a month (last 12 months)", delays,
         {k: ref_pair(k, lambda f: f["delays"]) for k in REFERENCES}),
        ("net health benefit since month 0, QALYs (health, and money as the health it would buy)", health,
         {k: ref_pair(k, lambda f: f["health"]) for k in REFERENCES}),
    )
    pending = (refs.expected - len(refs.runs)) if refs is not None and not refs.done else 0
    return Debrief(month, seed, tuple(refs.seeds) if refs else (seed,), tuple(rows), care, pending,
                   refs.error if refs else None)
