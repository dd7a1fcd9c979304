"""One runner for every multi-run command: ``lhe sweep``, ``lhe run --seeds``, ``lhe compare``.

A :class:`Task` is one run, fully described: the simulator's name, the
validated parameters it runs (for the place, a :class:`~model.scenario.Scenario`
object carrying the run's seed and length, never a file path), the seed and
the outcomes to compute. :func:`execute` sends tasks to an executor in a
bounded window (a few in flight per worker) and yields a :class:`TaskResult`
for each as it finishes, so the caller saves each before the next arrives and
holds no more than the window in memory.

Executors (all give the same results for the same task, to the last bit):

- :class:`Inline`: in this process (``processes=0``; notebooks and tests);
- :class:`LocalProcesses`: N single-threaded worker processes started once and
  kept; a worker that dies costs the one run it had (reported as a failed run)
  and is replaced; workers die with the driver (no orphans);
- :class:`model.experiments.cluster.DaskExecutor`: a Dask LocalCluster or a
  named scheduler, through the same calls.

A run that raises comes back as a failed result carrying its traceback; the
rest go on. :func:`run_many` and :class:`RunSpec` keep the interface that
``lhe run --seeds`` and ``lhe compare`` use.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import platform
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

import pandas as pd

from model.outputs import write_parquet

# Each worker is single-threaded: the model is NumPy element-wise work, and two
# threaded BLAS pools on two cores only fight. Set before a worker imports NumPy.
SINGLE_THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


# --- tasks and results ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Task:
    """One run as a worker receives it."""

    key: Any  # the caller's handle (a run id, an index); comes back with the result
    simulator: str
    params: Any  # validated parameters with the run's seed and steps applied
    seed: int
    outcomes: tuple[str, ...] = ()
    keep_tables: bool = False


@dataclass
class TaskResult:
    key: Any
    status: str  # "ok" or "failed"
    seconds: float
    worker: str
    outcomes: dict[str, float] = field(default_factory=dict)
    place: pd.DataFrame | None = None
    organisations: pd.DataFrame | None = None
    error: str | None = None
    cpu_seconds: float = 0.0  # the worker process's CPU time for the run (wall time less waiting for a core)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_task(task: Task) -> TaskResult:
    """Run one task; an exception comes back as a failed result with its traceback (and any tables so far)."""
    from model.experiments.outcomes import FinishedRun, compute
    from model.experiments.simulators import SIMULATORS

    t0, c0 = time.perf_counter(), time.process_time()
    try:
        place, orgs = SIMULATORS[task.simulator].run(task.params, task.seed)
        outcomes = compute(task.outcomes, FinishedRun(place, orgs, task.params))
    except Exception:  # noqa: BLE001 - a failed run is data, so the others go on
        return TaskResult(task.key, "failed", time.perf_counter() - t0, worker_name(), error=traceback.format_exc(),
                          cpu_seconds=time.process_time() - c0)
    keep = task.keep_tables
    return TaskResult(task.key, "ok", time.perf_counter() - t0, worker_name(), outcomes,
                      place if keep else None, orgs if keep else None, cpu_seconds=time.process_time() - c0)


def failed(key: Any, error: str, seconds: float = 0.0, worker: str = "driver") -> TaskResult:
    return TaskResult(key, "failed", seconds, worker, error=error)


# --- executors -----------------------------------------------------------------------------------
class Inline:
    """Runs each task in this process, when asked for its result."""

    slots = 1

    def __init__(self) -> None:
        self._queue: list[Task] = []

    def __enter__(self) -> Inline:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._queue.clear()

    def describe(self) -> dict[str, Any]:
        return {"kind": "inline", "workers": 1, "host": platform.node()}

    def submit(self, task: Task) -> None:
        self._queue.append(task)

    def next_done(self) -> TaskResult:
        return run_task(self._queue.pop(0))


def _set_parent_death_signal() -> None:
    """On Linux, have the kernel kill this worker if the driver dies (even by SIGKILL)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _worker_main(conn: Any, parent_pid: int) -> None:
    """A kept worker: receive a task, run it, send the result, until told to stop or the driver goes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the driver, which stops the workers
    _set_parent_death_signal()
    if os.getppid() != parent_pid:  # the driver died before the signal was armed
        return
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        result = run_task(task)
        try:
            conn.send(result)
        except (BrokenPipeError, OSError):
            return


@dataclass
class _Worker:
    process: Any
    conn: Any
    task: Task | None = None


class LocalProcesses:
    """N worker processes (spawned, single-threaded), started once and kept, one task each at a time."""

    def __init__(self, processes: int) -> None:
        if processes < 1:
            raise ValueError("processes: at least 1")
        self.processes = processes
        self.slots = processes
        self._ctx = multiprocessing.get_context("spawn")  # the same on every platform; no forked state
        self._workers: list[_Worker] = []
        self.started = 0  # workers started, replacements included
        self.deaths = 0

    def describe(self) -> dict[str, Any]:
        return {"kind": "processes", "workers": self.processes, "host": platform.node()}

    def _start_one(self) -> _Worker:
        parent, child = self._ctx.Pipe(duplex=True)
        saved = {k: os.environ.get(k) for k in SINGLE_THREAD_ENV}
        os.environ.update(SINGLE_THREAD_ENV)  # inherited by the spawned interpreter before it imports NumPy
        try:
            proc = self._ctx.Process(target=_worker_main, args=(child, os.getpid()), daemon=True,
                                     name=f"lhe-worker-{self.started}")
            proc.start()
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        child.close()
        self.started += 1
        worker = _Worker(proc, parent)
        self._workers.append(worker)
        return worker

    def __enter__(self) -> LocalProcesses:
        for _ in range(self.processes):
            self._start_one()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def pids(self) -> list[int]:
        return [w.process.pid for w in self._workers]

    def submit(self, task: Task) -> None:
        idle = next((w for w in self._workers if w.task is None), None)
        if idle is None:
            raise RuntimeError("every worker is busy: submit at most `slots` tasks before taking a result")
        if not idle.process.is_alive():  # died while idle: replace it before giving it work
            self.deaths += 1
            self._workers.remove(idle)
            with contextlib.suppress(OSError):
                idle.conn.close()
            idle = self._start_one()
        idle.task = task
        try:
            idle.conn.send(task)
        except (BrokenPipeError, OSError):
            pass  # the worker has died: next_done reports the task as failed

    def next_done(self) -> TaskResult:
        busy = [w for w in self._workers if w.task is not None]
        if not busy:
            raise RuntimeError("no task in flight")
        while True:
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy])
            for w in busy:
                if w.conn in ready:
                    try:
                        result = w.conn.recv()
                    except (EOFError, OSError):
                        return self._died(w)
                    w.task = None
                    return result
            for w in busy:
                if w.process.sentinel in ready:
                    if w.conn.poll():  # it sent its result, then went
                        continue
                    return self._died(w)

    def _died(self, w: _Worker) -> TaskResult:
        w.process.join(timeout=5)
        code = w.process.exitcode
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        task = w.task
        self.deaths += 1
        with contextlib.suppress(OSError):
            w.conn.close()
        self._workers.remove(w)
        self._start_one()  # a replacement, so the batch goes on at full width
        return failed(task.key, f"the worker process {w.process.pid} died ({how}) while running this task",
                      worker=f"{platform.node()}:{w.process.pid}")

    def close(self, timeout: float = 5.0) -> None:
        """Stop every worker: ask, then terminate, then kill. No process is left behind."""
        for w in self._workers:
            if w.task is None:
                with contextlib.suppress(OSError, BrokenPipeError):
                    w.conn.send(None)
        deadline = time.monotonic() + timeout
        for w in self._workers:
            if w.task is not None:
                w.process.terminate()  # a run in flight is abandoned
            w.process.join(timeout=max(0.0, deadline - time.monotonic()))
        for w in self._workers:
            if w.process.is_alive():
                w.process.kill()
                w.process.join(timeout=5)
            with contextlib.suppress(OSError):
                w.conn.close()
        self._workers.clear()


def executor_for(processes: int | None = None, scheduler: str | None = None) -> Any:
    """The executor a command line asks for: ``processes`` (0: in this process) or a Dask ``scheduler``
    (``local``, ``local:N`` or ``tcp://host:port``)."""
    if scheduler is not None:
        from model.experiments.cluster import DaskExecutor, parse_scheduler

        address, workers = parse_scheduler(scheduler)
        return DaskExecutor(address=address, workers=workers)
    n = default_processes() if processes is None else processes
    return Inline() if n == 0 else LocalProcesses(n)


def default_processes() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def execute(tasks: Iterable[Task | TaskResult], executor: Any) -> Iterator[TaskResult]:
    """Run tasks on an open executor in a bounded window; yield each result as it finishes.

    An item that is already a :class:`TaskResult` (a run refused before it could
    start) is passed through. Tasks are drawn from ``tasks`` only as slots free
    up, so a lazy iterable keeps the driver's memory flat.
    """
    source = iter(tasks)
    inflight = 0
    exhausted = False

    def fill() -> Iterator[TaskResult]:
        nonlocal inflight, exhausted
        while not exhausted and inflight < executor.slots:
            item = next(source, None)
            if item is None:
                exhausted = True
                return
            if isinstance(item, TaskResult):
                yield item
                continue
            executor.submit(item)
            inflight += 1

    yield from fill()
    while inflight:
        result = executor.next_done()
        inflight -= 1
        yield result
        yield from fill()


# --- the interface lhe run --seeds and lhe compare use -----------------------------------------------
@dataclass(frozen=True)
class RunSpec:
    """A run of the place: a scenario (an object; a name is loaded once, in the driver), changes, seed, steps."""

    scenario: Any  # a validated Scenario (or a scenario name, loaded in the driver)
    seed: int
    changes: dict[str, Any] = field(default_factory=dict)
    steps: int | None = None

    def resolved(self, cache: dict[str, Any] | None = None) -> Any:
        """The validated scenario this run builds (its changes, seed and steps applied)."""
        from model.experiments.simulators import SIMULATORS
        from model.scenario import Scenario, load_scenario

        base = self.scenario
        if not isinstance(base, Scenario):
            cache = {} if cache is None else cache
            if base not in cache:
                cache[base] = load_scenario(base)
            base = cache[base]
        return SIMULATORS["lhe"].resolve(base, dict(self.changes), self.seed, self.steps)

    def build(self):
        from model.economy import LocalHealthEconomy

        return LocalHealthEconomy(self.resolved())


@dataclass
class RunResult:
    spec: RunSpec
    place: pd.DataFrame | None
    organisations: pd.DataFrame | None
    seconds: float
    error: str | None = None
    worker: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None


def run_one(spec: RunSpec) -> RunResult:
    """Build and run one model in this process; an error comes back as data."""
    t0 = time.perf_counter()
    try:
        task = Task(0, "lhe", spec.resolved(), spec.seed, keep_tables=True)
    except Exception:  # noqa: BLE001
        return RunResult(spec, None, None, time.perf_counter() - t0, traceback.format_exc())
    r = run_task(task)
    return RunResult(spec, r.place, r.organisations, r.seconds, r.error, r.worker)


def run_many(
    specs: Iterable[RunSpec],
    processes: int | None = None,
    on_result: Callable[[RunResult], None] | None = None,
    *,
    scheduler: str | None = None,
    executor: Any = None,
) -> Iterator[RunResult]:
    """Run specs with the runner (``processes`` workers, 0 for this process, or a Dask ``scheduler``),
    yielding results with their tables as they finish."""
    specs = list(specs)
    if executor is None:
        n = default_processes() if processes is None else processes
        executor = executor_for(min(n, len(specs)) if n else 0, scheduler)
    cache: dict[str, Any] = {}

    def tasks() -> Iterator[Task | TaskResult]:
        for i, spec in enumerate(specs):
            try:
                yield Task(i, "lhe", spec.resolved(cache), spec.seed, keep_tables=True)
            except Exception:  # noqa: BLE001 - refused before it starts: one failed run
                yield failed(i, traceback.format_exc())

    with executor:
        for r in execute(tasks(), executor):
            result = RunResult(specs[r.key], r.place, r.organisations, r.seconds, r.error, r.worker)
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
