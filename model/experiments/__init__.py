"""Experiments at scale: experiment files, designs, one runner, streamed storage, analyses, reports.

``lhe sweep | analyse | discover | report`` are built from these modules, and
``lhe run --seeds`` and ``lhe compare`` use the same runner. Import the
modules themselves (``model.experiments.spec``, ``.sweep``, ``.analyse``, ...);
this package gives the runner's interface, imported when first asked for, so
that importing the package (the command line does, to build its parser)
imports neither NumPy nor pandas: ``lhe run`` forks its chart drawers before
them, while the process has one thread.
"""

from typing import Any

__all__ = ["RunResult", "RunSpec", "run_many", "run_one"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from model.experiments import runner

        return getattr(runner, name)
    raise AttributeError(f"module 'model.experiments' has no attribute {name!r}")
