"""For EMA Workbench users (``pip install 'lhe[ema]'``, ema-workbench 3).

- :func:`replicator_model`: the simulator as a ``ReplicatorModel`` whose
  uncertainties are scenario paths (``money.allocation_growth``), each
  replication a seed, each outcome an ``ArrayOutcome`` of one value per
  replication (EMA's ``ScalarOutcome`` does not take replications; reduce them
  with ``ema_workbench.util.process_replications``). EMA 3 wants parameter
  names that are Python identifiers, so a path's dots become double
  underscores in the name (``money__allocation_growth``) while the path stays
  the ``variable_name`` the model receives. A run that raises returns NaN
  outcomes rather than raising (an exception in a worker can hang EMA's
  ``MultiprocessingEvaluator``).
- :func:`sweep_to_ema`: a finished ``lhe sweep`` folder as EMA's
  ``(experiments, outcomes)``, so EMA's PRIM, CART and feature scoring run on it
  without running the model again.

>>> from ema_workbench import SequentialEvaluator
>>> model = replicator_model("baseline", {"money.allocation_growth": (0.0, 0.03)}, seeds=[1, 2], steps=24,
...                          changes={"population.size": 5000})
>>> with SequentialEvaluator(model) as ev:
...     experiments, outcomes = ev.perform_experiments(scenarios=8)
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.experiments.runner import Task, run_task
from model.experiments.storage import read_manifest, results

_log = logging.getLogger(__name__)


def ema_name(path: str) -> str:
    """A scenario path as an EMA parameter name (a Python identifier)."""
    return path.replace(".", "__")


class LHEFunction:
    """The callable a ReplicatorModel runs: scenario paths and a seed in, one value per outcome out.

    Picklable (a validated scenario and names), so EMA's multiprocessing evaluator can send it to workers.
    """

    def __init__(self, base: Any, outcomes: list[str], steps: int | None) -> None:
        self.base, self.outcomes, self.steps = base, list(outcomes), steps

    def __call__(self, **experiment: Any) -> dict[str, float]:
        from model.experiments.simulators import SIMULATORS

        seed = int(experiment.pop("seed"))
        changes = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in experiment.items()}
        try:
            params = SIMULATORS["lhe"].resolve(self.base, changes, seed, self.steps)
            result = run_task(Task(0, "lhe", params, seed, tuple(self.outcomes)))
        except Exception as e:  # noqa: BLE001 - returned as data, never raised into EMA's pool
            _log.warning("run with %s, seed %s refused: %s", changes, seed, e)
            return {o: math.nan for o in self.outcomes}
        if not result.ok:
            _log.warning("run with %s, seed %s failed: %s", changes, seed, (result.error or "").strip().splitlines()[-1:])
            return {o: math.nan for o in self.outcomes}
        return result.outcomes


def replicator_model(
    base: str | Path | Any = "baseline",
    parameters: Mapping[str, tuple[float, float] | list[Any]] | None = None,
    outcomes: Iterable[str] | None = None,
    seeds: Iterable[int] = (1, 2, 3),
    steps: int | None = None,
    changes: Mapping[str, Any] | None = None,
    name: str = "lhe",
) -> Any:
    """The place as an EMA ``ReplicatorModel``.

    ``parameters``: by scenario path, ``(low, high)`` for a range (an
    ``IntegerParameter`` where the base value is a whole number, else a
    ``RealParameter``) or a list of levels (a ``CategoricalParameter``). Every
    range end and level is validated on the base place first. ``seeds``: the
    replications (the same seeds for every scenario: common random numbers).
    ``changes``: fixed changes to the base. ``outcomes``: names from
    :mod:`model.experiments.outcomes` (default: every outcome of the place).
    """
    from ema_workbench import (
        ArrayOutcome,
        CategoricalParameter,
        IntegerParameter,
        RealParameter,
        ReplicatorModel,
    )

    from model.experiments import outcomes as registry
    from model.experiments.simulators import SIMULATORS
    from model.scenario import Scenario, ScenarioError, load_scenario

    sim = SIMULATORS["lhe"]
    scenario = base if isinstance(base, Scenario) else load_scenario(base)
    scenario = scenario.with_changes(dict(changes)) if changes else scenario
    names = list(outcomes) if outcomes is not None else registry.for_simulator("lhe")
    unknown = [o for o in names if o not in registry.OUTCOMES]
    if unknown:
        raise ScenarioError("outcomes", "(name)", unknown[0], f"known: {', '.join(registry.for_simulator('lhe'))}")
    uncertainties = []
    for path, spec in (parameters or {}).items():
        value = sim.value(scenario, path)
        values = list(spec) if isinstance(spec, list) else [spec[0], spec[1]]
        for v in values:
            scenario.with_changes({path: v})  # refused here, with the path, rather than inside EMA
        if isinstance(spec, list):
            uncertainties.append(CategoricalParameter(ema_name(path), values, variable_name=path))
        elif isinstance(value, int) and not isinstance(value, bool):
            uncertainties.append(IntegerParameter(ema_name(path), int(spec[0]), int(spec[1]), variable_name=path))
        else:
            uncertainties.append(RealParameter(ema_name(path), float(spec[0]), float(spec[1]), variable_name=path))
    model = ReplicatorModel(name, function=LHEFunction(scenario, names, steps))
    model.uncertainties = uncertainties
    model.replications = [{"seed": int(s)} for s in seeds]
    model.outcomes = [ArrayOutcome(o) for o in names]
    return model


def sweep_to_ema(folder: Path | str, per: str = "run") -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """A sweep folder as EMA's ``(experiments, outcomes)``.

    ``per="run"``: one experiment per finished run (factor columns, ``seed``,
    and EMA's ``scenario``, ``policy`` and ``model`` columns; ``scenario`` is
    the design point). ``per="point"``: one per design point, outcomes averaged
    over its finished seeds. Categorical factors are pandas categories, as EMA's
    PRIM expects. Missing and failed runs are left out.
    """
    if per not in ("run", "point"):
        raise ValueError(f"per: got {per!r}; 'run' or 'point' is allowed")
    m = read_manifest(folder)
    res = results(folder)
    ok = res[res["status"] == "ok"]
    factors = [f["name"] for f in m["design"]["factors"]]
    categorical = {f["name"] for f in m["design"]["factors"] if "levels" in f}
    if per == "point":
        ok = ok.groupby("point", as_index=False).agg({**{f: "first" for f in factors}, **{o: "mean" for o in m["outcomes"]}})
        ok["seed"] = -1
    experiments = ok[factors].reset_index(drop=True).copy()
    for f in categorical:
        experiments[f] = experiments[f].astype(str).astype("category")
    if per == "run":
        experiments["seed"] = ok["seed"].to_numpy()
    experiments["scenario"] = ok["point"].to_numpy()
    experiments["policy"] = "none"
    experiments["model"] = m["simulator"]
    outcomes = {o: ok[o].to_numpy(dtype=float) for o in m["outcomes"]}
    return experiments, outcomes
