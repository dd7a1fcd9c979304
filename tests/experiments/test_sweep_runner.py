"""The runner: the same outcomes per run id in this process, on one or two worker processes and on a Dask
LocalCluster; a run that raises is one failed run and the rest go on; a killed worker costs its one run."""

from __future__ import annotations

import os
import signal

import pandas as pd
import pytest
from sweep_cases import quiet, write_small

from model.experiments.cluster import DaskExecutor
from model.experiments.runner import Inline, LocalProcesses, Task, execute, run_task
from model.experiments.spec import load_experiment
from model.experiments.storage import load_runs, results
from model.experiments.sweep import run_sweep
from model.scenario import load_scenario

OUTCOMES = ["place_balance", "share_collaborative", "waiting_list"]


def _outcomes(folder) -> pd.DataFrame:
    runs = load_runs(folder)
    assert (runs["status"] == "ok").all(), runs["error"].dropna().tolist()
    return runs.set_index("run_id")[OUTCOMES].sort_index()


def test_one_worker_two_workers_and_dask_give_identical_outcomes(tmp_path):
    experiment = load_experiment(write_small(tmp_path, size=3, seeds=2))
    folders = {}
    for name, executor in [("inline", Inline()), ("one", LocalProcesses(1)), ("two", LocalProcesses(2)),
                           ("dask", DaskExecutor(workers=2))]:
        folders[name] = tmp_path / name
        outcome = run_sweep(experiment, folders[name], executor=executor, progress=False, say=quiet)
        assert outcome.complete and outcome.finished == 6, name
    reference = _outcomes(folders["inline"])
    assert len(reference) == 6 and reference["place_balance"].nunique() == 6  # six different runs, compared below
    workers = {name: set(load_runs(f)["worker"]) for name, f in folders.items()}
    assert len(workers["two"]) == 2 and len(workers["one"]) == 1 and workers["inline"] == {f"{os.uname().nodename}:{os.getpid()}"}
    for name in ("one", "two", "dask"):
        pd.testing.assert_frame_equal(_outcomes(folders[name]), reference, check_exact=True, obj=name)


def _tasks(n: int, broken: set[int] = frozenset()) -> list[Task]:
    base = load_scenario("baseline").with_changes({"population.size": 2000, "run.steps": 6})
    tasks = []
    for i in range(n):
        params = base.with_changes({"run.seed": i + 1})
        if i in broken:  # a scenario no validation would pass: the model raises while building the place
            params = params.model_copy(update={"population": params.population.model_copy(update={"size": -5})})
        tasks.append(Task(i, "lhe", params, i + 1, ("place_balance",)))
    return tasks


def test_a_run_that_raises_is_one_failed_run_and_the_rest_go_on():
    with LocalProcesses(2) as pool:
        got = {r.key: r for r in execute(_tasks(5, broken={2}), pool)}
        assert pool.deaths == 0
    assert sorted(got) == [0, 1, 2, 3, 4]
    assert got[2].status == "failed" and "Traceback" in got[2].error and got[2].outcomes == {}
    assert all(got[k].ok and got[k].outcomes["place_balance"] == run_task(t).outcomes["place_balance"]
               for k, t in enumerate(_tasks(5)) if k != 2)


class KillsTheWorkerOfTask(LocalProcesses):
    """Kills, with SIGKILL, the worker process that has just been given one task."""

    def __init__(self, processes: int, victim: int) -> None:
        super().__init__(processes)
        self.victim = victim
        self.killed: int | None = None

    def submit(self, task: Task) -> None:
        super().submit(task)
        if task.key == self.victim:
            worker = next(w for w in self._workers if w.task is task)
            self.killed = worker.process.pid
            os.kill(self.killed, signal.SIGKILL)


def test_a_killed_worker_costs_one_run_not_the_batch():
    pool = KillsTheWorkerOfTask(2, victim=1)
    with pool:
        got = {r.key: r for r in execute(_tasks(6), pool)}
        assert pool.deaths == 1 and pool.started == 3  # replaced, so the batch went on at full width
        live = pool.pids()
    assert sorted(got) == list(range(6))
    assert [k for k, r in got.items() if not r.ok] == [1]
    assert f"died (killed by signal {int(signal.SIGKILL)})" in got[1].error and str(pool.killed) in got[1].error
    assert pool.killed not in live
    for pid in live:  # and no worker outlives the pool
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_a_sweep_records_a_failed_run_and_the_next_session_retries_it(tmp_path, monkeypatch):
    from model.experiments import simulators

    experiment = load_experiment(write_small(tmp_path, size=2, seeds=2))
    lhe = simulators.SIMULATORS["lhe"]
    real = lhe.resolve
    calls = []

    def resolve_breaking_one(params, changes, seed, steps):
        calls.append(seed)
        out = real(params, changes, seed, steps)
        if len(calls) == 2:
            return out.model_copy(update={"population": out.population.model_copy(update={"size": -5})})
        return out

    monkeypatch.setattr(lhe, "resolve", resolve_breaking_one)
    first = run_sweep(experiment, tmp_path / "out", executor=Inline(), progress=False, say=quiet)
    assert (first.finished, first.failed, first.complete) == (3, 1, False)
    res = results(tmp_path / "out")
    assert (res["status"] == "failed").sum() == 1 and (res["status"] == "ok").sum() == 3
    assert res.loc[res["status"] == "failed", "error"].str.contains("Traceback").all()
    assert not (tmp_path / "out" / "COMPLETE.json").exists()
    monkeypatch.setattr(lhe, "resolve", real)
    second = run_sweep(experiment, tmp_path / "out", executor=Inline(), progress=False, say=quiet)
    assert (second.finished, second.failed, second.complete) == (1, 0, True)
    assert (results(tmp_path / "out")["status"] == "ok").all()
