"""Run each case of the scenario library once and document it.

For every scenario that is not a teaching one (``teach-*``), run it for its own
length with its own seed, save a 2x2 chart (reserves by kind of organisation,
emergency admissions, delayed transfers of care, the elective waiting list) to
``docs/img/scenarios/<name>.png``, and write ``docs/scenarios.md``: a table of
the cases and, for each, what it shows (taken from the "What the case shows"
paragraph of the file's opening comment), what the run gave, and its chart.

    .venv/bin/python tools/scenario_charts.py              # every case
    .venv/bin/python tools/scenario_charts.py salford      # some cases (the doc lists only these)
    make scenario-charts
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from model.cli import opening_comment  # noqa: E402
from model.experiments.runner import RunSpec, run_many  # noqa: E402
from model.report import KIND_COLOURS, KIND_LABELS, _line  # noqa: E402
from model.scenario import list_scenarios, load_scenario  # noqa: E402

IMG = ROOT / "docs" / "img" / "scenarios"
DOC = ROOT / "docs" / "scenarios.md"
DPI = 80

# The seed and section each case comes from (the table's last column).
SEED_SECTIONS = {
    "baseline": "001 'Incentives to support new models of care'; 004 Table 1 (size)",
    "unitingcare": "004 'Termination of the UnitingCare Partnership contract'",
    "all-fortress": "002 '1 From fortresses to systems'",
    "all-collaborative": "002 '3 Options for collaboration'; 001 'Incentives to support new models of care'",
    "salford": "004 Table 1; appendix 'Developing an integrated care organisation in Salford'",
    "northumberland": "004 Table 1; 'Strategic commissioning in Northumberland'; appendix 'Northumberland's accountable care organisation'",
    "south-somerset": "004 Table 1; appendix 'South Somerset's Symphony Project'",
    "dudley": "004 Table 1; 'Plans to commission Dudley's MCP'; appendix 'Dudley CCG's MCP project'",
    "sandwell-west-birmingham": "004 Table 1; 'New financial incentives'; appendix 'The Modality Partnership in Sandwell and West Birmingham'",
    "wakefield": "004 Table 1; 'Changing treatments, roles and locations in West Wakefield's MCP vanguard'",
    "torbay": "003 'Integrated care in the NHS', box 'Care for older people in Torbay'",
}
# A one-line summary for a case whose file inherits its parent's description.
SUMMARIES = {
    "unitingcare": "UnitingCare: community services tendered to a prime contractor that underbids, "
                   "is refused more money and hands the contract back",
}
# What every case shares: rules of the model that shape every chart, whatever the arrangements.
SHARED = [
    "**What every chart shares.** Three rules of the model shape every case below, whatever its"
    " arrangements; read each chart with them in mind.",
    "- *Every hospital ends in deficit.* Hospitals start with costs 5% above their income"
    " (`money.starting_cost_overrun`: the providers' deficit of 2015, seed 002). Each year the tariff"
    " moves by (1 + `cost_growth`)(1 − `efficiency_requirement`) = 0.984 while their unit costs move by"
    " (1 + `cost_growth`)(1 − `productivity_growth`) = 0.994, so costs gain about 1% a year on prices"
    " (11% after ten years). Beds and overheads are fixed costs sized at the start; nothing in the model"
    " cuts them in a deficit, a hospital's reserves may fall without limit and no hospital fails. So a"
    " hospital's result goes from about −6% of its income in its first year to about −15% in its tenth"
    " (the baseline at 50,000 people), whatever its strategy or contract. A spread of starting positions,"
    " a response to a deficit and a failure regime for hospitals are not modelled yet.",
    "- *Bed occupancy stays above 100%.* A hospital opens beds only when its reserves and its last"
    " year's result are both not negative (at most `capacity.bed_growth_limit` a year), and by the rule"
    " above no hospital's ever are: beds stay where they started, or fall where a collaborative hospital"
    " releases half its surplus beds in a quiet year and cannot open them again. Emergencies are never"
    " turned away, so bed days beyond the beds are found in escalation beds at 1.5 times the cost.",
    "- *Delayed transfers rise.* Council grants fall 2% a year in real terms (`money.council_grant_growth`)"
    " while a package costs the same, so councils fund fewer packages each year. A package is kept until"
    " its holder dies (about one holder in eight a year), so when a council cuts its packages below those"
    " in use no package is free for most of the year, and everyone eligible who is admitted waits in a bed"
    " for one (half of them leave each month without it).",
]

# Why a case looks as it does, where its chart would surprise: the mechanism, written beside the chart.
WHY = {
    "all-collaborative":
        "**Why it ends below all-fortress.** The collaborative bundle pays for its programmes in full and"
        " is repaid only in costs that vary with activity. Measured at 50,000 people (seed 1) over the ten"
        " years, against all-fortress the collaborative place spends £11.2m more on prevention"
        " (`prevention_ratio` 1.3 against the fortress's 0.7), £7.4m more on community services (3% more a"
        " year, compounding), £7.4m more on care packages (its councils fund the need they see and the"
        " pooled share they receive, where fortress councils bank £4.4m) and £4.9m on early supported"
        " discharge. It saves £12.8m of hospitals' clinical supplies (the 40% of the tariff that varies with"
        " activity), £3.9m of escalation beds and £1.1m of beds, and its commissioners, with less headroom,"
        " spend £6.9m less on services outside the model: £6.3m worse in all, about £38m at 300,000 people."
        " Fewer admissions free beds, staff and overheads only slowly (a collaborative hospital releases half"
        " its surplus beds a year) or not at all, and what the place buys, fewer admissions and less unmet"
        " need, has no money value in its balance. It is not the accounting convention for commissioners'"
        " headroom: with the headroom banked (`money.commissioner_headroom_spent` = 0) the gap widens (at"
        " 50,000 people, +£7.8m against −£5.4m). The waiting list all but empties because elective capacity was"
        " sized for GPs shedding 7.5% of their work by referring (`demand.referral_shedding_at_start`) and"
        " collaborative GPs shed none, while specialist outreach cuts referrals by up to 15%.",
    "salford":
        "**What the pot holds.** The council's care money and the collaborative CCG's Better Care Fund-sized"
        " share; the NHS's part of Salford's real pot pays for its own services, which the model pays through"
        " the CCG's contracts (see the file's comment). The council rations the pot's care down to the need"
        " threshold and its result is shared with the CCG. Its money still falls 2% a year in real terms, so"
        " delayed transfers rise as elsewhere; the waiting list all but empties, as in all-collaborative.",
    "dudley":
        "**Why the waiting list empties.** The Dudley Group is a fortress paid by activity (Payment by"
        " Results, also under the MCP, which re-lets its contract as it was), so it grows its elective"
        " capacity 4% a year, compounding, whatever its list (`strategies.hospital.fortress.elective_growth`):"
        " 48% more after ten years, against listings that grow about 20%. It also starts with capacity to"
        " spare: elective capacity was sized for GPs shedding 7.5% of their work by referring"
        " (`demand.referral_shedding_at_start`), and Dudley's one federation is collaborative and sheds none."
        " At 50,000 people (seed 1) the list falls by about 300 every six months and is empty in year 4;"
        " from then on everyone listed in a month is treated in the same month, so the list at each month's"
        " end is exactly 0. With `elective_growth` 0 the list bottoms out at about 1,600 in year 5 and ends"
        " at 6,000. The MCP pays for the growth: its GP federation ends in deficit.",
    "torbay":
        "**Why delayed transfers rise, and end higher with the pooled budget.** Torbay Council's money (its"
        " grant, down 2% a year in real terms, and the pot, 10% of the care trust's allocation, up 1%) buys"
        " fewer packages each year. The collaborative council funds all the need it sees while its reserves"
        " last, so its packages peak in year 3 and are then cut every year (at 66,500 people, seed 2: from"
        " 1,371 to 1,123). A package is kept until death, so after each cut no package is free for most of"
        " the year; and as the threshold tightens to ration fewer packages, about as many eligible residents"
        " are left without one as there are holders now below it. They wait at home with unmet need"
        " (admitted 30% more often) and, when admitted, in a bed: eligible admissions without a package rise"
        " from about 36 a year to about 200 (at that size). Without the pot the council peaks lower (1,000 packages) and"
        " cuts less: the pot buys fewer delays in the first four years at the price of a deeper cut, and more"
        " delays, later. Torbay cut its delays with intermediate care, short-term care that frees beds and is"
        " freed in turn; the model's packages are long-term only, and its money is England's after 2015, not"
        " Torbay's in the 2000s. The pot is NHS money the care trust's allocation was not sized for, so the"
        " commissioner ends about £40m down with it, against about £8m up without.",
}

# The order of the doc: the two poles, the vanguards of seed 004 Table 1, then the rest.
ORDER = ["all-fortress", "all-collaborative", "salford", "northumberland", "south-somerset", "dudley",
         "sandwell-west-birmingham", "wakefield", "torbay", "unitingcare", "baseline"]


def summary(name: str, scenario) -> str:
    return SUMMARIES.get(name, scenario.description)


def cases() -> list[str]:
    names = [n for n in list_scenarios() if not n.startswith("teach-")]
    return sorted(names, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))


def milestones(scenario) -> list[tuple[int, str]]:
    """The months at which the case's contracting changes: switches, budgets, tenders."""
    c = scenario.contracting
    out = [(sw.step, f"{sw.scope} to {sw.regime}") for sw in c.switches]
    out += [(cb.step, f"budget to {cb.lead}") for cb in c.capitated_budgets]
    out += [(pb.step, "pooled budget") for pb in c.pooled_budgets]
    out += [(t.step, f"{t.scope} tendered") for t in c.tenders]
    return sorted((step, label) for step, label in out if step > 0)


