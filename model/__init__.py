"""A simulator of local health economies: fortress or system of care.

>>> from model import load_scenario, LocalHealthEconomy
>>> model = LocalHealthEconomy(load_scenario("baseline").with_changes({"population.size": 20_000}))
>>> model.run(24).place_table().tail()
"""

from model.economy import LocalHealthEconomy
from model.scenario import Scenario, ScenarioError, list_scenarios, load_scenario

__all__ = ["LocalHealthEconomy", "Scenario", "ScenarioError", "list_scenarios", "load_scenario", "run"]


def run(scenario: Scenario | str | None = None, *, seed: int | None = None, steps: int | None = None) -> LocalHealthEconomy:
    """Build a place from a scenario (object, name or path) and run it."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    model = LocalHealthEconomy(scenario, rng=seed)
    return model.run(steps)
