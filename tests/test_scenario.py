"""Scenario files: bad input is refused at the edge, in the reader's terms.

Every kind of bad input must raise :class:`model.scenario.ScenarioError` whose
message names the file, the field's path, the value given and what is allowed,
so that someone editing TOML by hand can fix it without reading Python.
Most cases write a small file that ``extends = "baseline"`` and overrides one thing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from model import LocalHealthEconomy, Scenario, ScenarioError, list_scenarios, load_scenario
from model.scenario import resolved_parameters


def write(tmp_path: Path, text: str, name: str = "bad.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def extending(body: str) -> str:
    return 'extends = "baseline"\n' + body


def org_list(kind: str, rows: list[dict]) -> str:
    """TOML for an array of tables (lists replace the parent's list whole)."""
    out = []
    for row in rows:
        out.append(f"[[{kind}]]")
        for k, v in row.items():
            out.append(f"{k} = {v!r}" if isinstance(v, str) else f"{k} = {v}")
    return "\n".join(out).replace("'", '"') + "\n"


COMMISSIONERS_OK = [
    {"name": "Northvale CCG", "strategy": "fortress"},
    {"name": "Eastmoor CCG", "strategy": "collaborative"},
]

# (id, file text, substrings the message must contain besides the file path:
#  the field path, the value given, and what is allowed)
BAD_FILES = [
    pytest.param(
        extending("bogus_setting = 1\n"),
        ["bogus_setting", "got 1", "no such field"],
        id="unknown-top-level-field",
    ),
    pytest.param(
        extending("[tariff]\nemergency_spel = 1600.0\n"),
        ["tariff.emergency_spel", "got 1600.0", "no such field", "spelling"],
        id="unknown-nested-field",
    ),
    pytest.param(
        extending('[population]\nsize = "lots"\n'),
        ["population.size", "got 'lots'", "a whole number from 100 to 20,000,000 is allowed"],
        id="wrong-type",
    ),
    pytest.param(
        extending("[population]\nsize = 0\n"),
        ["population.size", "got 0", "greater than or equal to 100"],
        id="zero-population",
    ),
    pytest.param(
        extending("[population]\nsize = -5000\n"),
        ["population.size", "got -5000", "greater than or equal to 100"],
        id="negative-population",
    ),
    pytest.param(
        extending(org_list("councils", [
            {"name": "Northvale Council", "strategy": "fortress", "share": 0.5},
            {"name": "Eastmoor Council", "strategy": "collaborative", "share": 0.4},
        ])),
        ["councils", "0.9", "must sum to 1"],
        id="council-shares-not-summing-to-one",
    ),
    pytest.param(
        extending(org_list("commissioners", [
            {"name": "Northvale CCG", "strategy": "selfish"},
            {"name": "Eastmoor CCG", "strategy": "collaborative"},
        ])),
        ["commissioners.0.strategy", "got 'selfish'", "'fortress' or 'collaborative'"],
        id="unknown-strategy",
    ),
    pytest.param(
        extending('[contracting]\nacute = "salary"\n'),
        ["contracting.acute", "'salary'", "acute", "known: ", "block, block_corridor, capitated, capitation"],
        id="unknown-regime",
    ),
    pytest.param(
        extending('[contracting]\nacute = "capitation"\n'),
        ["contracting.acute", "'capitation'", "cannot pay for acute", "these can: alliance, block,", ", pbr"],
        id="regime-for-wrong-scope",
    ),
    pytest.param(
        extending(org_list("gp_federations", [
            {"name": "Solo GP Federation", "strategy": "fortress", "commissioner": "Nowhere CCG", "share": 1.0},
        ])),
        ["commissioner", "'Nowhere CCG'", "known: Eastmoor CCG, Northvale CCG"],
        id="gp-federation-unknown-commissioner",
    ),
    pytest.param(
        extending(org_list("hospitals", [
            {"name": "Northvale CCG", "strategy": "fortress", "share": 1.0},
        ])),
        ["organisation names", "Northvale CCG", "must be unique"],
        id="duplicate-organisation-names",
    ),
    pytest.param(
        extending('[population]\nsize = { value = 5000, source = "   " }\n'),
        ["population.size", "5000", "non-empty 'source'"],
        id="figure-with-empty-source",
    ),
    pytest.param(
        extending("[population]\nsize = { value = 5000 }\n"),
        ["population.size", "5000", "non-empty 'source'"],
        id="figure-without-source",
    ),
    pytest.param(
        extending("[demand]\nlisted_share = 1.5\n"),
        ["demand.listed_share", "got 1.5", "less than or equal to 1"],
        id="share-above-one",
    ),
    pytest.param(
        extending("[tariff]\nemergency_spell = -1600.0\n"),
        ["tariff.emergency_spell", "got -1600.0", "greater than or equal to 0"],
        id="negative-price",
    ),
    pytest.param(
        extending("[population]\nage_band_edges = [0, 50, 100]\n"),
        ["population", "age_band_edges", "3 edges, 7 shares", "one more entry than age_band_shares"],
        id="age-bands-length-mismatch",
    ),
    pytest.param(
        extending("[population]\nage_band_edges = [0, 15, 30, 45, 65, 75, 85, 80]\n"),
        ["population", "age_band_edges", "rise strictly"],
        id="age-bands-not-ascending",
    ),
    pytest.param(
        'extends = "atlantis"\n',
        ["extends", "got 'atlantis'", "a known scenario", "baseline"],
        id="extends-unknown-scenario",
    ),
    pytest.param(
        "extends = 3\n",
        ["extends", "got 3", "the name of another scenario"],
        id="extends-not-a-name",
    ),
    pytest.param(
        extending('[social_care]\nintermediate_care_start_per_1000 = { value = 0.5, source = "x" }\n'),
        ["intermediate_care_start_per_1000", "got 0.5", "at most intermediate_care_most_per_1000 (0)"],
        id="intermediate-care-at-start-above-its-top",
    ),
    pytest.param(
        extending("[run]\nsteps = 0\n"),
        ["run.steps", "got 0", "greater than or equal to 1"],
        id="zero-steps",
    ),
    pytest.param(
        'name = "nowhere"\n',
        ["population", "(nothing)", "required"],
        id="missing-required-section",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BAD_FILES)
def test_bad_scenario_file_is_explained(tmp_path, text, expected):
    """Each kind of bad file raises ScenarioError whose message names the file,
    the field, the value given and what is allowed."""
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    assert info.value.file == str(path)
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"


def test_malformed_toml_is_explained(tmp_path):
    """A TOML syntax error is reported as a ScenarioError naming the file, the
    offending line and column and the parser's complaint, not as a Python
    traceback, and without repeating the file's text (which may not be a
    scenario at all, and may hold secrets)."""
    path = write(tmp_path, 'name = "x"\n[population_secret\nsize = 3\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert "TOML" in message
    assert "line 2, column 19" in message
    assert "secret" not in message


@pytest.mark.parametrize("text", ["", "   \n\n  \t\n"], ids=["empty", "whitespace-only"])
def test_empty_file_is_explained(tmp_path, text):
    """An empty file is refused with a message saying it is empty."""
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value).startswith(f"{path}: (file): got ''")
    assert "empty" in str(info.value)


def test_non_utf8_file_is_explained(tmp_path):
    """A binary file is refused as not being UTF-8 TOML text."""
    path = tmp_path / "binary.toml"
    path.write_bytes(b"name = \"\xff\xfe\"\n")
    with pytest.raises(ScenarioError, match="UTF-8"):
        load_scenario(path)


def test_missing_file_is_explained():
    """A path to a file that does not exist names the path and says so."""
    with pytest.raises(ScenarioError) as info:
        load_scenario("/nonexistent/x.toml")
    message = str(info.value)
    assert message.startswith("/nonexistent/x.toml: (file): got '/nonexistent/x.toml'")
    assert "no such scenario file" in message


def test_unknown_scenario_name_lists_the_known_ones():
    """An unknown scenario name is refused with the names that do exist."""
    with pytest.raises(ScenarioError) as info:
        load_scenario("no_such_place")
    message = str(info.value)
    assert message.startswith("no_such_place: (name): got 'no_such_place'")
    assert "no scenario of that name" in message
    assert "baseline" in message


def test_file_that_extends_itself_is_refused(tmp_path):
    """A file whose `extends` names itself would recurse forever; it is refused
    as a circle."""
    path = tmp_path / "loop.toml"
    path.write_text(f'extends = "{path}"\n', encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert message.startswith(f"{path}: extends: got 'loop'")
    assert "circle" in message


def test_extends_relative_path_is_resolved_from_the_extending_file(tmp_path, monkeypatch):
    """`extends = "parent.toml"` in a file means the parent beside that file,
    wherever the program is run from."""
    write(tmp_path, 'extends = "baseline"\n[population]\nsize = 5000\n', name="parent.toml")
    child = write(tmp_path, 'extends = "parent.toml"\n[run]\nsteps = 12\n', name="child.toml")
    monkeypatch.chdir(Path(__file__).parent)
    s = load_scenario(child)
    assert (s.population.size, s.run.steps) == (5000, 12)


def test_extends_absolute_path_chain(tmp_path):
    """A file may extend another file by absolute path, which extends baseline:
    overrides apply in order, the nearest file winning."""
    parent = write(tmp_path, 'extends = "baseline"\n[population]\nsize = 5000\n[run]\nsteps = 6\n',
                   name="parent.toml")
    child = write(tmp_path, f'extends = "{parent}"\n[run]\nsteps = 12\n', name="child.toml")
    s = load_scenario(child)
    assert (s.population.size, s.run.steps) == (5000, 12)
    assert s.name == "baseline"


def test_files_that_extend_each_other_are_refused(tmp_path):
    """Two files extending each other are a circle too."""
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text(f'extends = "{b}"\n', encoding="utf-8")
    b.write_text(f'extends = "{a}"\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match="circle") as info:
        load_scenario(a)
    assert str(a) in str(info.value)


# --- errors found by comparing fields still point at the field at fault ---------------------


CROSS_FIELD = [
    pytest.param(
        org_list("councils", [
            {"name": "Northvale Council", "strategy": "fortress", "share": 0.5},
            {"name": "Eastmoor Council", "strategy": "collaborative", "share": 0.4},
        ]),
        "councils",
        "0.4",
        id="council-shares",
    ),
    pytest.param(
        org_list("gp_federations", [
            {"name": "Solo GP Federation", "strategy": "fortress", "commissioner": "Nowhere CCG", "share": 1.0},
        ]),
        "gp_federations.0.commissioner",
        "'Nowhere CCG'",
        id="unknown-commissioner",
    ),
    pytest.param(
        org_list("hospitals", [{"name": "Northvale CCG", "strategy": "fortress", "share": 1.0}]),
        "hospitals",
        "'Northvale CCG'",
        id="duplicate-name",
    ),
    pytest.param(
        "[population]\nage_band_edges = [0, 15, 30, 45, 65, 75, 85, 80]\n",
        "population.age_band_edges",
        "85, 80",
        id="age-bands-not-ascending",
    ),
]


@pytest.mark.parametrize(("body", "field", "shown"), CROSS_FIELD)
def test_cross_field_errors_name_the_field_and_its_value(tmp_path, body, field, shown):
    """Errors found by comparing fields should still point at the field at fault
    (e.g. `councils`, `population.age_band_edges`) and show its value, not a
    truncated dump of the whole scenario or section."""
    path = write(tmp_path, extending(body))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.field.startswith(field)
    assert shown in _show_part(str(info.value))


def _show_part(message: str) -> str:
    """The 'got ...' part of a ScenarioError message."""
    return message.split(": got ", 1)[1].split("; ", 1)[0]


def test_error_message_keeps_acronyms(tmp_path):
    """A message that starts with an acronym keeps it intact."""
    path = write(tmp_path, extending(org_list("gp_federations", [
        {"name": "Solo GP Federation", "strategy": "fortress", "commissioner": "Nowhere CCG", "share": 1.0},
    ])))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert "GP federation 'Solo GP Federation'" in str(info.value)


# --- what good input gives ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def baseline() -> Scenario:
    return load_scenario()


def test_baseline_loads_and_is_the_default(baseline):
    """The embedded baseline loads, validates and is what no name means."""
    assert baseline.name == "baseline"
    assert "baseline" in list_scenarios()
    assert load_scenario("baseline").digest() == baseline.digest()
    assert baseline.population.size == 300_000
    assert len(baseline.hospitals) == 3 and len(baseline.gp_federations) == 10
    assert baseline.contracting.acute == "pbr"
    assert baseline.origin.endswith("baseline.toml")


def test_baseline_records_sources(baseline):
    """Every figure written as {value, source} keeps its source by field path."""
    assert "seed 004" in baseline.sources["population.size"]
    assert "30%" in baseline.sources["tariff.emergency_marginal_rate"]
    assert "hospitals.0.share" in baseline.sources
    # bare values (names, switches) have no source
    assert "run.steps" not in baseline.sources
    assert "commissioners.0.name" not in baseline.sources


def test_extending_file_overrides_one_field_and_keeps_sources(tmp_path, baseline):
    """A file that extends baseline changes only what it says, and its own
    sources replace the parent's for the fields it sets."""
    path = write(tmp_path, extending('[population]\nsize = { value = 5000, source = "a small test place" }\n'),
                 name="small.toml")
    s = load_scenario(path)
    assert s.population.size == 5000
    assert s.sources["population.size"] == "a small test place"
    assert s.sources["tariff.emergency_spell"] == baseline.sources["tariff.emergency_spell"]
    assert s.tariff == baseline.tariff
    assert s.origin == str(path)


def test_with_changes_returns_a_validated_copy(baseline):
    """with_changes gives a new, validated scenario and leaves the original alone."""
    small = baseline.with_changes({"population.size": 5000, "hospitals.0.strategy": "collaborative"})
    assert isinstance(small, Scenario)
    assert small.population.size == 5000
    assert small.hospitals[0].strategy == "collaborative"
    assert baseline.population.size == 300_000
    assert baseline.hospitals[0].strategy == "fortress"
    assert small.sources["population.size"] == "changed by the user"
    assert "seed 004" in baseline.sources["population.size"]
    assert small.sources["tariff.emergency_spell"] == baseline.sources["tariff.emergency_spell"]


def test_with_changes_accepts_keyword_paths(baseline):
    """Paths may also be given as keywords when they are valid identifiers."""
    assert baseline.with_changes(name="other").name == "other"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"population.sise": 5000}, ["population.sise", "got 5000", "no field 'sise'", "size"]),
        ({"hospitals.7.strategy": "fortress"}, ["hospitals.7.strategy", "items 0 to 2"]),
        ({"hospitals.first.strategy": "fortress"}, ["hospitals.first.strategy", "items 0 to 2"]),
        ({"population.size": 10}, ["population.size", "got 10", "greater than or equal to 100"]),
        ({"hospitals.0.strategy": "selfish"}, ["hospitals.0.strategy", "got 'selfish'", "'fortress' or 'collaborative'"]),
        ({"contracting.primary_care": "pbr"}, ["contracting", "'pbr'", "cannot pay for primary_care"]),
        ({"contracting.community": "pbr"}, ["contracting", "'pbr'", "cannot pay for community"]),
    ],
)
def test_with_changes_rejects_bad_paths_and_values(baseline, changes, expected):
    """A bad path or value in with_changes raises ScenarioError naming the
    scenario's file, the path and what is allowed."""
    with pytest.raises(ScenarioError) as info:
        baseline.with_changes(changes)
    message = str(info.value)
    assert message.startswith(baseline.origin)
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"


