"""Dask through a named scheduler: the driver checks that its workers run the same code and packages."""

from __future__ import annotations

import pytest
from distributed import LocalCluster
from sweep_cases import quiet, write_small

from model.cli import main
from model.experiments.cluster import DaskExecutor, SchedulerError, parse_scheduler
from model.experiments.runner import Task, execute
from model.experiments.spec import load_experiment
from model.experiments.storage import load_runs
from model.experiments.sweep import run_sweep


class OtherCommit(DaskExecutor):
    """A driver that believes it runs another commit than its workers."""

    def _here(self):
        here = super()._here()
        return {**here, "commit": "0123456789abcdef"}


@pytest.fixture(scope="module")
def scheduler():
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
                      dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_a_named_scheduler_runs_the_sweep(tmp_path, scheduler):
    experiment = load_experiment(write_small(tmp_path, size=2, seeds=1))
    outcome = run_sweep(experiment, tmp_path / "out", scheduler=scheduler, progress=False, say=quiet)
    assert outcome.complete and outcome.executor["scheduler"] == scheduler
    assert (load_runs(tmp_path / "out")["status"] == "ok").all()


def test_workers_on_other_code_are_refused(scheduler):
    with pytest.raises(SchedulerError, match="commit: here '0123456789abcdef'"), OtherCommit(address=scheduler):
        pass
    with DaskExecutor(address=scheduler) as ex:  # the same code: accepted, and a run goes through
        from model.experiments.simulators import SIMULATORS

        params = SIMULATORS["linear"].load(None, None)
        (result,) = execute([Task("k", "linear", params, 1, ("linear_y",))], ex)
        assert result.ok and result.outcomes == {"linear_y": 8.0}  # 10 x 0.5 + 5 x 0.5 + 1 x 0.5 + 0
        assert ex.warnings == []  # this worker does not have Dask's MALLOC_TRIM_THRESHOLD_


@pytest.mark.parametrize("bad", ["remote", "local:0", "local:x", "tcp://nohost"])
def test_a_bad_scheduler_is_refused(tmp_path, capsys, bad):
    with pytest.raises(SchedulerError):
        parse_scheduler(bad)
    path = write_small(tmp_path, size=2, seeds=1)
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--scheduler", bad, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "--scheduler" in err and bad in err and "Traceback" not in err


def test_a_local_cluster_leaves_this_process_environment_as_it_found_it():
    """Dask's nannies write MALLOC_TRIM_THRESHOLD_ (and the thread counts) into the driver's own environment;
    left there, the runner's own workers started later inherit it and each run costs about half as much
    again. The executor puts the environment back when the cluster closes."""
    import os

    from model.experiments.cluster import DaskExecutor

    before = dict(os.environ)
    with DaskExecutor(workers=1, trim_fix=False):
        pass
    assert dict(os.environ) == before
