"""A simulator of local health economies: fortress or system of care.

>>> from model import load_scenario, LocalHealthEconomy
>>> model = LocalHealthEconomy(load_scenario("baseline").with_changes({"population.size": 20_000}))
>>> model.run(24).place_table().tail()
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from model.economy import LocalHealthEconomy
    from model.scenario import Scenario, ScenarioError, list_scenarios, load_scenario

__all__ = ["LocalHealthEconomy", "Scenario", "ScenarioError", "list_scenarios", "load_scenario", "run"]

# imported when first asked for, so that a command (``lhe run``) can start its chart drawers before
# the model's imports (Mesa, pandas) rather than after them
_LAZY = {"LocalHealthEconomy": "model.economy", "Scenario": "model.scenario", "ScenarioError": "model.scenario",
         "list_scenarios": "model.scenario", "load_scenario": "model.scenario"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'model' has no attribute {name!r}")


def run(scenario: Scenario | str | None = None, *, seed: int | None = None, steps: int | None = None) -> LocalHealthEconomy:
    """Build a place from a scenario (object, name or path) and run it."""
    from model.economy import LocalHealthEconomy
    from model.scenario import Scenario, load_scenario

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    model = LocalHealthEconomy(scenario, rng=seed)
    return model.run(steps)