def test_scenarios_are_validated_on_assignment(baseline):
    """Assigning a bad value to a loaded scenario's field is refused too."""
    s = baseline.with_changes({})
    with pytest.raises(ValueError):
        s.population.size = -1


def test_digest_is_stable_for_equal_scenarios(baseline, tmp_path):
    """Equal parameters give the same digest, however they were arrived at
    (another load, a no-op change, a file that only extends)."""
    d = baseline.digest()
    assert len(d) == 16
    assert load_scenario().digest() == d
    assert baseline.with_changes({}).digest() == d
    assert baseline.with_changes({"population.size": 300_000}).digest() == d
    copy_path = write(tmp_path, 'extends = "baseline"\n', name="same.toml")
    assert load_scenario(copy_path).digest() == d


@pytest.mark.parametrize(
    "changes",
    [
        {"population.size": 300_001},
        {"run.seed": 2},
        {"tariff.emergency_marginal_rate": 0.5},
        {"hospitals.2.strategy": "fortress"},
        {"contracting.acute": "block"},
    ],
)
def test_digest_changes_when_a_parameter_changes(baseline, changes):
    """Any parameter change gives a different digest (runs are told apart)."""
    assert baseline.with_changes(changes).digest() != baseline.digest()


def test_digest_ignores_sources(baseline, tmp_path):
    """The digest is of the parameters, so rewording a source leaves it alone."""
    path = write(tmp_path, extending('[population]\nsize = { value = 300000, source = "reworded" }\n'))
    assert load_scenario(path).digest() == baseline.digest()


