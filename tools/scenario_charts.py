"""Run each case of the scenario library once and document it.

For every scenario that is not a teaching one (``teach-*``), run it for its own
length with its own seed, save a 3x2 chart (reserves by kind of organisation,
emergency admissions, delayed transfers of care, the elective waiting list, the
hospitals' beds occupied and open, unmet social care need) to
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
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from model.cli import opening_comment  # noqa: E402
from model.experiments.runner import RunSpec, run_many  # noqa: E402
from model.metrics import support_drawn  # noqa: E402
from model.population import MONTH_DAYS  # noqa: E402
from model.report import KIND_COLOURS, KIND_LABELS, _line, _without_support  # noqa: E402
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
    "torbay-2000s": "003 box 'Care for older people in Torbay'; 'What are the main challenges for the future?' (the money; the stays, HES)",
}
# The rules that make every hospital's deficit, taken away one after another on the baseline (and the starting
# overrun alone), measured on DEFICIT_SEEDS for "Why every hospital ends in deficit"; tests/test_hospital_deficits.py
# checks the same steps on a small place.
NO_SQUEEZE = {"money.productivity_growth": 0.04}  # the baseline's efficiency_requirement: costs move with prices
NO_OVERRUN = {"money.starting_cost_overrun": 0.0, "money.starting_cost_overrun_spread": 0.0}
FULL_RATE = {"tariff.emergency_marginal_rate": 1.0}
DEFICIT_STEPS = {"as they are": {}, "no squeeze": NO_SQUEEZE, "nor overrun": {**NO_SQUEEZE, **NO_OVERRUN},
                 "nor marginal rate": {**NO_SQUEEZE, **NO_OVERRUN, **FULL_RATE}, "overrun alone": NO_OVERRUN}
DEFICIT_SEEDS = (1, 2, 3)

# A one-line summary for a case whose file inherits its parent's description.
SUMMARIES = {
    "unitingcare": "UnitingCare: community services tendered to a prime contractor that underbids, "
                   "is refused more money and hands the contract back",
}
# Why a case looks as it does, where its chart would surprise: the mechanism, written beside the chart.
# Only what the case's set-up says; every figure about a run is measured below (see shared() and results()).
WHY = {
    "all-fortress":
        "**Why the waiting list runs down to a month's listing.** Paid the tariff for each elective, a fortress"
        " hospital grows its elective capacity at the top of its lever (`elective_growth`, 8% a year) while"
        " what there is to do (its list and a year's listing) is more than it can do; what is listed hardly"
        " grows, so its electives come to outrun its listing and the list runs down until only those listed"
        " too recently to be treated are left (`demand.elective_lead_months`, a month for assessment and"
        " booking). Then capacity beyond what there is to do earns nothing and costs its staff, and it cuts"
        " (docs/ODD.md, 7.21). England's lists did not fall so far: the scenarios leave out a shortage of staff"
        " to bound a hospital's capacity (an option, `capacity.elective_staff_growth` and"
        " `capacity.elective_premium_ratio`; docs/calibration.md measures what it does to the list).",
    "all-collaborative":
        "**Why the waiting list grows mid-run.** The hospitals start in deficit and a bed costs its"
        " staff whether used or not: each closes beds as fast as its lever allows (`bed_change`, 6% a year) for"
        " the first years, until its months are about full (see above). The councils, their grants falling 2% a year in real terms, spend down the"
        " reserves they built; the regulator, which judges a council's yearly deficit as it judges a"
        " provider's (docs/ODD.md 7.26), puts them in special measures in the second and third years, and"
        " once their reserves are gone their own pounds count in full (7.30): they tighten eligibility and"
        " cut prevention. Delayed transfers rise into the beds left, inpatient electives get only what"
        " emergency stays and delayed transfers leave free, and the list grows (by a fifth from its low, seed 1)"
        " until the hospitals open beds again, when it starts to fall.",
    "wakefield":
        "**Why the waiting list grows in the second half.** Mid Yorkshire starts in deficit and a bed"
        " costs its staff whether used or not: it closes beds as fast as its lever allows (`bed_change`, 6% a"
        " year) for the first three years, until its months are about full (see above). The council, its grant falling 2% a year in real terms, spends"
        " down its reserves; the regulator, which judges a council's yearly deficit as it judges a"
        " provider's (docs/ODD.md 7.26), puts it in special measures in the second and third years, and with"
        " its reserves gone its own pounds count in full (7.30): it tightens eligibility and cuts prevention"
        " to the lever's floor. Delayed transfers rise into the beds left, inpatient electives get only what"
        " emergency stays and delayed transfers leave free, and the list grows (to about five times its low by"
        " the end, seed 1), though the hospital opens beds again from the sixth year.",
    "salford":
        "**What the pot holds.** The council's care money and the collaborative CCG's Better Care Fund-sized"
        " share; the NHS's part of Salford's real pot pays for its own services, which the model pays through"
        " the CCG's contracts (see the file's comment). The council rations the pot's care down to the need"
        " threshold and its result is shared with the CCG.",
    "torbay":
        "**Why delayed transfers come in a wave.** The council's grant falls 2% a year in real terms while"
        " packages cost the same, and the pot lets it ration care down to the need threshold: from the fifth"
        " year or so it funds fewer packages than are in use, so no package comes free but through a death, and"
        " people fit to leave who need one wait in a bed (with the decisions frozen, about 1,300 delayed days a"
        " month in each of the last four years, seed 1). A collaborator weighs the place's net benefit, and a"
        " delayed bed day costs the hospital escalation when its beds are full and the electives it crowds out,"
        " and its person a delayed month's health: so once people wait, the council builds intermediate care"
        " places (`intermediate_care`, open to it up to `social_care.intermediate_care_most_per_1000`, seed"
        " 003's 'major priority'), paid out of its care money, which take them home or to a step-down bed to"
        " wait for a package there. Their reablement takes part of each person's frailty off"
        " (`social_care.intermediate_care_frailty_fall`, 0.03): most of those taken leave it below the council's"
        " eligibility and no longer wait for a package, so the queue shrinks, with less unmet need over the run"
        " than places that only bridge the wait in eleven seeds of 1-12 and more QALYs in eleven (a small gain:"
        " about 0.01% of the place's; tests/test_intermediate_care.py). But the council decides a year at a"
        " time on last year's figures, and places take months to recruit, so the delays come as a wave: over"
        " seeds 1-12, 8,600 to 11,900 delayed days in the sixth year (about 5 to 7 a month per 1,000 people,"
        " against England's 1.2 in September 2016, docs/calibration.md), filling the hospital's beds so that"
        " inpatient electives get only what is left and the waiting list rises with them; then none by the"
        " eighth or ninth year in every seed. What the council does next turns on the beds. Once they are no"
        " longer full, a delayed day costs the place no money (a bed's staff are paid whether it is used or"
        " not), the inpatient electives it displaces are costs saved within the year, and with the list running"
        " down the forecast sees their patients' waits soon back below 18 weeks, where a wait costs no health"
        " (`net_health.long_wait_decrement` counts waits beyond): the places look worth less than they cost, and"
        " the council winds them down (seed 1, at the eighth year end, measured before a rescued year's result"
        " left out the national support, docs/ODD.md 7.28: to none, forecasting about 9,900 more delayed days,"
        " 1,400 fewer electives and 37 QALYs lost, against £0.8m of places saved). In ten seeds of twelve the"
        " delays had not come back by the end; in seed 2 a few came back (about 200 delayed days over the last"
        " two years), and in seed 1, the chart's, they come back in the ninth and tenth years (8,400 delayed"
        " days in the tenth), the beds fill again, and the council builds the places again. Seed 003 reports that Torbay's delayed transfers"
        " became negligible; the model reaches that only after the wave, for its council has no target for"
        " delays, the pot's size is an assumption (the paper gives none), and the council judges its places"
        " on what last year's delays cost. Set with the money of the decade seed 003 describes, the same"
        " arrangements keep the delays low throughout (torbay-2000s, below).",
    "torbay-2000s":
        "**Set in its decade.** The arrangements of `torbay` with the money and the practice of the 2000s:"
        " the NHS growing 7% a year in real terms (seed 003), councils' adult social care 1.2% (the NHS"
        " Information Centre's series) and every stay 3.6% shorter each year, England's pace from 1998-99 to"
        " 2009-10 (HES: a mean stay of 8.4 days, then 5.6; `demand.practice_los_change`; the file says"
        " where). The council's money keeps pace with the packages its residents come to need and the pot's"
        " NHS share grows with the allocation, so it rations little and few wait in a bed: over seeds 1-12"
        " the delays over the run are 0.07 to 0.86 days a month per 1,000 people (0.42 on the mean), below"
        " England's 0.83 for social care in September 2015 in 11 seeds, where on 2015's money with the same"
        " stays they are 1.58 to 3.27, in a wave. So seed 003's 'negligible' delays are the decade's money as"
        " well as the integration. The integration counts too: with a fortress council the delays are higher"
        " in 12 of 12 seeds (2.68 on the mean), and without the pool unmet care need is higher in 12 of 12;"
        " the pool's effect on the delays is within chance (higher without it in 7 of 12, 0.53 on the mean),"
        " for with the shorter stays the beds are seldom full and a delayed day costs the place little money"
        " (tests/test_torbay_decade.py). Seed 003's fall in occupied beds, from 750 to 502 a day in eleven"
        " years (3.6% a year, 28% over nine), the model gives in part: the case's beds fall from 210 a day in"
        " the first year to 179 in the third and 169 in the tenth, a fifth (0.74 to 0.84 of the first year's,"
        " every seed), about two thirds of Torbay's pace. Shorter stays alone do not make the fall. With the"
        " stays held the beds dip by a tenth as the programmes embed and come back with demand (214, 195,"
        " 216; 0.93 to 1.09), and with the same stays and everyone a fortress without the pool they do not"
        " fall at all (223 to 226; 0.96 to 1.05): the beds the shorter stays free fill again, for the"
        " fortress hospital, paid by activity, admits more at the margin (its tenth year's emergency"
        " admissions 1.41 times its first's, against 1.21 in the case) and the fortress council, rationing"
        " care, leaves people waiting in them (5.1 delayed days a month per 1,000, against 0.4). What keeps"
        " the case short of Torbay's third is partly demand and partly its hospital: without the baseline's"
        " growth beyond ageing and conditions (`demand.unexplained_growth`, 1% a year) its beds fall 27% to"
        " 30% (seeds 1-3), Torbay's pace; with every lever held where the collaborative bundles start them,"
        " 30% to 32% (seeds 1-6), for deciding, its hospital winds its outreach and supported discharge down"
        " as the beds empty and grows its electives (seed 1: to half and a quarter of their starting doses,"
        " electives 8% a year). Seed 003 also reports Torbay's emergency bed day use among people aged 65"
        " and over as the lowest in its region. The model has no region, but against the same place run by"
        " fortresses without the pool the case's tenth-year use is 0.57 to 0.71 of that place's (seeds 1-12:"
        " 1,364 days a year per 1,000 people aged 65 and over against 2,212), and about seven tenths of the"
        " gap is people waiting in a bed for care: with the fortress councils funding everyone they count"
        " eligible the fortress place's use is 1,619, the rest of the gap its admissions (484 a year per"
        " 1,000 aged 65 and over against 372), as The King's Fund found the highest users across England"
        " keeping longest the people whose stay was a transition to supported living (Imison and others,"
        " 2012). The case's people's own health is better with the pool (956 to 2,130 QALYs"
        " over ten years, seeds 1-6), but its net monetary benefit is lower, by £152m to £192m with the"
        " headroom spent and £91m to £128m banked: the pot moves a tenth of an allocation growing 7% a year"
        " into care, and at the model's valuation of what a package-year buys (0.27 of a QALY,"
        " `net_health.unmet_need_decrement`) that health costs more than the threshold.",
}
# Why the teaching runs look as they do, where the table would surprise (after the table).
TEACHING_WHY = (
    "**Why delayed transfers rise in the teaching runs.** The collaborative council is bound by its duty to meet"
    " eligible need (`decisions.care_duty_weight`) and values the health a care package buys as Longo et al."
    " (2023) do (`net_health.unmet_need_decrement`): by the third year every package it funds is in use and"
    " its reserves have run down to about nothing. Then its own pounds count again (a council is"
    " cash-limited): in seeds 1 and 3 it cuts prevention to under a third of its starting level, and in seed 1 it"
    " withdraws a quarter of the Better Care Fund-sized money from care; with no package to spare, people fit"
    " to leave who need one wait in a bed. Try --set decisions.care_duty_weight=0: little changes, for the"
    " health a package buys is worth more to the place than the NHS's continuing healthcare share of it"
    " that rationing would save. Add --set net_health.unmet_need_decrement=0.05, the value the scenarios"
    " once assumed: the council without its duty, its pounds worth nothing while its reserves last, then"
    " tightens eligibility, packages stand idle, its reserves grow to £2.8m to £10.3m (seeds 1-3) and the"
    " delays fall to none, while more residents go without care. Try --set"
    " decisions.council_surplus_value=1: the council counts a pound it saves in full even while its reserves"
    " last, as the net monetary benefit does; in seeds 1-3 it ends with a little more in reserve (£0.3m to"
    " £0.5m against -£0.2m to £0.3m) and more packages idle, and the place's net monetary benefit is about"
    " the same."
)

# The order of the doc: the two poles, the vanguards of seed 004 Table 1, then the rest.
ORDER = ["all-fortress", "all-collaborative", "salford", "northumberland", "south-somerset", "dudley",
         "sandwell-west-birmingham", "wakefield", "torbay", "torbay-2000s", "unitingcare", "baseline"]


def summary(name: str, scenario) -> str:
    return SUMMARIES.get(name, scenario.description)


# A case set beside another on the same seed and size: a sentence on how the two ended.
AGAINST = {"all-collaborative": "all-fortress"}


def is_teaching(name: str) -> bool:
    return name.startswith("teach-")


def cases() -> list[str]:
    """Every scenario: the cases (charted, in ORDER), then the teaching ones (a table)."""
    return sorted(list_scenarios(), key=lambda n: (is_teaching(n), ORDER.index(n) if n in ORDER else len(ORDER), n))


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
    """Reserves by kind (and the place's without national support, dashed), emergency admissions, delayed
    transfers, waiting list, beds occupied on an average day (and open, dashed), unmet social care need: 3x2.
    Dotted lines mark the months the contracting changes."""
    fig, axes = plt.subplots(3, 2, figsize=(9, 9.2), sharex=True)
    ax = axes[0, 0]
    for kind, colour in KIND_COLOURS.items():
        col = f"balance_{kind}"
        if col in place and (place[col] != 0).any():
            _line(ax, place, col, KIND_LABELS[kind], colour, 1e-6)
    _line(ax, place, "place_balance", "the place", "black", 1e-6, lw=2)
    _without_support(ax, place)
    ax.axhline(0, color="black", lw=0.6)
    ax.set_title("reserves by kind, £m", fontsize=10)
    ax.legend(fontsize=7)
    panels = [(axes[0, 1], "emergency_admissions_per_1000", "emergency admissions per 1,000 a year", 1.0),
              (axes[1, 0], "delayed_transfer_days", "delayed transfer days a month", 1.0),
              (axes[1, 1], "waiting_list", "elective waiting list, thousands", 1e-3),
              (axes[2, 0], "bed_days", "hospital beds occupied on an average day (dashed: open)", 1 / MONTH_DAYS)]
    _line(axes[2, 0], place, "beds", None, "#1f77b4", ls="--", lw=1)  # before the axes' floor fixes their top
    for ax, col, label, scale in panels:
        _line(ax, place, col, None, "#1f77b4", scale)
        ax.set_title(label, fontsize=10)
        ax.set_ylim(bottom=0)
    ax = axes[2, 1]
    _line(ax, place.assign(unmet_per_1000=place["unmet_social_care_need"] / place["population"] * 1000),
          "unmet_per_1000", None, "#1f77b4")
    ax.set_title("unmet social care need, per 1,000 people", fontsize=10)
    ax.set_ylim(bottom=0)
    for ax in axes[2]:
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
        fig.text(0.5, 0.958, subtitle, ha="center", va="top", fontsize=8.5, wrap=True)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.06, top=0.885, wspace=0.22, hspace=0.3)
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
        f"{rescued(place, end)}"
    )


def rescued(place: pd.DataFrame, end: pd.DataFrame) -> str:
    """What came in from outside the place to rescue its organisations, and the balance without it."""
    support = float(place["national_support"].iloc[-1])
    if support <= 0:
        return " No national support came in."
    who = end[end["national_support"] > 0].sort_values("national_support", ascending=False)
    named = ", ".join(f"{r['name']} {pounds(r['national_support'])}" for _, r in who.iterrows())
    return (f" That balance counts {pounds(support)} of national support drawn over the run ({named}: distress"
            " finance, and deficits written off in administration, docs/ODD.md 7.28); without it the balance"
            f" would be {pounds(place['place_balance_own'].iloc[-1])}. The net monetary benefit leaves it out.")


def older_bed_use(year: pd.DataFrame) -> float:
    """Older people's emergency bed days in a year of a place table, a year per 1,000 people aged 65 and over."""
    return float(year["emergency_bed_days_65plus"].sum() / year["population_65plus"].mean() * 1000)


def first_and_last_year(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    months = table["month"].max()
    return table[table["month"] <= 12], table[table["month"] > months - 12]


@dataclass
class HospitalYears:
    """The hospitals of a run, together: their result as a share of their income in the first year and the
    last, the last also without the national support they drew that year; how many end the last year in
    deficit without it, of how many; and the national support they drew over the run, pounds."""

    first: float
    last: float
    last_unsupported: float
    short: int
    count: int
    support: float


def hospitals(orgs: pd.DataFrame) -> HospitalYears:
    h = orgs[orgs["kind"] == "hospital"]
    first, last = first_and_last_year(h)
    margin = [t["surplus"].sum() / t["income"].sum() if t["income"].sum() else float("nan") for t in (first, last)]
    drawn = support_drawn(h)
    in_last = drawn.loc[last.index].groupby(last["name"]).sum()
    unsupported = last.groupby("name")["surplus"].sum() - in_last
    income = last["income"].sum() - in_last.sum()
    return HospitalYears(margin[0], margin[1], unsupported.sum() / income if income else float("nan"),
                         int((unsupported < 0).sum()), len(unsupported), float(drawn.sum()))


def deficit_paragraph(deficits: dict[str, list[HospitalYears]]) -> list[str]:
    """Why every hospital ends in deficit: the baseline's hospitals with the rules that make it taken away one
    after another (``DEFICIT_STEPS``: step -> each seed's hospitals)."""
    last = {k: sum(h.last_unsupported for h in v) / len(v) for k, v in deficits.items()}
    short = {k: sum(h.short for h in v) for k, v in deficits.items()}
    count = {k: sum(h.count for h in v) for k, v in deficits.items()}
    support = {k: sum(h.support for h in v) / len(v) for k, v in deficits.items()}

    def step(k: str) -> str:
        who = "every hospital in deficit" if short[k] == count[k] else f"{short[k]} of the {count[k]} hospitals in deficit"
        return f"{last[k]:+.1%} ({who}; national support {pounds(support[k])})"

    seeds = f"seeds {DEFICIT_SEEDS[0]}-{DEFICIT_SEEDS[-1]}"
    return [
        "",
        "**Why every hospital ends in deficit.** Three of the rules above, none of them a hospital's choice, add up"
        " (tests/test_hospital_deficits.py takes each away in turn on a small place). On the baseline (300,000"
        f" people, {seeds}), the hospitals' last year without national support, as a share of their income (and the"
        f" national support they drew over the run), on the mean of the seeds: {step('as they are')} as they are; {step('no squeeze')} with the tariff squeeze taken"
        " away (`money.productivity_growth` 0.04, the 4% asked: costs move with prices);"
        f" {step('nor overrun')} with the starting overrun taken away too; and {step('nor marginal rate')} with"
        " emergency admissions above the baseline paid at the full tariff too (`tariff.emergency_marginal_rate` 1)."
        f" The overrun taken away alone, the squeeze kept, gives {last['overrun alone']:+.1%}. So the squeeze makes"
        f" about {100 * (last['no squeeze'] - last['as they are']):.0f} points of the last year's deficit, the overrun"
        f" about {100 * (last['nor overrun'] - last['no squeeze']):.0f} (the hospitals' levers, beds, electives, admissions at"
        " the margin, outreach and supported discharge, trim what varies with activity, not the costs it sits on,"
        " and a programme of cost improvement is not among them) and the marginal rate about"
        f" {100 * (last['nor marginal rate'] - last['nor overrun']):.0f}. Measured by hand over the library's twelve cases"
        " (seeds 1-3, 60 hospitals): 59 end in deficit as they are (-18.7% of income on the mean of the runs) and 55"
        " with the squeeze alone taken away (-7.8%).",
    ]


def shared(names: list[str], runs: dict, deficits: dict[str, list[HospitalYears]] | None = None) -> list[str]:
    """What shapes every case's chart: the rules, from the baseline's parameters, then measured in each run (and,
    given ``deficits``, why every hospital ends in deficit)."""
    b = load_scenario("baseline")
    m, r = b.money, b.regulation
    tariff = (1 + m.cost_growth) * (1 - m.efficiency_requirement)
    unit = (1 + m.cost_growth) * (1 - m.productivity_growth)
    rows, in_deficit, all_in_deficit, supported, unsupported, outside = [], 0, 0, 0, [], []
    for n in names:
        place, orgs = runs[n].place, runs[n].organisations
        h = hospitals(orgs)
        first, last = first_and_last_year(place)
        outside.append(last["other_services"].sum() / last["nhs_allocation"].sum())
        in_deficit += h.last_unsupported < 0
        all_in_deficit += h.short == h.count
        supported += h.support > 0
        unsupported.append(h.last_unsupported)
        rows.append(f"| {n} | {h.first:+.1%} → {h.last:+.1%} ({h.last_unsupported:+.1%}) | {h.short} of {h.count} | "
                    f"{pounds(h.support)} | {last['bed_occupancy'].mean():.0%} | "
                    f"{first['delayed_transfer_days'].mean():,.0f} → {last['delayed_transfer_days'].mean():,.0f} | "
                    f"{older_bed_use(first):,.0f} → {older_bed_use(last):,.0f} |")
    return [
        "**What every chart shares.** Five rules of the model shape every case below, whatever its"
        " arrangements (the figures are the baseline's parameters; a case may change them).",
        "",
        f"- *Hospitals' costs outgrow their prices.* Hospitals start with costs {m.starting_cost_overrun:.0%}"
        " above their income (`money.starting_cost_overrun`: the providers' deficit of 2015, seed 002). Each"
        f" year the tariff moves by (1 + `cost_growth`)(1 − `efficiency_requirement`) = {tariff:.3f} while"
        f" their unit costs move by (1 + `cost_growth`)(1 − `productivity_growth`) = {unit:.3f}, so costs gain"
        f" about {unit / tariff - 1:.1%} a year on prices unless the hospital's decisions cut them.",
        f"- *Emergencies are never turned away.* Bed days beyond a hospital's beds are found in escalation"
        f" beds at {b.capacity.escalation_cost_ratio:g} times the cost of a planned bed day"
        " (`capacity.escalation_cost_ratio`).",
        f"- *Council money falls in real terms*, by {-b.money.council_grant_growth:.0%} a year"
        " (`money.council_grant_growth`), while a care package costs the same.",
        f"- *Hospitals choose their beds on money, a year at a time* (`bed_change`, at most"
        f" {b.capacity.bed_change_most:.0%} a year either way, `capacity.bed_change_most`; docs/ODD.md 7.30). A bed costs its"
        " staff all year, used or not; a day beyond the beds costs more only when it comes, and the strain it"
        " brings (frail patients staying longer, electives cancelled) starts only beyond the beds: the"
        " model's months have no daily peaks, so nothing in it asks for a margin below 100%"
        f" (`capacity.target_occupancy`, {b.capacity.target_occupancy:.0%}, is the rule only with decisions"
        " off). So a hospital in deficit closes beds until its months are about full, and opens them again"
        " only when a step's savings beat what the step costs to take (each step of a lever costs"
        f" `decisions.adjustment_cost` of its income, {b.decisions.adjustment_cost:.1%}; at 105% to 120% occupancy"
        " about what a step of beds saves). The lever is a yearly rate, so a hospital closing beds turns a step or"
        " so a year, and as admissions and delayed transfers grow its occupancy runs beyond 100% for years"
        " (measured by hand in Sandwell and West Birmingham, seeds 1 and 2: the hospital, in special measures"
        " most years, closes beds, mostly at the lever's limit, at its first three to five year ends, holds them"
        " at the next one to three as its months pass 100%, then opens them at the limit at each of the last four"
        " while its bed days grow faster, to a last-year occupancy of 110% and 102%. With the cost of a step and the decisions' noise"
        " halved together it is 110% and 106%: the lever sits at its limit at the same year ends, give or take"
        " one, and a lever at its limit moves no further for a cheaper step. While a rescued year's national"
        " support counted in the hospital's result, docs/ODD.md 7.28, the halving took 138% and 112% to 107%"
        " and 107%).",
        "",
        f"- *A hospital in deficit is rescued from outside the place* (docs/ODD.md 7.28). One whose reserves at a"
        f" year end are below {r.distress_months:g} month's income (`regulation.distress_months`) draws distress"
        f" finance from national support, enough to bring them back to that line; after {r.distress_years} year"
        " ends running (`regulation.distress_years`) it is put into administration instead, its whole deficit"
        " written off and new leadership starting afresh. So the costs outgrowing"
        " prices above come back as rescues every few years: a hospital's result for a year counts what it drew,"
        " and hospitals whose reserves end at £0.0m were written off at the last year end. The place's balance"
        " counts national support; its net monetary benefit does not (7.29), for counting it would reward"
        " failure. For comparison: in April 2020 the Department of Health and Social Care wrote off £13.4"
        " billion of NHS trusts' loans from it, taken largely to cover deficits (press release, 2 April 2020).",
        "",
        "Five more things hold in every case, and explain what a chart alone would not:",
        "",
        "- *The commissioners' headroom grows.* Their allocation grows"
        f" {b.money.allocation_growth:.0%} a year while the prices they pay move as the tariff does, so their plans"
        " find more each year than last year's care at next year's prices, and they spend it on services outside"
        " the model (`money.commissioner_headroom_spent`, docs/ODD.md 7.21): in the last year of these runs"
        f" {min(outside):.1%} ({names[outside.index(min(outside))]}) to {max(outside):.1%}"
        f" ({names[outside.index(max(outside))]}) of the NHS allocation."
        " Whole-population budgets (Northumberland, South Somerset, Dudley, Sandwell and West Birmingham, Wakefield)"
        " are re-priced with the tariff too, so a lead provider's budget falls in real terms as the allocation"
        " grows; a lead that overspends it fails and its commissioner writes its debts off (docs/ODD.md 7.28),"
        " as Dudley's MCP (month 96) and the Modality Partnership (month 84) do on seed 1 at the cases' own size.",
        "- *The hospitals' starting positions are drawn.* Each hospital's overrun is drawn about the mean"
        f" ({b.money.starting_cost_overrun:.0%}, spread {b.money.starting_cost_overrun_spread:.0%},"
        " `money.starting_cost_overrun_spread`), so a seed's luck is every one-hospital case's: seed 1 gives the"
        " first hospital 1.9%, seed 2 13.3% (2.8 spreads above the mean), and on seed 2 the one-hospital cases'"
        " hospitals draw two to five times the national support they draw on seed 1. Run several seeds before"
        " comparing cases.",
        "- *Community services follow the commissioners' strategies.* A collaborative commissioner counts the"
        " health community services give of their own and grows them on the whole; a fortress one counts its"
        " money and cuts them (docs/ODD.md 7.5). In the baseline (seed 1) the collaborative Eastmoor CCG's blocks"
        " end ten years 36% up in real terms, the fortress Northvale CCG's 32% down.",
        "- *Delays wait for the packages to run out.* A council's packages are set at its year-end plan (docs/ODD.md"
        " 7.21); while it has packages to spare nobody waits in a bed for one, so a collaborative council's place"
        " can show no delayed transfers for its first one or two years, then a wave as eligibility outgrows the"
        " packages (and a fall after each year-end plan).",
        "- *The months have no seasons.* Demand, deaths and stays are the same in every calendar month, apart from"
        " chance and the year's trend: there is no winter in the model, and its January to March is three months"
        " like any other (docs/calibration.md compares its months 22 to 24 with England's winter beds).",
        "",
        f"Measured in each case's run below: the hospitals' result (all of them together) as a share of their"
        f" income in the first year and the last, and the last without the national support they drew in it; how"
        f" many hospitals end the last year in deficit without it; the national support the hospitals drew over"
        f" the run; the mean bed occupancy in the last year; the delayed transfer days a month (the first"
        f" year's mean against the last's); and older people's emergency bed use, the emergency stays and"
        f" delayed days of people aged 65 and over, a year per 1,000 of them (seed 003's measure of Torbay; the"
        f" first year's against the last's). Without national support the hospitals together end the last year in"
        f" deficit in {in_deficit} of the {len(names)} cases ({_span(unsupported)} of their income), every"
        f" hospital in {all_in_deficit}; they drew national support in {supported}.",
        "",
        "| case | hospitals' result, share of income, first year → last (last, without national support) |"
        " hospitals in deficit without it, last year | national support to hospitals over the run |"
        " bed occupancy, last year | delayed transfer days a month, first year → last |"
        " emergency bed days a year per 1,000 aged 65 and over, first year → last |",
        "|---|---|---|---:|---:|---|---|",
        *rows,
        *(deficit_paragraph(deficits) if deficits else []),
    ]


def _span(shares: list[float]) -> str:
    """The range of results as shares of income, from the smallest to the largest figure."""
    low, high = sorted((min(shares), max(shares)), key=abs)
    return f"{low:+.1%} to {high:+.1%}"


def against(name: str, runs: dict) -> str:
    """How a case ended beside the case it is set against (AGAINST), on the same seed and size."""
    other = AGAINST.get(name)
    if other not in runs:
        return ""
    a, b = runs[name].place, runs[other].place
    nmb = a["net_monetary_benefit_cumulative"].iloc[-1] - b["net_monetary_benefit_cumulative"].iloc[-1]
    own = [t["place_balance_own"].iloc[-1] for t in (a, b)]
    return (f"**Against {other}** (the same seed and size): the place's balance at the end is"
            f" {pounds(a['place_balance'].iloc[-1])} against {pounds(b['place_balance'].iloc[-1])}, and"
            f" {pounds(own[0])} against {pounds(own[1])} without the national support each drew; its net"
            f" monetary benefit over the run (QALYs at the threshold plus the place's result without national"
            f" support, docs/ODD.md 7.29) is {pounds(abs(nmb))} {'more' if nmb >= 0 else 'less'}. One seed;"
            " docs/patterns.md compares the two over many seeds.")


def what_to_look_for(path: Path) -> str:
    """The "What to look for" paragraph of a teaching file's opening comment, on one line."""
    for p in paragraphs(path):
        if p.startswith("What to look for"):
            return " ".join(p.removeprefix("What to look for").lstrip(": ").split())
    return ""


def teaching_table(names: list[str], scenarios: dict, runs: dict) -> list[str]:
    """One row per teaching run: what it pays, and what the run gave."""
    rows = []
    for n in names:
        place, orgs = runs[n].place, runs[n].organisations
        first, last = first_and_last_year(place)
        end = orgs[orgs["month"] == orgs["month"].max()].groupby("kind")["reserves"].sum()
        rows.append(
            f"| `{n}` | {scenarios[n].description.removeprefix('Teaching: ')} |"
            f" {first['emergency_admissions_per_1000'].mean():.1f} → {last['emergency_admissions_per_1000'].mean():.1f} |"
            f" {first['delayed_transfer_days'].mean():,.0f} → {last['delayed_transfer_days'].mean():,.0f} |"
            f" {first['waiting_list'].iloc[-1]:,.0f} → {last['waiting_list'].iloc[-1]:,.0f} |"
            f" {pounds(end.get('hospital', 0.0))} | {pounds(end.get('commissioner', 0.0))} |"
            f" {pounds(end.get('council', 0.0))} | {pounds(place['place_balance'].iloc[-1])} |")
    looks = [f"- `{n}`: {what_to_look_for(Path(scenarios[n].origin))}" for n in names
             if what_to_look_for(Path(scenarios[n].origin))]
    return [
        "| scenario | how care is paid | emergency admissions per 1,000, first year → last | delayed transfer"
        " days a month, first year → last | waiting list, end of first year → end | hospital's reserves |"
        " CCG's reserves | council's reserves | the place's balance |",
        "|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "What to look for in each (from the file's opening comment):",
        "",
        *looks,
    ]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("names", nargs="*", help="cases to run (default: every scenario)")
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
    for n in [n for n in names if not is_teaching(n)]:
        s = scenarios[n]
        place = runs[n].place
        ended = place.loc[place["contracts_ended"].diff().fillna(place["contracts_ended"]) > 0, "month"]
        marks = milestones(s) + [(int(m), "contract handed back") for m in ended]
        chart(place, IMG / f"{n}.png", n, summary(n, s), marks)
    deficits = hospital_deficits(args.processes) if "baseline" in names else None
    DOC.write_text(document(names, scenarios, runs, deficits))
    print(f"wrote {sum(not is_teaching(n) for n in names)} charts to {IMG.relative_to(ROOT)}/ and {DOC.relative_to(ROOT)} "
          f"in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return 0


def hospital_deficits(processes: int | None) -> dict[str, list[HospitalYears]]:
    """The baseline's hospitals on ``DEFICIT_SEEDS`` under each of ``DEFICIT_STEPS``."""
    specs = [RunSpec(scenario="baseline", seed=s, changes=dict(ch)) for ch in DEFICIT_STEPS.values() for s in DEFICIT_SEEDS]
    step_of = {tuple(sorted(ch.items())): k for k, ch in DEFICIT_STEPS.items()}
    out: dict[str, list[HospitalYears]] = {k: [] for k in DEFICIT_STEPS}
    for r in run_many(specs, processes=processes):
        if not r.ok:
            raise RuntimeError(f"baseline, seed {r.spec.seed}, {r.spec.changes} failed:\n{r.error}")
        out[step_of[tuple(sorted(r.spec.changes.items()))]].append(hospitals(r.organisations))
    print(f"  the hospitals' deficit, {len(specs)} runs of the baseline", file=sys.stderr)
    return out


def document(names: list[str], scenarios: dict, runs: dict, deficits: dict | None = None) -> str:
    teach = [n for n in names if is_teaching(n)]
    names = [n for n in names if not is_teaching(n)]
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
    if teach:
        lines += ["", f"And {len(teach)} [teaching scenarios](#the-teaching-scenarios) on one small place."]
    lines += [
        "",
        "Each chart: reserves summed by kind of organisation and for the whole place (top left; dashed, the"
        " place's without the national support drawn so far), emergency admissions per 1,000 a year, delayed"
        " transfer days a month, the elective waiting list, the hospitals' beds occupied on an average day (dashed:"
        " the beds open; occupied above open is escalation) and unmet social care need per 1,000 people.",
        "",
        *(shared(names, runs, deficits) if names else []),
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
        if against(n, runs):
            lines += ["", against(n, runs)]
        rest = the_rest(Path(s.origin))
        if rest:
            lines += ["", "<details><summary>Choices and limits (from the file's opening comment)</summary>", "",
                      rest, "", "</details>"]
    if teach:
        place = "teach-place" if "teach-place" in teach else teach[0]
        s = scenarios[place]
        lines += [
            "",
            "## The teaching scenarios",
            "",
            f"*{s.description}.* `{place}`: {s.population.size:,} people, {s.run.steps} months from April"
            f" {s.run.start_year}. The other teaching scenarios extend it and change only how care is paid, so a"
            " class can run them side by side (docs/teaching.md). One run of each, with its own seed"
            f" (seed {s.run.seed}); reserves at the end.",
            "",
            *teaching_table(teach, scenarios, runs),
            "",
            TEACHING_WHY,
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