def chart(place: pd.DataFrame, path: Path, title: str, subtitle: str = "",
          marks: list[tuple[int, str]] | None = None) -> None:
    """Reserves by kind, emergency admissions, delayed transfers, waiting list: 2x2.
    Dotted lines mark the months the contracting changes."""
    fig, axes = plt.subplots(2, 2, figsize=(9, 6.4), sharex=True)
    ax = axes[0, 0]
    for kind, colour in KIND_COLOURS.items():
        col = f"balance_{kind}"
        if col in place and (place[col] != 0).any():
            _line(ax, place, col, KIND_LABELS[kind], colour, 1e-6)
    _line(ax, place, "place_balance", "the place", "black", 1e-6, lw=2)
    ax.axhline(0, color="black", lw=0.6)
    ax.set_title("reserves by kind, £m", fontsize=10)
    ax.legend(fontsize=7)
    panels = [(axes[0, 1], "emergency_admissions_per_1000", "emergency admissions per 1,000 a year", 1.0),
              (axes[1, 0], "delayed_transfer_days", "delayed transfer days a month", 1.0),
              (axes[1, 1], "waiting_list", "elective waiting list, thousands", 1e-3)]
    for ax, col, label, scale in panels:
        _line(ax, place, col, None, "#1f77b4", scale)
        ax.set_title(label, fontsize=10)
        ax.set_ylim(bottom=0)
    for ax in axes[1]:
        ax.set_xlabel("year")
    at: dict[int, list[str]] = {}
    for step, label in marks or []:
        at.setdefault(step, []).append(label)
    below = 0  # labels stacked down the panel, so marks close in time do not overprint
    for step, labels in sorted(at.items()):
        for ax in axes.flat:
            ax.axvline(step / 12, color="grey", ls=":", lw=1)
        axes[0, 0].annotate("\n".join(labels), (step / 12, 1), xycoords=("data", "axes fraction"),
                            xytext=(2, -4 - 9 * below), textcoords="offset points", fontsize=7, color="dimgrey", va="top")
        below += len(labels)
    fig.suptitle(title, fontsize=12, y=0.985)
    if subtitle:
        fig.text(0.5, 0.925, subtitle, ha="center", fontsize=8.5, wrap=True)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.09, top=0.86, wspace=0.22, hspace=0.3)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI)
    plt.close(fig)