def test_resolved_parameters_are_plain_data(baseline):
    """resolved_parameters is JSON-ready data that validates back to the same scenario."""
    data = resolved_parameters(baseline)
    assert data["population"]["size"] == 300_000
    assert Scenario.model_validate(data).digest() == baseline.digest()


def test_small_scenario_builds_a_model(baseline):
    """A validated small scenario builds a model whose books balance at the start."""
    m = LocalHealthEconomy(baseline.with_changes({"population.size": 1000, "run.steps": 1}))
    m.ledger.check()
    assert len(m.organisations) == 17


# --- values the model cannot run on are refused before the run -----------------------------------
# Each of these was accepted once and then crashed the run (a traceback) or gave silently wrong
# results; the message names the field, the value and what is allowed.
REFUSED = [
    pytest.param({"tariff.elective_spell": float("inf")}, ["tariff.elective_spell", "got inf", "finite", "0 to 100,000"],
                 id="infinite-tariff"),
    pytest.param({"tariff.elective_spell": 1e308}, ["tariff.elective_spell", "got 1e+308", "0 to 100,000"], id="huge-tariff"),
    pytest.param({"money.prevention_share_of_council": 1.0}, ["prevention_share_of_council", "got 1.0", "0 to 0.9"],
                 id="all-council-money-on-prevention"),
    pytest.param({"programmes.recruit_months": 0}, ["programmes.recruit_months", "got 0", "1 to 120"], id="zero-recruiting-time"),
    pytest.param({"demand.emergency_los_days": 0}, ["demand.emergency_los_days", "got 0", "0.5 to 60"], id="zero-length-of-stay"),
    pytest.param({"demand.elective_los_days": 0}, ["demand.elective_los_days", "got 0", "0.5 to 60"], id="zero-elective-stay"),
    pytest.param({"demand.emergency_admissions_per_1000": 0}, ["emergency_admissions_per_1000", "got 0", "1 to 1,000"],
                 id="no-emergency-admissions"),
    pytest.param({"demand.emergency_admissions_per_1000": 1e308}, ["emergency_admissions_per_1000", "1e+308", "1 to 1,000"],
                 id="huge-admission-rate"),
    pytest.param({"health.mortality_age_rate": float("inf")}, ["health.mortality_age_rate", "got inf", "0 to 0.3"],
                 id="infinite-mortality-rate"),
    pytest.param({"adaptation.weight_finance": float("inf")}, ["adaptation.weight_finance", "got inf", "0 to 10"],
                 id="infinite-weight"),
    pytest.param({"social_care.package_cost_per_month": 0}, ["package_cost_per_month", "got 0", "10 to 50,000"],
                 id="free-care-packages"),
    pytest.param({"capacity.target_occupancy": 0}, ["capacity.target_occupancy", "got 0", "0.3 to 1"], id="zero-target-occupancy"),
    pytest.param({"demand.ltc_rate_ratios": [0, 0, 0, 0]}, ["demand.ltc_rate_ratios.0", "got 0", "0.1 to 20"],
                 id="no-admission-risk-at-all"),
    pytest.param({"population.births_per_1000": float("nan")}, ["population.births_per_1000", "got nan", "finite"], id="nan"),
    pytest.param({"health.ltc_age_power": 0.5}, ["health.ltc_age_power", "got 0.5", "1 to 5"], id="infinite-ltc-incidence-at-birth"),
    pytest.param({"run.seed": True}, ["run.seed", "got true", "whole number from 0 to", "not true or false"], id="seed-true"),
    pytest.param({"population.size": "5000"}, ["population.size", "got '5000'", "without quotes"], id="number-as-text"),
    pytest.param({"commons.shared_measures": 1}, ["commons.shared_measures", "got 1", "true or false"], id="switch-as-number"),
    pytest.param({"contracting.terms": {"withhold": True}, "contracting.acute": "outcome_withhold"},
                 ["contracting.terms.withhold", "got true", "not true or false"], id="term-true"),
    pytest.param({"name": "a\x00b"}, ["name", "U+0000", "printable"], id="nul-in-name"),
    pytest.param({"hospitals.0.name": "North\nvale"}, ["hospitals.0.name", "U+000A", "printable"], id="newline-in-name"),
    pytest.param({"councils.0.name": "Council\u202e"}, ["councils.0.name", "U+202E"], id="right-to-left-mark"),
    pytest.param({"name": "   "}, ["name", "visible character"], id="blank-name"),
    pytest.param({"name": "x" * 101}, ["name", "at most 100 characters"], id="long-name"),
    pytest.param({"demand.ltc_rate_ratios": [1.0, 2.0]}, ["demand.ltc_rate_ratios", "got [1.0, 2.0]", "4 entries"],
                 id="ltc-ratios-wrong-length"),
    pytest.param({"run.steps": 1.5}, ["run.steps", "got 1.5", "1 to 1,200"], id="fractional-steps"),
    pytest.param({"contracting.switches": [{"step": 120, "scope": "acute", "regime": "block"}]},
                 ["contracting.switches.0.step", "got 120", "ends after 120 months", "from 1 to 119"], id="switch-after-the-end"),
    pytest.param({"contracting.pooled_budgets": [{"commissioner": "Northvale CCG", "council": "Northvale Council",
                                                  "nhs_contribution": 0.1, "step": 500}]},
                 ["contracting.pooled_budgets.0.step", "got 500", "from 0 to 119"], id="pooled-budget-after-the-end"),
    pytest.param({"contracting.pooled_budgets": [{"commissioner": "Northvale CCG", "council": "Northvale Council",
                                                  "nhs_contribution": 0.5, "step": 0}] * 3},
                 ["contracting.pooled_budgets.1.nhs_contribution", "got 0.5", "would take 1", "at most 0.5"],
                 id="pooled-budgets-beyond-the-allocation"),
]


