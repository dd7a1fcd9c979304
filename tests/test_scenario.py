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
        ["population.size", "got 'lots'", "valid integer"],
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
    offending line and the parser's complaint, not as a Python traceback."""
    path = write(tmp_path, 'name = "x"\n[population\nsize = 3\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert "TOML" in message
    assert "[population" in message


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
