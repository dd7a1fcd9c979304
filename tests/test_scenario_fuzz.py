"""Every scenario the schema accepts runs: drawn anywhere within its bounds, endpoints included,
a scenario either runs to its end with money conserved to the penny and every table finite, or
is refused before the run with a ScenarioError that names the field (the CLI's exit 2). A
numpy warning inside a run (an overflow, 0/0, NaN cast to an integer) counts as a failure: it
is how a silently wrong figure starts.

The bounds are read from the schema (tests/scenario_space.py), so loosening one there puts the
new range under this test. Places are small and runs short so that hundreds take about a minute.

In ``make test`` the draws are derandomised (the same 320 scenarios every run, so a result does
not change between two runs of the same code); ``make fuzz`` searches afresh with more draws
(``LHE_FUZZ_EXPLORE=1``, ``LHE_FUZZ_DRAWS``) and prints the failing scenario it finds.
"""

from __future__ import annotations

import math
import os
import typing
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from pydantic import BaseModel
from scenario_space import _plain, as_types, bounds, scenarios
from test_conservation import assert_books_balance

from model import LocalHealthEconomy
from model.scenario import Demand, Money, Programmes, Scenario, ScenarioError, _validate

DRAWS = int(os.environ.get("LHE_FUZZ_DRAWS", "320"))
EXPLORE = os.environ.get("LHE_FUZZ_EXPLORE", "") not in ("", "0")
OUTCOMES: Counter[str] = Counter()


def assert_finite(place: pd.DataFrame, organisations: pd.DataFrame) -> None:
    """No NaN or infinity in the place's table; in the organisations' table a column may be empty
    only for a kind it does not apply to (a council has no beds), all of that kind's rows at once."""
    for column in place.columns:
        if place[column].dtype.kind == "f":
            assert np.isfinite(place[column]).all(), f"place.{column}: {place[column].tolist()}"
    for kind, rows in organisations.groupby("kind"):
        for column in rows.columns:
            if rows[column].dtype.kind == "f":
                values = rows[column].to_numpy()
                missing = np.isnan(values)
                assert not np.isinf(values).any(), f"{kind}.{column} has infinities"
                assert missing.all() or not missing.any(), f"{kind}.{column} is NaN in some months only"


@settings(max_examples=DRAWS, deadline=None, derandomize=not EXPLORE, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=scenarios())
def check_runs_or_is_refused(data: dict) -> None:
    try:
        scenario = _validate(as_types(data), "fuzz.toml")
    except ScenarioError as e:
        assert e.file == "fuzz.toml" and e.field and e.allowed, str(e)
        OUTCOMES["refused"] += 1
        return
    m = LocalHealthEconomy(scenario)
    m.run()
    assert m.month == scenario.run.steps
    assert_books_balance(m)
    assert_finite(m.place_table(), m.organisation_table())
    OUTCOMES["ran"] += 1


@pytest.mark.filterwarnings("error::RuntimeWarning")  # numpy's overflow, 0/0 or NaN cast inside a run fails it too
def test_every_scenario_within_the_bounds_runs_or_is_refused_before_the_run():
    OUTCOMES.clear()
    check_runs_or_is_refused()
    drawn = OUTCOMES["ran"] + OUTCOMES["refused"]
    print(f"\nscenarios drawn {drawn}: ran {OUTCOMES['ran']}, refused {OUTCOMES['refused']}")
    assert drawn >= min(300, DRAWS)
    # most draws are valid scenarios, so the property is about runs, not about refusals
    assert OUTCOMES["ran"] >= 0.6 * drawn
    assert OUTCOMES["refused"] > 0


def test_the_strategy_reads_the_schemas_bounds():
    """The fuzz covers what the schema allows: a bound changed there changes what is drawn, and
    every numeric field has both bounds (a new unbounded one fails here)."""
    assert bounds(Programmes.model_fields["recruit_months"])[:2] == (1.0, 120.0)
    assert bounds(Money.model_fields["prevention_share_of_council"])[:2] == (0.0, 0.9)
    assert bounds(Demand.model_fields["emergency_admissions_per_1000"])[:2] == (1.0, 1000)
    unbounded = [path for path, info in _numbers(Scenario) if None in bounds(info)[:2]]
    assert unbounded == [], f"numeric fields without both bounds: {unbounded}"


def _numbers(model, prefix: str = ""):
    """(path, field) for every int or float field of the schema, in sections and lists of them."""
    for name, info in model.model_fields.items():
        kind = _plain(info.annotation)
        if typing.get_origin(kind) is list:
            kind = _plain(typing.get_args(kind)[0])
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            yield from _numbers(kind, f"{prefix}{name}.")
        elif kind in (int, float) and typing.get_origin(_plain(info.annotation)) is not list:
            yield prefix + name, info


def test_finite_check_catches_nan_and_partial_columns():
    """The table check fails on the faults it is there for."""
    place = pd.DataFrame({"month": [1, 2], "beds": [1.0, math.nan]})
    orgs = pd.DataFrame({"kind": ["hospital", "hospital", "council", "council"], "beds": [3.0, 4.0, math.nan, math.nan]})
    try:
        assert_finite(place, orgs)
    except AssertionError:
        pass
    else:
        raise AssertionError("a NaN in the place's table was not caught")
    assert_finite(place.dropna(), orgs)  # a column empty for a kind it does not apply to is fine
    orgs.loc[0, "beds"] = math.nan
    try:
        assert_finite(place.dropna(), orgs)
    except AssertionError:
        return
    raise AssertionError("a hospital's missing beds were not caught")