@pytest.mark.parametrize(("changes", "expected"), REFUSED)
def test_values_the_model_cannot_run_on_are_refused(baseline, changes, expected):
    with pytest.raises(ScenarioError) as info:
        baseline.with_changes(changes)
    message = str(info.value)
    assert message.startswith(baseline.origin), message
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"


TENDER = {"step": 12, "commissioner": "Northvale CCG", "scope": "community",
          "bidders": [{"name": "Newco", "capital": 0.1}, {"name": "Northvale General"}]}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({"contracting.tenders": [{**TENDER, "bidders": [{"name": "Newco", "capital": 0.1}, {"name": "Newco", "capital": 0.2}]}]},
                     ["contracting.tenders.0.bidders.1.name", "got 'Newco'", "a name of its own"], id="two-bidders-one-name"),
        pytest.param({"contracting.tenders": [TENDER, {**TENDER, "bidders": [{"name": "Riverside Hospitals"}]}]},
                     ["contracting.tenders.1", "Northvale CCG, community, month 12", "one tender per commissioner, scope and month"],
                     id="two-tenders-one-scope-and-month"),
        pytest.param({"contracting.tenders": [{**TENDER, "step": 36}]},
                     ["contracting.tenders.0.step", "got 36", "ends after 36 months", "from 0 to 35"], id="tender-after-the-end"),
    ],
)
def test_tenders_that_cannot_happen_as_written_are_refused(baseline, changes, expected):
    with pytest.raises(ScenarioError) as info:
        baseline.with_changes({"run.steps": 36, **changes})
    for part in expected:
        assert part in str(info.value), f"{part!r} not in {info.value}"


