"""Bad input through the command line: exit code 2, one message, no traceback, nothing written.

Each case is a command line (with the files it needs) and the parts its message must contain:
the file or option at fault, the field, the value given and what is allowed. They run through
``model.cli.main``, the function behind the ``lhe`` command (argparse's own refusals end it
with ``SystemExit(2)``, as the command does); two also run the installed command itself.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from model.cli import main

RUN = ["run", "--quiet", "--no-charts"]
EXT = 'extends = "baseline"\n'
UNITINGCARE = 'extends = "unitingcare"\n'  # a tender at month 12


def case(argv: list[str], parts: list[str], files: dict[str, str | bytes] | None = None, *, id: str):
    return pytest.param(argv, parts, files or {}, id=id)


def bad_file(body: str, parts: list[str], *, id: str, steps: str = "2"):
    """A scenario file `bad.toml` run for a few months; its message must name the file too."""
    return case([*RUN, "{tmp}/bad.toml", "--steps", steps], ["{tmp}/bad.toml: ", *parts], {"bad.toml": body}, id=id)


def bad_set(assignment: str, parts: list[str], *, id: str, scenario: str = "teach-place"):
    """One --set on a ready-made scenario; its message must name the option as given."""
    return case([*RUN, scenario, "--steps", "2", "--set", assignment], [f"--set {assignment}: ", *parts], id=id)


CASES = [
    # --- scenario files ---------------------------------------------------------------------
    bad_file(EXT + "bogus_setting = 1\n", ["bogus_setting", "got 1", "no such field", "known: name, description, run"], id="unknown-field"),
    bad_file(EXT + "[tariff]\nemergency_spel = 1600.0\n", ["tariff.emergency_spel", "got 1600.0", "known: elective_spell"], id="misspelt-field"),
    bad_file(EXT + '[population]\nsize = "5000"\n', ["population.size", "got '5000'", "whole number from 100 to 20,000,000"], id="number-as-text"),
    bad_file(EXT + "[population]\nsize = 0\n", ["population.size", "got 0", "100 to 20,000,000"], id="zero-population"),
    bad_file(EXT + "[population]\nsize = true\n", ["population.size", "got true", "not true or false"], id="population-true"),
    bad_file(EXT + "[run]\nsteps = 0\n", ["run.steps", "got 0", "1 to 1,200"], id="zero-steps-in-file", steps="1"),
    bad_file(EXT + "[run]\nseed = -1\n", ["run.seed", "got -1", "0 to 9,223,372,036,854,775,807"], id="negative-seed-in-file"),
    bad_file(EXT + "[run]\nseed = true\n", ["run.seed", "got true", "not true or false"], id="seed-true-in-file"),
    bad_file(EXT + "[tariff]\nemergency_spell = inf\n", ["tariff.emergency_spell", "got inf", "finite", "0 to 100,000"], id="inf-tariff"),
    bad_file(EXT + "[tariff]\nemergency_spell = nan\n", ["tariff.emergency_spell", "got nan", "0 to 100,000"], id="nan-tariff"),
    bad_file(EXT + "[tariff]\nelective_spell = 1e308\n", ["tariff.elective_spell", "got 1e+308", "0 to 100,000"], id="huge-tariff"),
    bad_file(EXT + "[money]\nprevention_share_of_council = 1.0\n", ["money.prevention_share_of_council", "got 1.0", "0 to 0.9"],
             id="all-council-money-on-prevention"),
    bad_file(EXT + "[programmes]\nrecruit_months = 0\n", ["programmes.recruit_months", "got 0", "1 to 120"], id="zero-recruiting-time"),
    bad_file(EXT + "[demand]\nemergency_los_days = 0\n", ["demand.emergency_los_days", "got 0", "0.5 to 60"], id="zero-stay"),
    bad_file(EXT + "[demand]\nemergency_admissions_per_1000 = 0\n", ["emergency_admissions_per_1000", "got 0", "1 to 1,000"],
             id="zero-admissions"),
    bad_file(EXT + "[demand]\nlisted_share = 1.5\n", ["demand.listed_share", "got 1.5", "0.01 to 1"], id="share-above-one"),
    bad_file(EXT + "[demand]\nltc_rate_ratios = [1.0, 2.0]\n", ["demand.ltc_rate_ratios", "got [1.0, 2.0]", "4 entries"],
             id="ltc-ratios-too-short"),
    bad_file(EXT + "[population]\nage_band_edges = [0, 15, 30, 45, 65, 75, 85, 80]\n",
             ["population.age_band_edges", "85, 80", "rise strictly"], id="age-bands-not-ascending"),
    bad_file(EXT + "[population]\nsize = { value = 5000 }\n", ["population.size", "got 5000", "non-empty 'source'"], id="figure-without-source"),
    bad_file(EXT + "[[councils]]\nname = \"A\"\nstrategy = \"fortress\"\nshare = 0.5\n[[councils]]\nname = \"B\"\nstrategy = \"fortress\"\nshare = 0.4\n",
             ["councils.*.share", "0.4", "must sum to 1"], id="council-shares"),
    bad_file(EXT + "[[commissioners]]\nname = \"A CCG\"\nstrategy = \"selfish\"\n",
             ["commissioners.0.strategy", "got 'selfish'", "'fortress' or 'collaborative'"], id="unknown-strategy"),
    bad_file(EXT + '[contracting]\nacute = "salary"\n', ["contracting.acute", "got 'salary'", "known: alliance, block"], id="unknown-regime"),
    bad_file(EXT + '[contracting]\nacute = "capitation"\n', ["contracting.acute", "got 'capitation'", "these can: alliance"],
             id="regime-for-wrong-scope"),
    bad_file(EXT + '[contracting]\nacute = "gain_loss_share"\n[contracting.terms]\ncap = 2.0\n',
             ["contracting.terms.cap", "got 2.0", "between 0 and 0.5"], id="term-out-of-range"),
    bad_file(EXT + "[contracting.terms]\nwithold = 0.1\n", ["contracting.terms.withold", "got 0.1", "allowed: none", "no parameters"],
             id="term-of-no-regime"),
    bad_file(EXT + '[[gp_federations]]\nname = "Solo"\nstrategy = "fortress"\ncommissioner = "Nowhere CCG"\nshare = 1.0\n',
             ["gp_federations.0.commissioner", "got 'Nowhere CCG'", "known: Eastmoor CCG, Northvale CCG"], id="unknown-commissioner"),
    bad_file(EXT + '[[hospitals]]\nname = "Northvale CCG"\nstrategy = "fortress"\nshare = 1.0\n',
             ["hospitals.*.name", "Northvale CCG", "must be unique"], id="duplicate-organisation-names"),
    bad_file(EXT + 'name = "North\\nvale"\n', ["name", "got 'North\\nvale'", "U+000A", "printable text"], id="newline-in-name"),
    bad_file(EXT + 'name = "a\\u0000b"\n', ["name", "U+0000", "printable text"], id="nul-in-name"),
    bad_file(EXT + 'name = ""\n', ["name", "got ''", "at least 1 character"], id="empty-name"),
    bad_file(EXT + "[strategies.council.fortress]\naccepts_pooling = 1\n",
             ["strategies.council.fortress.accepts_pooling", "got 1", "true or false"], id="switch-as-number"),
    bad_file(EXT + "[strategies.commissioner.fortress]\ncontract_years = 0\n",
             ["strategies.commissioner.fortress.contract_years", "got 0", "1 to 15"], id="zero-contract-years"),
    bad_file(EXT + "population = 5\n", ["population", "got 5", "a table of fields"], id="section-as-number"),
    bad_file(EXT + "[run]\nsteps = 5000\n", ["run.steps", "got 5000", "1 to 1,200"], id="too-many-steps-in-file", steps="1"),
    bad_file(EXT + '[[contracting.switches]]\nstep = 200\nscope = "acute"\nregime = "block"\n',
             ["contracting.switches.0.step", "got 200", "ends after 120 months", "from 1 to 119"], id="switch-after-the-end", steps="120"),
    bad_file(UNITINGCARE + "[run]\nsteps = 12\n", ["contracting.tenders.0.step", "got 12", "from 0 to 11"], id="tender-after-the-end",
             steps="12"),
    bad_file(EXT + '[[contracting.tenders]]\nstep = 1\ncommissioner = "Northvale CCG"\nscope = "acute"\n'
             '[[contracting.tenders.bidders]]\nname = "Newco"\ncapital = 0.1\n[[contracting.tenders.bidders]]\nname = "Newco"\ncapital = 0.2\n',
             ["contracting.tenders.0.bidders.1.name", "got 'Newco'", "a name of its own"], id="two-bidders-one-name"),
    bad_file(EXT + "[[contracting.pooled_budgets]]\ncommissioner = \"Northvale CCG\"\ncouncil = \"Northvale Council\"\nnhs_contribution = 0.5\n"
             "[[contracting.pooled_budgets]]\ncommissioner = \"Northvale CCG\"\ncouncil = \"Northvale Council\"\nnhs_contribution = 0.5\n",
             ["contracting.pooled_budgets.1.nhs_contribution", "got 0.5", "together at most 0.5"], id="pooled-beyond-allocation"),
    bad_file('extends = "atlantis"\n', ["extends", "got 'atlantis'", "a known scenario", "baseline"], id="extends-unknown"),
    bad_file("extends = 3\n", ["extends", "got 3", "the name of another scenario"], id="extends-not-a-name"),
    bad_file('extends = "bad.toml"\n', ["extends", "got 'bad'", "circle"], id="extends-itself"),
    bad_file('name = "x"\n[population\nsize = 3\n', ["(TOML syntax)", "got 'line 2, column 12'", "not valid TOML"], id="toml-syntax"),
    bad_file("", ["(file)", "got ''", "empty"], id="empty-file"),
    bad_file(EXT + "foo = " + "[" * 100_000 + "]" * 100_000 + "\n", ["(TOML syntax)", "nested too deep", "a few levels deep at most"],
             id="nested-100000-deep"),
    case([*RUN, "{tmp}/binary.toml"], ["{tmp}/binary.toml: (file)", "got 'byte 8'", "UTF-8"], {"binary.toml": b'name = "\xff\xfe"\n'},
         id="binary-file"),
    case([*RUN, "{tmp}/missing.toml"], ["{tmp}/missing.toml: (file)", "got '{tmp}/missing.toml'", "no such scenario file"], id="missing-file"),
    case([*RUN, "{tmp}/notes.txt"], ["{tmp}/notes.txt: (file)", "got '{tmp}/notes.txt'", "ends in .toml"], {"notes.txt": "x"},
         id="not-a-toml-file"),
    case([*RUN, "atlantis"], ["atlantis: (name)", "got 'atlantis'", "known: all-collaborative"], id="unknown-scenario-name"),
    case([*RUN, "x" * 5000], ["x" * 77 + "...: (name)", "known: all-collaborative"], id="name-too-long-for-a-file"),
    case([*RUN, "teach-place", "--set", "run=5", "--steps", "2"], ["--steps 2: run.steps", "--set run=5 sets run, which overlaps"],
         id="set-a-table-and-a-field-in-it"),
    case([*RUN, "{tmp}/b.toml"], ["{tmp}/b.toml: extends", "got 'f19.toml'", "at most 16 scenarios"],
         {**{f"f{i}.toml": f'extends = "f{i - 1}.toml"\n' for i in range(1, 20)}, "f0.toml": EXT, "b.toml": 'extends = "f19.toml"\n'},
         id="extends-chain-too-long"),
    # --- --set --------------------------------------------------------------------------------
    bad_set("population.size=-10", ["population.size", "got -10", "100 to 20,000,000"], id="set-negative-size"),
    bad_set("run.seed=true", ["run.seed", "got true", "not true or false"], id="set-seed-true"),
    bad_set("tariff.elective_spell=inf", ["tariff.elective_spell", "got inf", "0 to 100,000"], id="set-inf"),
    bad_set("money.prevention_share_of_council=1.0", ["prevention_share_of_council", "got 1.0", "0 to 0.9"], id="set-prevention-1"),
    bad_set("population.size.x=1", ["population.size.x", "got 1", "single value", "set population.size itself"], id="set-into-a-value"),
    bad_set("contracting.terms.cap=0.05", ["contracting.terms.cap", "got 0.05", "allowed: none", "gain_loss_share"],
            id="set-term-not-in-use", scenario="teach-pbr"),
    bad_set('name="a\\u0000b"', ["name", "U+0000", "printable"], id="set-nul-name"),
    bad_set("population.sise=5000", ["population.sise", "got 5000", "known: size"], id="set-misspelt"),
    bad_set("hospitals.9.strategy=fortress", ["hospitals.9.strategy", "got 'fortress'", "hospitals has item 0"], id="set-no-such-item"),
    bad_set("contracting.switches.0.step=3", ["contracting.switches.0.step", "got 3", "empty list", "contracting.switches = [...]"],
            id="set-into-empty-list"),
    bad_set("demand.ltc_rate_ratios=[1, 2]", ["demand.ltc_rate_ratios", "got [1.0, 2.0]", "4 entries"], id="set-short-list"),
    bad_set("hospitals.0.strategy=selfish", ["hospitals.0.strategy", "got 'selfish'", "'fortress' or 'collaborative'"], id="set-bad-word"),
    bad_set("population..size=5", ["population..size", "dotted path"], id="set-empty-path-part"),
    case([*RUN, "teach-place", "--set", "population.size=" + "[" * 5000 + "]" * 5000],
         ["--set population.size=[[[", "...: population.size", "nested too deep"], id="set-nested-5000-deep"),
    case([*RUN, "teach-place", "--set", "population.size"], ["--set: (PATH=VALUE)", "got 'population.size'", "PATH=VALUE"], id="set-no-equals"),
    case([*RUN, "teach-place", "--set", "=5"], ["--set: (PATH=VALUE)", "got '=5'", "PATH=VALUE"], id="set-no-path"),
    case([*RUN, "teach-place", "--set", "run.steps=3", "--set", "run.steps=4"],
         ["--set run.steps=4: run.steps", "got 4", "set already by --set run.steps=3", "give each parameter once"], id="set-twice"),
    case([*RUN, "teach-place", "--set", "run.steps=3", "--steps", "2"],
         ["--steps 2: run.steps", "got 2", "set already by --set run.steps=3"], id="set-and-steps"),
    # --- command-line values ------------------------------------------------------------------
    case([*RUN, "teach-place", "--steps", "0"], ["argument --steps", "got 0", "at least 1 is allowed"], id="zero-steps"),
    case([*RUN, "teach-place", "--steps", "abc"], ["argument --steps", "got 'abc'", "whole number"], id="steps-not-a-number"),
    case([*RUN, "teach-place", "--steps", "5000"], ["--steps 5000: run.steps", "got 5000", "1 to 1,200"], id="too-many-steps"),
    case([*RUN, "teach-place", "--seed", "-1"], ["argument --seed", "got -1", "0 or more"], id="negative-seed"),
    case([*RUN, "teach-place", "--seeds", "0"], ["argument --seeds", "got 0", "at least 1"], id="zero-seeds"),
    case([*RUN, "teach-place", "--seeds", "2", "--processes", "-1"], ["argument --processes", "got -1", "0 or more"], id="negative-processes"),
    case([*RUN, "teach-place", "--out", ""], ["argument --out", "got ''", "a folder path is allowed"], id="empty-out"),
    case([*RUN, "teach-place", "--out", "{tmp}/afile"], ["--out: got '{tmp}/afile'", "that is a file", "a folder"], {"afile": "x"},
         id="out-is-a-file"),
    case([*RUN, "teach-place", "--out", "{tmp}/afile/run"], ["--out: got '{tmp}/afile/run'", "cannot write there", "writable folder"],
         {"afile": "x"}, id="out-under-a-file"),
    case([*RUN, "teach-place", "--step", "12"], ["unrecognized arguments: --step 12", "options are:", "--steps"], id="abbreviated-option"),
    case([*RUN, "dudley", "--steps", "12"], ["dudley.toml with --steps 12: contracting.", "got ", "ends after 12 months"],
         id="steps-before-the-events"),
    case(["show", "{tmp}/environ"], ["{tmp}/environ: (file)", "ends in .toml"], {"environ": "SECRET=1\0"}, id="show-a-system-file"),
    case(["show", "atlantis"], ["atlantis: (name)", "no scenario of that name", "known: "], id="show-unknown"),
    case(["compare", "teach-place", "--regimes", " , ", "--quiet"], ["argument --regimes", "got ' , '", "arrangement names"],
         id="compare-no-regimes"),
    case(["compare", "teach-place", "--rank-by", "happiness", "--quiet"], ["argument --rank-by", "got 'happiness'", "one of place_balance"],
         id="compare-unknown-outcome"),
]


def run_cli(argv: list[str], capsys) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as e:  # argparse's refusals, as the `lhe` command ends
        code = e.code
    return code, capsys.readouterr().err


@pytest.mark.parametrize(("argv", "parts", "files"), CASES)
def test_bad_input_exits_2_naming_where_what_and_what_is_allowed(argv, parts, files, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for name, text in files.items():
        (tmp_path / name).write_bytes(text if isinstance(text, bytes) else text.encode())
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code, err = run_cli(argv, capsys)
    assert code == 2, err
    assert "Traceback" not in err
    for part in parts:
        assert part.replace("{tmp}", str(tmp_path)) in err, f"{part!r} not in {err!r}"
    assert not (tmp_path / "results").exists()  # refused before any work: nothing written


def test_the_table_is_large():
    assert len(CASES) >= 60


def _lhe() -> list[str]:
    script = Path(sys.executable).parent / "lhe"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "model.cli"]


@pytest.mark.parametrize(("args", "part"), [
    (["run", "teach-place", "--steps", "2", "--set", "run.seed=true"], "--set run.seed=true: run.seed: got true"),
    (["run", "teach-place", "--out", ""], "argument --out: got ''"),
])
def test_the_installed_command_exits_2_without_a_traceback(args, part, tmp_path):
    done = subprocess.run([*_lhe(), *args], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert part in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "results").exists()
