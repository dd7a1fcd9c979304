"""``lhe sweep``: run an experiment's missing runs, streaming each to its folder.

The driver plans every run (points x seeds, each with its run id), opens the
folder (:class:`~model.experiments.storage.Store`: new, resumed or extended),
and sends the runs not yet finished to the executor in a bounded window. Each
run's scenario is built and validated in the driver just before it is sent, so
memory stays flat however many runs there are. On Ctrl-C or SIGTERM the driver
writes what has finished, stops its workers and exits 130; the same command
again runs only what is missing.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model.experiments.runner import Task, TaskResult, execute, executor_for, failed
from model.experiments.spec import Experiment, _plain
from model.experiments.storage import Store

# A rough guide for the plan's core-hours, before any run has been timed: the default place
# (300,000 people, 120 months) takes about 1.5 s on one core here (README, Benchmarks), and a
# place of 2,000 people over 12 months about 0.2 s, nearly all of it building the place.
# Source: make bench and timings on this machine; an estimate, not a promise (the ETA uses real times).
SECONDS_PER_PERSON_MONTH = 1.5 / (300_000 * 120)
SECONDS_PER_RUN_FIXED = 0.2


class _Signals:
    """Ctrl-C and SIGTERM stop the sweep (raising Interrupted), except inside ``held()``: there a signal waits
    until the block is done, so that what it writes is written whole. Blocking the signals in the operating
    system would not do: the executor's and the progress bar's threads take a signal the main thread blocks,
    and Python then runs its handler in the main thread at once."""

    def __init__(self) -> None:
        self.depth = 0
        self.pending: int | None = None

    def handler(self, signum: int, frame: Any) -> None:
        if self.depth:
            self.pending = signum
            return
        raise Interrupted(f"signal {signum}")

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1
            if not self.depth and self.pending is not None:
                signum, self.pending = self.pending, None
                raise Interrupted(f"signal {signum}")

    def hold(self) -> None:
        """From here on a signal only waits, and is never raised: the sweep is ending anyway."""
        self.depth += 1


class Interrupted(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C: flush, stop the workers, exit 130."""


@dataclass
class Plan:
    runs: int  # planned (point, seed) pairs
    unique: int  # distinct runs (identical points share a run)
    done: int  # already finished in the folder
    todo: int
    points: int
    seeds: int
    seconds_per_run: float

    @property
    def core_hours(self) -> float:
        return self.todo * self.seconds_per_run / 3600


@dataclass
class SweepOutcome:
    out: Path
    plan: Plan
    finished: int  # runs finished ok in this session
    failed: int
    complete: bool
    status: str  # finished | interrupted
    seconds: float
    executor: dict[str, Any]


def estimate_seconds(experiment: Experiment) -> float:
    if experiment.simulator != "lhe":
        return 0.001
    size = experiment.base.population.size
    size = experiment.fixed.get("population.size", size)
    return SECONDS_PER_RUN_FIXED + SECONDS_PER_PERSON_MONTH * float(size) * float(experiment.steps or 120)


def describe_plan(experiment: Experiment, out: Path, done: set[str] | None = None,
                  plan_table: Any = None) -> tuple[Plan, str]:
    plan_table = experiment.plan() if plan_table is None else plan_table
    unique = plan_table["run_id"].nunique()
    done_here = len(set(plan_table["run_id"]) & (done or set()))
    p = Plan(len(plan_table), unique, done_here, unique - done_here, experiment.point_count(), len(experiment.seeds),
             estimate_seconds(experiment))
    d = experiment.spec.design
    lines = [
        f"experiment {experiment.name} ({experiment.file}): {experiment.simulator}"
        + (f" on {experiment.base.name}" if experiment.simulator == "lhe" else ""),
        f"  design {d.kind}" + (f" size {d.size}" if d.size else "") + f", sampler seed {d.seed}: {p.points:,} points"
        f" x {p.seeds} seeds = {p.runs:,} runs" + (f" ({p.unique:,} distinct)" if p.unique != p.runs else ""),
        "  factors: " + "; ".join(
            f"{f.name} ({', '.join(f.paths) or 'arrangement'}): "
            + (", ".join(map(str, f.levels)) if f.categorical else f"{f.low:g} to {f.high:g}" + (" x base" if f.kind == "scale" else ""))
            for f in experiment.factors),
        f"  outcomes: {', '.join(experiment.outcomes)}" + ("; monthly tables kept" if experiment.spec.keep_monthly else ""),
        f"  steps per run: {experiment.steps}; seeds {experiment.seeds[0]}..{experiment.seeds[-1]}",
        f"  out: {out}" + (f" ({p.done:,} runs already finished there)" if p.done else ""),
        f"  to run: {p.todo:,} runs, about {p.core_hours:.2f} core-hours ({p.seconds_per_run:.2f} s a run, estimated)",
    ]
    return p, "\n".join(lines)