def test_events_within_the_run_and_tenders_of_other_scopes_are_accepted(baseline):
    """The cross-field checks refuse only what they say: a tender per scope in one month, and
    pooled budgets that together stay within the bound, run."""
    ok = baseline.with_changes({"run.steps": 13, "population.size": 2000, "contracting.tenders": [
        TENDER, {**TENDER, "scope": "acute", "bidders": [{"name": "Newco", "capital": 0.1}]}],
        "contracting.pooled_budgets": [{"commissioner": "Northvale CCG", "council": "Northvale Council",
                                        "nhs_contribution": 0.25, "step": s} for s in (0, 6)]})
    m = LocalHealthEconomy(ok).run()
    assert [e["scope"] for e in m.events_of("tender_won")] == ["community", "acute"]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"population.size.x": 1}, ["population.size.x", "got 1", "population.size is a single value", "set population.size itself"]),
        ({"contracting.switches.0.step": 3}, ["contracting.switches.0.step", "is an empty list", "contracting.switches = [...]"]),
        ({"contracting.terms.cap": 0.05}, ["contracting.terms.cap", "allowed: none (the regimes in use, block, capitation, pbr,",
                                           "cap is a parameter of gain_loss_share"]),
        ({"tariff.emergency_spel": 1}, ["tariff.emergency_spel", "no field 'emergency_spel' in tariff", "known: elective_spell"]),
    ],
)
def test_bad_paths_say_what_the_path_can_be(baseline, changes, expected):
    """A path into a plain value, an empty list or a free table (`contracting.terms`) is explained,
    and the message always lists something allowed."""
    with pytest.raises(ScenarioError) as info:
        baseline.with_changes(changes)
    for part in expected:
        assert part in str(info.value), f"{part!r} not in {info.value}"


