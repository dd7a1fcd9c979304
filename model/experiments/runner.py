"""Run many simulations, each fully described by a :class:`RunSpec`.

A spec names a scenario (by name or path), changes by dotted path, a seed and a
number of steps; a worker rebuilds the model from it, so a run gives the same
tables in this process, in a worker process or on another machine. Results come
back as they finish, so a caller can save each one before the next arrives and
nothing is lost if a later run fails. ``lhe run --seeds`` is the first user;
sweeps over parameters are specs with different ``changes``.
"""

from __future__ import annotations

import multiprocessing
import os
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from model.outputs import write_parquet


@dataclass(frozen=True)
class RunSpec:
    scenario: str  # a scenario name or a path to a TOML file
    seed: int
    changes: dict[str, Any] = field(default_factory=dict)
    steps: int | None = None

    def build(self):
        from model.economy import LocalHealthEconomy
        from model.scenario import load_scenario

        changes = dict(self.changes)
        changes["run.seed"] = self.seed
        if self.steps is not None:
            changes["run.steps"] = self.steps
        return LocalHealthEconomy(load_scenario(self.scenario).with_changes(changes))


@dataclass
class RunResult:
    spec: RunSpec
    place: pd.DataFrame | None
    organisations: pd.DataFrame | None
    seconds: float
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def run_one(spec: RunSpec) -> RunResult:
    """Build and run one model; an error comes back as data with the tables so far."""
    t0 = time.perf_counter()
    model = None
    try:
        model = spec.build()
        model.run()
        return RunResult(spec, model.place_table(), model.organisation_table(), time.perf_counter() - t0)
    except Exception:  # noqa: BLE001 - a failed run is reported, not raised, so the others go on
        place = orgs = None
        if model is not None and model.month > 0:
            place, orgs = model.place_table(), model.organisation_table()
        return RunResult(spec, place, orgs, time.perf_counter() - t0, traceback.format_exc())


def default_processes() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def run_many(
    specs: Iterable[RunSpec],
    processes: int | None = None,
    on_result: Callable[[RunResult], None] | None = None,
) -> Iterator[RunResult]:
    """Run specs on local processes (or in this process when ``processes == 1``), yielding results as they finish."""
    specs = list(specs)
    processes = min(processes or default_processes(), len(specs)) or 1
    if processes == 1:
        for spec in specs:
            result = run_one(spec)
            if on_result:
                on_result(result)
            yield result
        return
    ctx = multiprocessing.get_context("spawn")  # same behaviour on every platform
    with ProcessPoolExecutor(max_workers=processes, mp_context=ctx) as pool:
        futures = [pool.submit(run_one, s) for s in specs]
        for fut in as_completed(futures):
            result = fut.result()
            if on_result:
                on_result(result)
            yield result


def combine(results: Iterable[RunResult], key: str = "seed") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stack the tables of several runs with a column saying which run each row is from."""
    places, orgs = [], []
    for r in results:
        if r.place is not None:
            places.append(r.place.assign(**{key: getattr(r.spec, key)}))
        if r.organisations is not None:
            orgs.append(r.organisations.assign(**{key: getattr(r.spec, key)}))
    return (pd.concat(places, ignore_index=True) if places else pd.DataFrame(),
            pd.concat(orgs, ignore_index=True) if orgs else pd.DataFrame())


def write_tables(out: Path, place: pd.DataFrame, organisations: pd.DataFrame) -> None:
    write_parquet(out / "place.parquet", place)
    write_parquet(out / "organisations.parquet", organisations)
