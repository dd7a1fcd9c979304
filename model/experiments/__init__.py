"""Experiments at scale: experiment files, designs, one runner, streamed storage, analyses, reports.

``lhe sweep | analyse | discover | report`` are built from these modules, and
``lhe run --seeds`` and ``lhe compare`` use the same runner. Import the
modules themselves (``model.experiments.spec``, ``.sweep``, ``.analyse``, ...);
this package imports only the runner's interface, so that importing it stays cheap.
"""

from model.experiments.runner import RunResult, RunSpec, run_many, run_one

__all__ = ["RunResult", "RunSpec", "run_many", "run_one"]