def test_changes_given_as_options_are_blamed_on_the_option(baseline):
    """An error in a changed field names the option that changed it; one elsewhere that the change
    brought about names the file and the options."""
    with pytest.raises(ScenarioError) as info:
        baseline.with_changes({"population.size": -10}, given_as={"population.size": "--set population.size=-10"})
    assert str(info.value).startswith("--set population.size=-10: population.size: got -10; ")
    dudley = load_scenario("dudley")
    with pytest.raises(ScenarioError) as info:
        dudley.with_changes({"run.steps": 12}, given_as={"run.steps": "--steps 12"})
    assert str(info.value).startswith(f"{dudley.origin} with --steps 12: contracting.")
    assert "ends after 12 months" in str(info.value)


def test_scenario_error_survives_pickling():
    """A ScenarioError raised in a worker process comes back whole (it used to break the pool)."""
    import pickle

    error = ScenarioError("bad.toml", "population.size", -10, "a whole number from 100 is allowed")
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is ScenarioError
    assert (back.file, back.field, back.value, back.allowed) == (error.file, error.field, error.value, error.allowed)
    assert str(back) == str(error)


def test_scenario_error_from_a_worker_process_reaches_the_caller(tmp_path):
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from lhe_runs import load_in_worker

    path = write(tmp_path, extending("[population]\nsize = -10\n"))
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        with pytest.raises(ScenarioError) as info:
            pool.submit(load_in_worker, str(path)).result(timeout=120)
    assert info.value.file == str(path) and info.value.field == "population.size"


