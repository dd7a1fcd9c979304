"""Running many simulations: local processes now, other executors later."""

from model.experiments.runner import RunResult, RunSpec, run_many, run_one

__all__ = ["RunResult", "RunSpec", "run_many", "run_one"]