def paragraphs(path: Path) -> list[str]:
    """The paragraphs of a file's opening comment, line breaks kept."""
    return [p.strip("\n") for p in opening_comment(path).split("\n\n") if p.strip()]


def what_it_shows(path: Path) -> str:
    """The "What the case shows" paragraph of a file's opening comment (else its first paragraph)."""
    found = paragraphs(path)
    for p in found:
        if p.startswith("What the case shows"):
            text = " ".join(p.removeprefix("What the case shows").lstrip(": ").split())
            return f"**What the case shows:** {text}"
    return " ".join(found[0].split()) if found else ""


def the_rest(path: Path) -> str:
    """The comment's other paragraphs (choices, limits), after the first and "What the case shows"."""
    rest = [p for p in paragraphs(path)[1:] if not p.startswith("What the case shows")]
    return "\n\n".join(rest)


def pounds(x: float) -> str:
    return f"{'-' if x < 0 else ''}£{abs(x) / 1e6:,.1f}m"


KIND_WORDS = {"commissioner": "commissioners", "council": "councils", "hospital": "hospitals",
              "gp_federation": "GP federations", "prime_contractor": "prime contractors"}


def results(place: pd.DataFrame, orgs: pd.DataFrame) -> str:
    """A sentence or two on the run: first year against last, and who ends in deficit."""
    first, last = place[place["month"] <= 12], place[place["month"] > place["month"].max() - 12]
    years = place["month"].max() / 12
    end = orgs[orgs["month"] == orgs["month"].max()]
    kinds = []
    for kind in KIND_COLOURS:
        col = f"balance_{kind}"
        if col in place and (place[col] != 0).any():
            kinds.append(f"{KIND_WORDS.get(kind, kind)} {pounds(place[col].iloc[-1])}")
    worst = end.sort_values("reserves").iloc[0]
    return (
        f"**The run** (seed {int(place.attrs.get('seed', 0))}, {years:g} years): emergency admissions went from "
        f"{first['emergency_admissions_per_1000'].mean():.1f} to {last['emergency_admissions_per_1000'].mean():.1f} "
        f"per 1,000 a year (the first year's mean against the last's), delayed transfer days from "
        f"{first['delayed_transfer_days'].mean():,.0f} to {last['delayed_transfer_days'].mean():,.0f} a month, "
        f"and the waiting list from {first['waiting_list'].iloc[-1]:,.0f} to {last['waiting_list'].iloc[-1]:,.0f}. "
        f"At the end the place's balance is {pounds(place['place_balance'].iloc[-1])} "
        f"({', '.join(kinds)}); the lowest reserves are {worst['name']}'s, {pounds(worst['reserves'])}."
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("names", nargs="*", help="cases to run (default: every scenario but teach-*)")
    p.add_argument("--processes", type=int, default=None, help="worker processes (default: all cores)")
    args = p.parse_args(argv)
    names = args.names or cases()
    scenarios = {n: load_scenario(n) for n in names}
    specs = [RunSpec(scenario=n, seed=scenarios[n].run.seed) for n in names]
    t0 = time.perf_counter()
    runs = {}
    for r in run_many(specs, processes=args.processes):
        if not r.ok:
            print(f"{r.spec.scenario} failed:\n{r.error}", file=sys.stderr)
            return 1
        r.place.attrs["seed"] = r.spec.seed
        runs[r.spec.scenario] = r
        print(f"  {r.spec.scenario}: {r.place['month'].max()} months in {r.seconds:.1f} s", file=sys.stderr)
    for n in names:
        s = scenarios[n]
        place = runs[n].place
        ended = place.loc[place["contracts_ended"].diff().fillna(place["contracts_ended"]) > 0, "month"]
        marks = milestones(s) + [(int(m), "contract handed back") for m in ended]
        chart(place, IMG / f"{n}.png", n, summary(n, s), marks)
    DOC.write_text(document(names, scenarios, runs))
    print(f"wrote {len(names)} charts to {IMG.relative_to(ROOT)}/ and {DOC.relative_to(ROOT)} "
          f"in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return 0


def document(names: list[str], scenarios: dict, runs: dict) -> str:
    lines = [
        "# The scenario library",
        "",
        "<!-- Written by tools/scenario_charts.py (make scenario-charts): edit the scenario files and the tool, not this page. -->",
        "",
        "Ready-made places in `scenarios/`, each a case from the papers in `../shared/seeds/`"
        " (seed 001: Ham and Murray 2015; 002: Ham and Alderwick 2015; 003: The King's Fund 2011;"
        " 004: Collins 2016). Every figure in a file carries its source, a seed section, a named public"
        " statistic or an assumption with its reason; each file opens with a comment saying what the place"
        " is, what the case shows, and the choices made where the papers leave things open. Read one with"
        " `lhe show NAME` (its comment, then every parameter with its source); run one with `lhe run NAME`.",
        "",
        "The charts below are one run of each case, for its own length with its own seed"
        " (regenerate with `make scenario-charts`). One seed is one possible history: for conclusions run"
        " several (`lhe run NAME --seeds 20`) or compare arrangements (`lhe compare NAME`).",
        "",
        "| case | population | what it shows | seed and section |",
        "|---|---:|---|---|",
    ]
    for n in names:
        s = scenarios[n]
        lines.append(f"| [{n}](#{n}) | {s.population.size:,} | {summary(n, s)} | {SEED_SECTIONS.get(n, '')} |")
    lines += [
        "",
        "The teaching scenarios (`teach-pbr`, `teach-block`, `teach-block-corridor`, `teach-gain-loss`,"
        " `teach-withhold`, `teach-alliance`, `teach-pacs`, `teach-mcp`, `teach-pooled`) run one payment"
        " regime each on the same small place, `teach-place` (Middleton: 50,000 people, one CCG, one council,"
        " one fortress hospital, a fortress and a collaborative GP federation, 60 months), so a class can run"
        " them side by side. `lhe show teach-pacs` says what to look for in each.",
        "",
        "Each chart: reserves summed by kind of organisation and for the whole place (top left), emergency"
        " admissions per 1,000 a year, delayed transfer days a month, and the elective waiting list.",
        "",
        *[line for p in SHARED for line in (p, "")][:-1],
    ]
    for n in names:
        s = scenarios[n]
        r = runs[n]
        lines += [
            "",
            f"## {n}",
            "",
            f"*{summary(n, s)}.* {s.population.size:,} people, {s.run.steps} months from April {s.run.start_year}"
            f" (`scenarios/{n}.toml`; `lhe show {n}`).",
            "",
            what_it_shows(Path(s.origin)),
            "",
            results(r.place, r.organisations),
            "",
            f"![{n}](img/scenarios/{n}.png)",
        ]
        if n in WHY:
            lines += ["", WHY[n]]
        rest = the_rest(Path(s.origin))
        if rest:
            lines += ["", "<details><summary>Choices and limits (from the file's opening comment)</summary>", "",
                      rest, "", "</details>"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