def test_a_very_long_extends_chain_is_refused_clearly(tmp_path):
    """A chain of 1,000 files extending one another is refused at the limit, not by Python's recursion."""
    from model.scenario import MAX_EXTENDS

    write(tmp_path, 'extends = "baseline"\n', name="f0.toml")
    for i in range(1, 1000):
        write(tmp_path, f'extends = "f{i - 1}.toml"\n', name=f"f{i}.toml")
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "f999.toml")
    assert info.value.field == "extends"
    assert f"at most {MAX_EXTENDS} scenarios" in str(info.value)
    assert load_scenario(tmp_path / f"f{MAX_EXTENDS - 2}.toml").name == "baseline"  # the longest chain allowed


def test_errors_never_repeat_a_files_contents(tmp_path):
    """A file that is not a scenario (a process's environment, say) is refused by its name or
    where it is wrong, never by quoting it."""
    environ = tmp_path / "environ"
    environ.write_text("SECRET_TOKEN=abc123\0PATH=/usr/bin\0")
    with pytest.raises(ScenarioError) as info:
        load_scenario(environ)
    assert "ends in .toml" in str(info.value) and "abc123" not in str(info.value)
    disguised = write(tmp_path, "SECRET_TOKEN=abc123\0PATH=/usr/bin\0", name="environ.toml")
    with pytest.raises(ScenarioError) as info:
        load_scenario(disguised)
    assert "line 1" in str(info.value) and "abc123" not in str(info.value)
    table = write(tmp_path, extending('[secrets]\ntoken = "abc123"\n'), name="table.toml")
    with pytest.raises(ScenarioError) as info:
        load_scenario(table)
    assert "secrets" in str(info.value) and "a table of 1 field" in str(info.value) and "abc123" not in str(info.value)
