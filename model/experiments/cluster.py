"""Dask (distributed) as an executor of the runner: a LocalCluster or a named scheduler.

Optional: ``pip install 'lhe[distributed]'``. The driver submits the same
:class:`~model.experiments.runner.Task` objects through the same bounded window
as local processes; results come back to the driver, which alone writes.

Memory trimming: Dask's nanny sets ``MALLOC_TRIM_THRESHOLD_=65536`` in every
worker it starts (``distributed.nanny.pre-spawn-environ``). Setting that
variable at all turns off glibc's dynamic mmap threshold, so every array of a
few megabytes the model allocates each month is mapped and unmapped afresh; on
this machine it raised the CPU per run of the default place from about 1.6 s to
2.5 s. A LocalCluster made here unsets it (``TRIM_FIX``); workers you start
yourself need the same setting (README, "Sweeps on Dask"), and the driver warns
when a worker still has it.
"""

from __future__ import annotations

import os
import platform
from typing import Any

from model.experiments.runner import SINGLE_THREAD_ENV, Task, TaskResult, failed, run_task

TRIM_KEY = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"
TRIM_FIX = {TRIM_KEY: None}  # None unsets a variable in Dask's config (distributed.nanny._get_env_variables)


class SchedulerError(ValueError):
    """A scheduler that cannot be used: unreachable, or workers that differ from the driver."""


def parse_scheduler(text: str) -> tuple[str | None, int | None]:
    """``local`` / ``local:N`` -> (None, N); ``tcp://host:port`` -> (address, None)."""
    if text == "local":
        return None, None
    if text.startswith("local:"):
        n = text.split(":", 1)[1]
        if not n.isdigit() or int(n) < 1:
            raise SchedulerError(f"--scheduler: got {text!r}; local, local:N (N at least 1) or tcp://HOST:PORT is allowed")
        return None, int(n)
    if text.startswith(("tcp://", "tls://")) and ":" in text.split("://", 1)[1]:
        return text, None
    raise SchedulerError(f"--scheduler: got {text!r}; local, local:N (N at least 1) or tcp://HOST:PORT is allowed")


def fingerprint() -> dict[str, Any]:
    """What must match between the driver and a worker: the code's commit and the packages' versions."""
    from importlib import metadata

    from model.experiments.storage import git_commit

    versions = {}
    for pkg in ("lhe", "mesa", "numpy", "pandas", "pydantic", "scipy", "dask", "distributed"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    return {"commit": git_commit(), "python": platform.python_version(), "packages": versions}


def worker_environment() -> dict[str, str | None]:
    return {k: os.environ.get(k) for k in ("MALLOC_TRIM_THRESHOLD_", *SINGLE_THREAD_ENV)}


class DaskExecutor:
    """Runs tasks on Dask workers: a LocalCluster of single-threaded worker processes, or a named scheduler."""

    def __init__(self, address: str | None = None, workers: int | None = None, *, trim_fix: bool = True,
                 check_versions: bool = True, window_per_worker: int = 2) -> None:
        self.address = address
        self.workers = workers
        self.trim_fix = trim_fix
        self.check_versions = check_versions
        self.window_per_worker = window_per_worker
        self.slots = 1
        self.client: Any = None
        self.cluster: Any = None
        self.warnings: list[str] = []
        self._futures: dict[Any, Any] = {}
        self._ac: Any = None
        self._environ: dict[str, str] | None = None  # this process's environment before a LocalCluster

    def describe(self) -> dict[str, Any]:
        return {"kind": "dask", "scheduler": self.address or "LocalCluster", "workers": self.slots // self.window_per_worker,
                "trim_fix": self.trim_fix, "host": platform.node(), "warnings": self.warnings}

    def __enter__(self) -> DaskExecutor:
        try:
            import dask
            from distributed import Client, LocalCluster, as_completed
        except ImportError:
            raise SchedulerError("--scheduler needs Dask: pip install 'lhe[distributed]'") from None
        from model.experiments.runner import default_processes

        if self.address is None:
            n = self.workers or default_processes()
            config = {"distributed.scheduler.allowed-failures": 0,  # a run that kills its worker is one failed run
                      **{f"distributed.nanny.pre-spawn-environ.{k}": v for k, v in SINGLE_THREAD_ENV.items()}}
            if self.trim_fix:
                config.update(TRIM_FIX)
            # Dask's nannies write their pre-spawn environment (MALLOC_TRIM_THRESHOLD_, the thread counts) into
            # this process's own environment and leave it there, so processes started later (the runner's own
            # workers) would inherit it: what it was is put back when the cluster closes
            self._environ = dict(os.environ)
            with dask.config.set(config):
                self.cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                                            dashboard_address=None, silence_logs=40)
                self.client = Client(self.cluster)
        else:
            try:
                self.client = Client(self.address, timeout="10s")
            except (OSError, TimeoutError) as e:
                raise SchedulerError(f"--scheduler: cannot reach {self.address}: {e}") from None
            try:
                self._check_workers()
            except BaseException:
                self.close()
                raise
        n_workers = max(1, len(self.client.scheduler_info()["workers"]))
        self.slots = n_workers * self.window_per_worker
        self._ac = as_completed()
        return self

    def _here(self) -> dict[str, Any]:
        return fingerprint()

    def _check_workers(self) -> None:
        here = self._here()
        theirs = self.client.run(fingerprint)
        if not theirs:
            raise SchedulerError(f"--scheduler: {self.address} has no workers")
        for worker, fp in theirs.items():
            diffs = [f"{k}: here {here[k]!r}, there {fp.get(k)!r}" for k in ("commit", "python") if fp.get(k) != here[k]]
            diffs += [f"{p} here {v!r}, there {fp['packages'].get(p)!r}" for p, v in here["packages"].items()
                      if fp["packages"].get(p) != v]
            if diffs:
                raise SchedulerError(f"--scheduler: worker {worker} runs other code or packages than this driver "
                                     f"({'; '.join(diffs)}); start workers from the same commit and environment")
        for worker, env in self.client.run(worker_environment).items():
            if env.get("MALLOC_TRIM_THRESHOLD_") is not None:
                self.warnings.append(f"worker {worker} has MALLOC_TRIM_THRESHOLD_={env['MALLOC_TRIM_THRESHOLD_']}: "
                                     "runs are about 1.5 times slower (see README, 'Sweeps on Dask')")

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        for fut, _ in self._futures.values():
            fut.cancel()
        self._futures.clear()
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None
        if self._environ is not None:
            os.environ.clear()
            os.environ.update(self._environ)
            self._environ = None

    def submit(self, task: Task) -> None:
        fut = self.client.submit(run_task, task, pure=False)
        self._futures[fut.key] = (fut, task)
        self._ac.add(fut)

    def next_done(self) -> TaskResult:
        fut = next(self._ac)
        _, task = self._futures.pop(fut.key)
        try:
            return fut.result()
        except Exception as e:  # noqa: BLE001 - a worker that died (KilledWorker) or a lost task: one failed run
            return failed(task.key, f"the Dask worker running this task failed: {type(e).__name__}: {e}", worker="dask")
