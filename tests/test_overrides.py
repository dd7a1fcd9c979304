"""Command-line changes: --set values read as TOML, each change kept with the option that gave it."""

from __future__ import annotations

import pytest

from model import ScenarioError, load_scenario
from model.overrides import command_line_changes, parse_set


@pytest.mark.parametrize(("item", "path", "value"), [
    ("population.size=50000", "population.size", 50000),
    ("tariff.emergency_marginal_rate=0.5", "tariff.emergency_marginal_rate", 0.5),
    ("commons.shared_measures=true", "commons.shared_measures", True),
    ("hospitals.0.strategy=fortress", "hospitals.0.strategy", "fortress"),  # a bare word is text
    ('name="a place"', "name", "a place"),
    ("demand.ltc_rate_ratios=[1, 1.5, 2, 3]", "demand.ltc_rate_ratios", [1, 1.5, 2, 3]),
    ("contracting.terms={cap = 0.1}", "contracting.terms", {"cap": 0.1}),
    (" run.steps =12", "run.steps", 12),
])
def test_a_set_is_a_path_and_a_toml_value(item, path, value):
    assert parse_set(item) == (path, value)


@pytest.mark.parametrize("item", ["population.size", "=5", "population..size=5", "population size=5"])
def test_a_set_without_a_path_is_refused_naming_the_option(item):
    with pytest.raises(ScenarioError) as info:
        parse_set(item)
    assert str(info.value).startswith("--set")
    assert "population.size" in info.value.allowed


def test_each_parameter_is_set_once():
    with pytest.raises(ScenarioError, match=r"set already by --set run.steps=3"):
        command_line_changes(["run.steps=3"], steps=4)
    changes = command_line_changes(["population.size=2000"], steps=4, seed=9)
    assert changes.values == {"population.size": 2000, "run.steps": 4, "run.seed": 9}
    assert changes.given_as["run.seed"] == "--seed 9"


def test_errors_name_the_option_not_the_file():
    changes = command_line_changes(["population.size=10"])
    with pytest.raises(ScenarioError) as info:
        changes.apply(load_scenario("teach-place"))
    assert str(info.value).startswith("--set population.size=10: population.size: got 10; ")
    place = command_line_changes(["population.size=2000"]).apply(load_scenario("teach-place"))
    assert place.population.size == 2000 and place.sources["population.size"] == "changed by the user"