def _tasks(experiment: Experiment, plan_rows: list[tuple[int, int, str]], design: Any) -> Iterator[Task | TaskResult]:
    """Tasks built one at a time as the window asks for them: the run's scenario, validated."""
    from model.experiments.simulators import SIMULATORS

    sim = SIMULATORS[experiment.simulator]
    rows = design.set_index("point")[[f.name for f in experiment.factors]].to_dict("index")
    for point, seed, rid in plan_rows:
        changes = experiment.point_changes(rows[point])
        key = (rid, point, seed)
        try:
            params = sim.resolve(experiment.base, changes, seed, experiment.steps)
        except Exception:  # noqa: BLE001 - refused by validation: one failed run, recorded
            yield failed(key, traceback.format_exc())
            continue
        yield Task(key, experiment.simulator, params, seed, tuple(experiment.outcomes), experiment.spec.keep_monthly)


def run_sweep(
    experiment: Experiment,
    out: Path | str,
    *,
    processes: int | None = None,
    scheduler: str | None = None,
    executor: Any = None,
    extend: bool = False,
    progress: bool = True,
    flush_runs: int | None = None,
    flush_seconds: float | None = None,
    on_result: Callable[[TaskResult], None] | None = None,
    say: Callable[[str], None] | None = None,
) -> SweepOutcome:
    """Run what is missing of ``experiment`` into ``out``; see the module docstring."""
    from tqdm import tqdm

    out = Path(out)
    executor = executor if executor is not None else executor_for(processes, scheduler)
    say = say or (lambda text: print(text, file=sys.stderr))
    t0 = time.perf_counter()
    store = Store.open(out, experiment, executor.describe(), extend=extend)
    if flush_runs is not None:  # asked for: every flush_runs runs, however quick
        store.flush_runs = flush_runs
        store.flush_min_seconds = 0.0
    if flush_seconds is not None:
        store.flush_seconds = flush_seconds
        store.flush_min_seconds = min(store.flush_min_seconds, flush_seconds)
    from model.experiments.storage import finished_ids

    done = finished_ids(out)
    plan, text = describe_plan(experiment, out, done, store.plan)
    say(text)
    design = store.design
    factor_names = [f.name for f in experiment.factors]
    values = design.set_index("point")[factor_names].to_dict("index")
    seen: set[str] = set(done)
    todo: list[tuple[int, int, str]] = []
    for point, seed, rid in store.plan.itertuples(index=False):
        if rid not in seen:
            seen.add(rid)
            todo.append((int(point), int(seed), rid))

    status = "interrupted"
    finished = fails = 0
    main_thread = threading.current_thread() is threading.main_thread()
    signals = _Signals()
    previous: dict[int, Any] = {}
    if main_thread:  # only the main thread may set signal handlers (and it alone runs them)
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, signals.handler)
    try:
        with executor, tqdm(total=len(todo), desc=experiment.name, unit="run", disable=not progress, file=sys.stderr,
                            smoothing=0.1) as bar:
            say(f"  executor: {executor.describe()}")
            for result in execute(_tasks(experiment, todo, design), executor):
                rid, point, seed = result.key
                row = {"run_id": rid, "point": point, "seed": seed, "status": result.status,
                       "seconds": float(result.seconds), "worker": result.worker, "error": result.error,
                       **{n: _plain(values[point][n]) for n in factor_names},
                       **{o: float(result.outcomes.get(o, float("nan"))) for o in experiment.outcomes}}
                with signals.held():  # a run's monthly tables and its row, both or neither
                    store.add(row, result.place, result.organisations)
                if result.ok:
                    finished += 1
                else:
                    fails += 1
                    bar.write(f"run {rid} (point {point}, seed {seed}) failed: "
                              f"{(result.error or '').strip().splitlines()[-1] if result.error else ''}", file=sys.stderr)
                if on_result is not None:
                    on_result(result)
                bar.update(1)
            status = "finished"
    finally:
        # write what finished before anything else can stop us; a second Ctrl-C waits for it
        signals.hold()  # what is written is what finished
        try:
            complete = store.finish(status)
        finally:
            for signum, handler in previous.items():
                with contextlib.suppress(ValueError, TypeError):
                    signal.signal(signum, handler)
    return SweepOutcome(out, plan, finished, fails, complete, status, time.perf_counter() - t0, executor.describe())
