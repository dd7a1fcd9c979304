"""The scenario library: every file's figures carry a source, every scenario runs
with its books balanced, and `lhe show` describes a scenario with its sources.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

import pytest
from test_conservation import assert_books_balance

from model import LocalHealthEconomy, list_scenarios, load_scenario
from model.cli import main, opening_comment
from model.scenario import scenario_path

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
FILES = sorted(SCENARIOS.glob("*.toml"))

# Numbers that are not figures about the world: they say how the model runs or
# when something happens on its clock, so they need no source. Paths use * for
# a list's index.
STRUCTURAL = {
    "run.steps": "the run's length in months",
    "run.seed": "the random seed",
    "run.start_year": "a calendar label for step 0",
    "population.spare_capacity": "room in the arrays for births and new registrations, a technical setting",
    "contracting.switches.*.step": "the month a regime change happens",
    "contracting.capitated_budgets.*.step": "the month a budget is handed over",
    "contracting.pooled_budgets.*.step": "the month a budget is pooled",
    "contracting.tenders.*.step": "the month a tendered contract starts",
    "contracting.tenders.*.term_years": "a contract's length, a term of the case rather than a measured figure",
}


def _unsourced(node, path: str = ""):
    """Paths of int/float values in a file's own tables not written as {value, source}."""
    if isinstance(node, dict):
        if "value" in node and set(node) <= {"value", "source"}:
            return  # a sourced figure (the loader insists the source is a non-empty string)
        for key, value in node.items():
            yield from _unsourced(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _unsourced(value, f"{path}.{i}")
    elif isinstance(node, int | float) and not isinstance(node, bool):
        yield path


def _structural(path: str) -> bool:
    pattern = re.sub(r"\.\d+(?=\.|$)", ".*", path)
    return any(fnmatch.fnmatchcase(pattern, allowed) for allowed in STRUCTURAL)


def test_the_library_has_the_cases():
    names = set(list_scenarios())
    cases = {"all-fortress", "all-collaborative", "salford", "northumberland", "south-somerset", "dudley",
             "sandwell-west-birmingham", "wakefield", "torbay", "torbay-2000s"}
    teaching = {f"teach-{r}" for r in ("place", "pbr", "block", "block-corridor", "gain-loss", "withhold",
                                      "alliance", "pacs", "mcp", "pooled")}
    assert cases | teaching <= names


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_number_in_a_scenario_file_carries_a_source(path):
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    bare = [p for p in _unsourced(raw) if not _structural(p)]
    assert not bare, f"{path.name}: numbers without a source (write them as {{ value = ..., source = \"...\" }}): {', '.join(bare)}"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_scenario_file_opens_with_a_description(path):
    assert len(opening_comment(path).splitlines()) >= 3, f"{path.name}: no comment block at the top"


def test_the_source_check_catches_a_bare_number():
    raw = tomllib.loads("""
        [run]
        steps = 12
        [population]
        size = 5000
        [[contracting.switches]]
        step = 3
        [[contracting.pooled_budgets]]
        step = 0
        nhs_contribution = 0.1
        [contracting.terms]
        withhold = { value = 0.1, source = "seed 004" }
    """)
    bare = [p for p in _unsourced(raw) if not _structural(p)]
    assert bare == ["population.size", "contracting.pooled_budgets.0.nhs_contribution"]


def test_the_teaching_scenarios_extend_the_teaching_place():
    for name in (n for n in list_scenarios() if n.startswith("teach-") and n != "teach-place"):
        raw = tomllib.loads(scenario_path(name).read_text(encoding="utf-8"))
        assert raw.get("extends") == "teach-place", name
        assert load_scenario(name).population.size == load_scenario("teach-place").population.size


def _last_event(scenario) -> int:
    """The month of a scenario's last contracting event (switch, budget or tender), 0 if none."""
    c = scenario.contracting
    return max((e.step for e in (*c.switches, *c.capitated_budgets, *c.pooled_budgets, *c.tenders)), default=0)


@pytest.mark.parametrize("name", list_scenarios())
def test_every_scenario_runs_past_its_events_with_its_books_balanced(name):
    """Each scenario runs a year, or to the month after its last event if that is later (a shorter
    run is refused: its events would never happen), with its books balanced."""
    scenario = load_scenario(name)
    steps = max(12, _last_event(scenario) + 1)
    scenario = scenario.with_changes({"population.size": min(scenario.population.size, 20_000), "run.steps": steps})
    m = LocalHealthEconomy(scenario)
    m.run()
    assert m.month == steps
    assert_books_balance(m)


def test_show_prints_the_description_and_the_sources(capsys):
    assert main(["show", "dudley"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("dudley: ")
    assert "Dudley MCP: a 15-year" in out  # the one-line description
    assert "What the case shows" in out  # the file's opening comment
    assert "[contracting]" in out and "[population]" in out
    assert "contracting.terms.withhold = 0.1  <- seed 004, box 'Plans to commission Dudley's MCP'" in out
    assert "population.size = 318000  <- seed 004" in out
    # inherited from the baseline, with the baseline's source
    assert "money.efficiency_requirement = 0.04  <- seed 003" in out


def test_show_an_unknown_scenario_is_bad_input(capsys):
    assert main(["show", "no-such-place"]) == 2
    err = capsys.readouterr().err
    assert "no-such-place" in err and "no scenario of that name" in err


def test_salford_pays_for_its_nhs_services_once():
    """Salford's pot holds the council's care money; the NHS's part of the real pot pays for its own
    services, which the model pays through the CCG's contracts. Paying that money into the pot as
    well would have the CCG spend about half its allocation again on top of them: measured over the
    two years after the pot starts, the CCG must stay within a few percent of its allocation."""
    s = load_scenario("salford").with_changes({"population.size": 10_000, "run.steps": 39})
    m = LocalHealthEconomy(s, rng=1).run()
    cm = m.organisation("Salford CCG")
    start = cm.allocation * s.money.opening_reserves_months / 12
    assert cm.reserves - start > -0.05 * cm.allocation, (cm.reserves, start, cm.allocation)
