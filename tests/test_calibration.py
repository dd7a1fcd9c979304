"""The baseline against the figures it is calibrated to (docs/calibration.md).

The default scenario, unchanged (its 300,000 people), runs for six years on seeds
1, 2 and 3: the first twelve months give the first-year figures. England's published
comparisons, which vary far more between seeds, are measured on two-year runs of
seeds 1-24 (PUBLISHED_SEEDS), and the growth of demand, years 1 to 6, on seeds 1-12
(GROWTH_SEEDS). Each figure is the mean over its seeds of one run's value and
must come within 10% of its target. Targets are read from the scenario, or worked
out from its figures where the model sizes a quantity from several of them, or
(for the money) taken from what the organisations were given at calibration, or (for
the published comparisons: delays, the waiting list's change, beds free in winter, older people's
emergency bed use)
England's own published figures;
measured values come from the place table (the ledger's flows and the month's
activity), the contracts' prices and the population. A figure the baseline misses
is a strict xfail that names the measured value and the target, so it fails if the
model comes to meet it and the mark is stale.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from model import LocalHealthEconomy, load_scenario
from model.scenario import Scenario

SEEDS = (1, 2, 3)
# England's published figures beyond the scenario's (delays, the waiting list's change, beds free in winter, the flow
# into council care) are emergent and vary between seeds (a seed's delays in a year spread about a fifth either side
# of their mean, more in a month): they are measured over more seeds, on runs of the two years they need
PUBLISHED_SEEDS = range(1, 25)
PUBLISHED_MONTHS = 24
# demand's growth over six years (a seed's spreads about 0.4 of a point a year either side of the mean)
GROWTH_SEEDS = range(1, 13)
TOLERANCE = 0.10
GROWTH_YEARS = 5  # demand growth: from the first year to the sixth


@dataclass
class Run:
    place: pd.DataFrame  # one row per month
    planned_allocation: float  # the commissioners' allocations set at calibration, pounds a year
    planned_grants: float  # the councils' grants set at calibration, pounds a year
    multimorbid_65_84: float  # share of people aged 65-84 with 2+ long-term conditions, at the start
    price_change: float  # mean change in the acute contracts' prices at the first year end
    unit_cost_change: float  # change in providers' unit costs at the first year end
    expected_admissions: tuple[float, float]  # the population's expected admissions a year at the start and 5 years on

    @property
    def first_year(self) -> pd.DataFrame:
        return self.place[self.place.month <= 12]

    def per_head(self, column: str, per: float = 1.0) -> float:
        """A first-year flow per person (``per`` = 1000: per 1,000 people) a year."""
        y1 = self.first_year
        return float(y1[column].sum() / y1.population.mean() * per)

    def yearly(self, column: str) -> np.ndarray:
        return self.place.groupby((self.place.month - 1) // 12)[column].sum().to_numpy()


def _run(scenario: Scenario, seed: int) -> Run:
    m = LocalHealthEconomy(scenario, rng=seed)
    pop = m.population
    older = pop.alive & (pop.age >= 65) & (pop.age < 85)
    acute = [c for c in m.contracts if c.scope == "acute" and "prices" in c.terms]
    start_prices = [dict(c.terms["prices"]) for c in acute]
    planned_allocation = sum(c.allocation for c in m.commissioners)
    planned_grants = sum(c.grant for c in m.councils)
    expected_start = float(pop.expected_year()["admissions"].sum())
    multimorbid = float((pop.ltc[older] >= 2).mean())
    m.run(12)
    price_change = np.mean([c.terms["prices"][k] / p[k] - 1 for c, p in zip(acute, start_prices, strict=True) for k in p])
    unit_cost_change = m.prices.unit_cost - 1
    m.run(12 * (GROWTH_YEARS - 1))
    expected_later = float(pop.expected_year()["admissions"].sum())
    m.run(12)
    return Run(
        place=m.place_table(),
        planned_allocation=planned_allocation,
        planned_grants=planned_grants,
        multimorbid_65_84=multimorbid,
        price_change=float(price_change),
        unit_cost_change=float(unit_cost_change),
        expected_admissions=(expected_start, expected_later),
    )


def _levers_held(s: Scenario) -> Scenario:
    return s.model_copy(update={"decisions": s.decisions.model_copy(update={"enabled": False})})


@functools.lru_cache(maxsize=32)
def _six_years(held: bool, seed: int) -> Run:
    """The baseline over six years (its levers held where they start if ``held``)."""
    s = load_scenario()
    return _run(_levers_held(s) if held else s, seed)


def _two_years(changes: tuple, seed: int) -> Run:
    """The baseline with ``changes`` over its first two years: enough for the published comparisons."""
    m = LocalHealthEconomy(load_scenario().with_changes(dict(changes)), rng=seed)
    m.run(PUBLISHED_MONTHS)
    nan = float("nan")
    return Run(place=m.place_table(), planned_allocation=nan, planned_grants=nan, multimorbid_65_84=nan,
               price_change=nan, unit_cost_change=nan, expected_admissions=(nan, nan))


@pytest.fixture(scope="module")
def baseline() -> tuple[Scenario, list[Run]]:
    return load_scenario(), [_six_years(False, seed) for seed in SEEDS]


@pytest.fixture(scope="module")
def published_runs() -> list[Run]:
    return [_two_years((), seed) for seed in PUBLISHED_SEEDS]


# --- targets worked out from the scenario's figures --------------------------------------------------
def nhs_allocation_per_head(s: Scenario) -> float:
    """What the commissioners are expected to spend per person at the scenario's rates and prices,
    grossed up for running costs and the planned surplus (docs/calibration.md, "Money")."""
    d, t, cap, sc, m = s.demand, s.tariff, s.capacity, s.social_care, s.money
    acute = (d.ae_attendances_per_1000 * t.ae_attendance + d.emergency_admissions_per_1000 * t.emergency_spell
             + d.referrals_per_1000 * d.listed_share * t.elective_spell + d.referrals_per_1000 * t.outpatient_attendance) / 1000
    gp = cap.capitation_per_patient + cap.qof_per_patient
    chc = sc.packages_per_1000 / 1000 * sc.package_cost_per_month * 12 * sc.nhs_funded_share
    return (acute + cap.community_cost_per_head + gp + chc) / (1 - m.commissioner_running_cost_share) / (1 - m.commissioner_planned_surplus)


def council_grants_per_head(s: Scenario) -> float:
    """The council's share of its packages' cost plus the standard prevention share, per person."""
    sc, m = s.social_care, s.money
    care = sc.packages_per_1000 / 1000 * sc.package_cost_per_month * 12 * (1 - sc.nhs_funded_share)
    return care / (1 - m.prevention_share_of_council)


def multimorbidity_target(s: Scenario) -> float:
    """The share the scenario's source for ``health.ltc_mean_at_50`` names (Barnett et al. 2012)."""
    source = s.sources.get("health.ltc_mean_at_50", "")
    found = re.search(r"about (\d+)% at 65-84", source)
    assert found, f"health.ltc_mean_at_50's source no longer names the 65-84 multimorbidity it is set to: {source!r}"
    return int(found.group(1)) / 100


def demand_growth_target(s: Scenario, r: Run) -> float:
    """Growth not explained by the population (the scenario's) on top of the growth of the
    population's own expected admissions at the base rates (its size, age, conditions, frailty)."""
    start, later = r.expected_admissions
    return (1 + s.demand.unexplained_growth) * (later / start) ** (1 / GROWTH_YEARS) - 1


def emergency_admissions_growth(r: Run) -> float:
    adm = r.yearly("emergency_admissions")
    return float((adm[GROWTH_YEARS] / adm[0]) ** (1 / GROWTH_YEARS) - 1)


def year_on_year(r: Run, column: str) -> float:
    y = r.yearly(column)
    return float(y[1] / y[0] - 1)


# --- published comparisons: England's figures beyond the scenario's ------------------------------------
# The scenario has no figure for these: they are emergent. Each is compared with what England published.
#
# Delayed transfers of care: people fit to leave hospital who wait in a bed for a council care package. NHS
# England's monthly statistics attribute each delayed day to the NHS, to social care or to both; the model's are
# those attributed to social care. A September stands for its financial year (April to March), whose middle it
# is; per 1,000 people a month, over England's population that year. Nobody waits in a bed at the model's start
# (the first month has no delays and the first year's mean is below its last months'), so the first year checks
# the level it reaches, not a steady state; the second year is past the start.
ENGLAND_POPULATION = {2015: 54.8e6, 2016: 55.3e6}  # ONS mid-year population estimates for England, 2015 and 2016
SOCIAL_CARE_DELAYED_DAYS_SEPTEMBER = {
    2015: 45_570,  # NHS England, delayed transfers of care, September 2015: days attributable to social care (ADASS, "DToC summary for September 2015")
    2016: 0.344 * 196_200,  # September 2016: 196,200 delayed days, 34.4% attributable to social care (NHS England's release, Care Management Matters, 11 November 2016)
}
# The waiting list: House of Commons Library, "NHS Indicators: England, February 2017" (CBP-7281): "The waiting list
# for routine treatment grew 11% to 3.66 million between Dec 2015 and Dec 2016"; a head, over England's population
# growth in 2016 (ONS, above).
ENGLAND_WAITING_LIST_GROWTH_2016 = 1.11 / (ENGLAND_POPULATION[2016] / ENGLAND_POPULATION[2015]) - 1
# Bed occupancy in winter: NHS England's KH03 returns, as reported by the HSJ (25 May 2017): overnight general and
# acute beds 91.0% occupied in January to March 2016 and 91.4% in January to March 2017, a record. Compared as the
# share of beds free (a factor near 1 would pass a 10% test however wrong the margin), in the model's months 10-12
# and 22-24.
ENGLAND_WINTER_OCCUPANCY = {2016: 0.910, 2017: 0.914}
# People leaving hospital who need council care: NHS Digital, "Community Care Statistics: Social Services Activity,
# England 2015-16" (key findings, as summarised at dct.org.uk's "national updates" page on the release): 1,811,000 requests
# for support from new clients, 72% of them aged 65 and over; 24% of those aged 65 and over, and 8% of those aged
# 18-64, came by the Discharge from Hospital route. Per 1,000 people a year over England's population in 2015. A
# request counts whatever its outcome (57% of all requests led to no direct support from the council), so the
# people England's councils found in need of care on leaving hospital were fewer; the model's count is of those at
# or above their council's eligibility who hold no package.
ENGLAND_REQUESTS_FROM_HOSPITAL_2015 = 1_811_000 * (0.72 * 0.24 + 0.28 * 0.08)
# Older people's emergency bed use (the measure seed 003 reports of Torbay): people aged 65 and over used 68% of
# emergency bed days in England in 2009/10 (HES, in Imison, Poteliakhoff and Thompson 2012, The King's Fund, "Older
# people and emergency bed use: exploring variation", as summarised in Hughes, Emerg Med J 2012;29:940). Their
# emergency admissions: 2,109,794 finished admission episodes with an emergency method in 2010-11 (HES, Commons
# written answer of 11 July 2012), of 5.3 million emergency admissions from March 2010 to February 2011 (HES,
# provisional monthly statistics, NHS Information Centre). A spell's bed days count its delayed days, as the model's do.
ENGLAND_OLDER_SHARE_OF_EMERGENCY_BED_DAYS_2009 = 0.68
ENGLAND_OLDER_SHARE_OF_EMERGENCY_ADMISSIONS_2010 = 2_109_794 / 5.3e6


def older_share(r: Run, column: str) -> float:
    """The first year's share of a count (``emergency_bed_days`` or ``emergency_admissions``) that is of people
    aged 65 and over."""
    y1 = r.first_year
    return float(y1[f"{column}_65plus"].sum() / y1[column].sum())


def delayed_days_per_1000_a_month(r: Run, year: int) -> float:
    """Delayed transfer days a month per 1,000 people in the model's year ``year`` (0: the first)."""
    months = r.place[(r.place.month - 1) // 12 == year]
    return float(months.delayed_transfer_days.sum() / months.population.mean() * 1000 / 12)


def delayed_days_per_1000_in_month(r: Run, month: int) -> float:
    """Delayed transfer days in the model's month ``month`` (1: the first, April 2015) per 1,000 people."""
    row = r.place.set_index("month").loc[month]
    return float(row.delayed_transfer_days / row.population * 1000)


def england_delayed_days_per_1000_a_month(september: int) -> float:
    return SOCIAL_CARE_DELAYED_DAYS_SEPTEMBER[september] / ENGLAND_POPULATION[september] * 1000


def waiting_list_growth_second_year(r: Run) -> float:
    """The change in the waiting list per 1,000 people from the end of the first year to the end of the second."""
    ends = r.place.set_index("month").loc[[12, 24]]
    per_head = ends.waiting_list / ends.population
    return float(per_head.loc[24] / per_head.loc[12] - 1)


def winter_beds_free(r: Run, year: int) -> float:
    """The share of beds free from January to March of the model's year ``year`` (0: the first)."""
    t = r.place.set_index("month")
    return float(1 - t.bed_occupancy.loc[12 * year + 10: 12 * year + 12].mean())


def published(value: float) -> Callable[[Scenario, Run], float]:
    return lambda _s, _r: value


@dataclass(frozen=True)
class Figure:
    measured: Callable[[Run], float]
    target: Callable[[Scenario, Run], float]
    emergent: bool = False  # one of England's published figures beyond the scenario's: over PUBLISHED_SEEDS


def scenario_figure(get: Callable[[Scenario], float]) -> Callable[[Scenario, Run], float]:
    return lambda s, _r: get(s)


FIGURES: dict[str, Figure] = {
    # money
    "nhs_allocation_per_head": Figure(lambda r: r.per_head("nhs_allocation"), scenario_figure(nhs_allocation_per_head)),
    "council_grants_per_head": Figure(lambda r: r.per_head("council_grants"), scenario_figure(council_grants_per_head)),
    "nhs_allocation_received_against_planned": Figure(lambda r: float(r.first_year.nhs_allocation.sum()), lambda _s, r: r.planned_allocation),
    "council_grants_received_against_planned": Figure(lambda r: float(r.first_year.council_grants.sum()), lambda _s, r: r.planned_grants),
    "spending_to_inflows": Figure(lambda r: float(r.first_year.spending.sum() / r.first_year.inflows.sum()), lambda _s, _r: 1.0),
    # capacity
    "beds_per_1000": Figure(lambda r: float((r.first_year.beds / r.first_year.population).mean() * 1000),
                            scenario_figure(lambda s: s.capacity.beds_per_1000)),
    "bed_occupancy_first_month": Figure(lambda r: float(r.place.bed_occupancy.iloc[0]), scenario_figure(lambda s: s.capacity.target_occupancy)),
    "bed_occupancy_first_year": Figure(lambda r: float(r.first_year.bed_occupancy.mean()), scenario_figure(lambda s: s.capacity.target_occupancy)),
    # activity
    "gp_contacts_per_person": Figure(lambda r: r.per_head("gp_contacts"), scenario_figure(lambda s: s.demand.gp_contacts_per_person)),
    "ae_attendances_per_1000": Figure(lambda r: r.per_head("ae_attendances", 1000), scenario_figure(lambda s: s.demand.ae_attendances_per_1000)),
    "emergency_admissions_per_1000": Figure(lambda r: r.per_head("emergency_admissions", 1000),
                                            scenario_figure(lambda s: s.demand.emergency_admissions_per_1000)),
    "outpatient_referrals_per_1000": Figure(lambda r: r.per_head("outpatient_attendances", 1000),
                                            scenario_figure(lambda s: s.demand.referrals_per_1000)),
    "elective_admissions_per_1000": Figure(lambda r: r.per_head("elective_admissions", 1000),
                                           scenario_figure(lambda s: s.demand.listed_share * s.demand.referrals_per_1000)),
    "waiting_list_per_1000_first_month": Figure(lambda r: float(r.place.waiting_list.iloc[0] / r.place.population.iloc[0] * 1000),
                                                scenario_figure(lambda s: s.demand.waiting_list_per_1000)),
    "waiting_list_per_1000_end_of_first_year": Figure(
        lambda r: float(r.first_year.waiting_list.iloc[-1] / r.first_year.population.iloc[-1] * 1000),
        scenario_figure(lambda s: s.demand.waiting_list_per_1000)),
    "social_care_packages_per_1000": Figure(lambda r: float((r.first_year.social_care_packages / r.first_year.population).mean() * 1000),
                                            scenario_figure(lambda s: s.social_care.packages_per_1000)),
    # population
    "deaths_per_1000": Figure(lambda r: r.per_head("deaths", 1000), scenario_figure(lambda s: s.health.deaths_per_1000)),
    "births_per_1000": Figure(lambda r: r.per_head("births", 1000), scenario_figure(lambda s: s.population.births_per_1000)),
    "multimorbidity_65_84_at_start": Figure(lambda r: r.multimorbid_65_84, scenario_figure(multimorbidity_target)),
    # prices and growth: changes a year, compared as changes (not as factors near 1)
    "tariff_change_per_year": Figure(lambda r: r.price_change,
                                     scenario_figure(lambda s: (1 + s.money.cost_growth) * (1 - s.money.efficiency_requirement) - 1)),
    "unit_cost_change_per_year": Figure(lambda r: r.unit_cost_change,
                                        scenario_figure(lambda s: (1 + s.money.cost_growth) * (1 - s.money.productivity_growth) - 1)),
    "nhs_allocation_growth": Figure(lambda r: year_on_year(r, "nhs_allocation"), scenario_figure(lambda s: s.money.allocation_growth)),
    "council_grant_growth": Figure(lambda r: year_on_year(r, "council_grants"), scenario_figure(lambda s: s.money.council_grant_growth)),
    # published comparisons (above)
    "delayed_transfer_days_first_year": Figure(lambda r: delayed_days_per_1000_a_month(r, 0),
                                               published(england_delayed_days_per_1000_a_month(2015)), emergent=True),
    "delayed_transfer_days_second_year": Figure(lambda r: delayed_days_per_1000_a_month(r, 1),
                                                published(england_delayed_days_per_1000_a_month(2016)), emergent=True),
    # the same, month for month: England's figures are Septembers, the model's months 6 and 18
    "delayed_transfer_days_september_2015": Figure(lambda r: delayed_days_per_1000_in_month(r, 6),
                                                   published(england_delayed_days_per_1000_a_month(2015)), emergent=True),
    "delayed_transfer_days_september_2016": Figure(lambda r: delayed_days_per_1000_in_month(r, 18),
                                                   published(england_delayed_days_per_1000_a_month(2016)), emergent=True),
    "waiting_list_growth_second_year": Figure(waiting_list_growth_second_year, published(ENGLAND_WAITING_LIST_GROWTH_2016), emergent=True),
    "beds_free_second_winter": Figure(lambda r: winter_beds_free(r, 1), published(1 - ENGLAND_WINTER_OCCUPANCY[2017]), emergent=True),
    "care_needed_on_discharge_first_year": Figure(lambda r: r.per_head("care_needed_on_discharge", 1000),
                                                  published(ENGLAND_REQUESTS_FROM_HOSPITAL_2015 / ENGLAND_POPULATION[2015] * 1000), emergent=True),
    "older_share_of_emergency_bed_days_first_year": Figure(lambda r: older_share(r, "emergency_bed_days"),
                                                           published(ENGLAND_OLDER_SHARE_OF_EMERGENCY_BED_DAYS_2009), emergent=True),
    "older_share_of_emergency_admissions_first_year": Figure(lambda r: older_share(r, "emergency_admissions"),
                                                             published(ENGLAND_OLDER_SHARE_OF_EMERGENCY_ADMISSIONS_2010), emergent=True),
}

MISSED: dict[str, str] = {  # figure -> why the baseline misses it (means over PUBLISHED_SEEDS)
    "older_share_of_emergency_admissions_first_year": (
        "65.0% of the baseline's emergency admissions are of people aged 65 and over, against England's 40% in 2010-11 (ratio 1.63): "
        "the admission index rises with age, conditions and frailty together, and their stays hardly with age, so the "
        "older people's share of emergency bed days (69% against England's 68%) comes from too many older admissions with "
        "stays too short (docs/calibration.md, Older people's emergency bed use)"),
    "care_needed_on_discharge_first_year": (
        "0.60 people a year per 1,000 leave the baseline's hospitals needing council care they did not have, against "
        "England's 6.45 requests for support by the Discharge from Hospital route in 2015-16 (ratio 0.09; under a fifth "
        "even of the 43% of requests that led to support): the model reaches England's delayed days with a tenth of "
        "its people, each waiting about 16 days against England's 1.5 a request (docs/calibration.md, Known gaps)"),
    "delayed_transfer_days_second_year": (
        "the second year's delays (2016/17) are 1.37 days a month per 1,000 against England's 1.22 in September 2016 "
        "(ratio 1.12): they grow 67% on the first year against England's 47% a head (docs/calibration.md, Known gaps)"),
    "delayed_transfer_days_september_2015": (
        "September 2015 (month 6) has 0.62 delayed days per 1,000 against England's 0.83 (ratio 0.75): the model "
        "starts with nobody delayed and its delays are still climbing, to 1.98 by month 12; the first year's mean "
        "(0.82) passes by averaging that climb (docs/calibration.md, Delayed transfers of care)"),
    "delayed_transfer_days_september_2016": (
        "September 2016 (month 18) has 1.08 delayed days per 1,000 against England's 1.22 (ratio 0.88; by seed 0.50 "
        "to 1.71): the delays fall back after the councils' year-end plans and climb again through the year, to 2.22 "
        "by month 24, so a September sits low in the model's year; over seeds 1001-1024 it was 1.13 (0.92) before the "
        "forecasts' corrections, so the miss is at the comparison's edge (docs/calibration.md, Delayed transfers of care)"),
    "waiting_list_growth_second_year": (
        "the waiting list a head falls 22% in the second year against England's rise of 10% in 2016: the hospitals do "
        "more electives than are listed (docs/calibration.md, Known gaps)"),
    "beds_free_second_winter": (
        "6.4% of beds free from January to March 2017 (months 22-24) against England's 8.6% (ratio 0.74): the hospitals close beds "
        "until their months are about full, up to 6% a year (docs/ODD.md, 'Hospitals run their months full, and "
        "beyond'); a year earlier 13.1% against 9.0%; with the bed lever's range at England's pace it passes "
        "(docs/calibration.md, Beds free in winter)"),
}


PARAMS = [
    pytest.param(figure, id=name, marks=[pytest.mark.xfail(strict=True, reason=MISSED[name])] if name in MISSED else [])
    for name, figure in FIGURES.items()
]


@pytest.mark.parametrize("figure", PARAMS)
def test_baseline_comes_within_10_percent_of_the_figure_it_is_calibrated_to(baseline, published_runs, figure, request):
    scenario, runs = baseline
    if figure.emergent:
        runs = published_runs
    measured = float(np.mean([figure.measured(r) for r in runs]))
    target = float(np.mean([figure.target(scenario, r) for r in runs]))
    assert target != 0
    ratio = measured / target
    assert abs(ratio - 1) <= TOLERANCE, (
        f"{request.node.callspec.id}: measured {measured:.6g} against target {target:.6g} (ratio {ratio:.3f})"
    )


def test_missed_figures_are_figures_that_are_tested():
    assert set(MISSED) <= set(FIGURES)


# --- demand growth -----------------------------------------------------------------------------------
# The scenario's trend (``demand.unexplained_growth`` on top of the population's own change) is demand at
# the organisations' starting levers; what the organisations then decide (a hospital paid by activity
# admitting more at the margin, programmes bending crises) adds to it or takes from it. So the trend is
# checked with the levers held where they start, and the growth the place shows with its decisions
# against what England saw.
ENGLAND_GROWTH = (
    1.24 ** (1 / 9) - 1,  # National Audit Office, Reducing emergency admissions (2018): +24% from 2007-08 to 2016-17
    1.42 ** (1 / 11) - 1,  # The Health Foundation, Emergency hospital admissions in England (2018): +42%, 2006/07 to 2017/18
)


@pytest.fixture(scope="module")
def levers_held() -> tuple[Scenario, list[Run]]:
    return _levers_held(load_scenario()), [_six_years(True, seed) for seed in GROWTH_SEEDS]


def test_demand_grows_as_the_scenarios_trend_with_the_levers_held_where_they_start(levers_held):
    """With the levers held, emergency admissions grow 1.75% a year over seeds 1-12 against the scenario's trend of
    1.92% (ratio 0.92). The programmes the starting bundles run bend it, and without them it is far above the trend
    (3.23% with every programme's effect at 0, seeds 1-12, measured before a cut below the start came to harm more
    with each further unit cut, docs/ODD.md 7.5), so the trend is met by a balance of growth it leaves out and the
    programmes' bend. Before that change it fell short, a strict xfail: 1.70% against 1.90% (0.89; 0.90 over
    1001-1012); the fortress council's prevention cut (its bundle's 30%) now adds 15.4% to new conditions, against
    6.0% when a cut mirrored the curve."""
    scenario, runs = levers_held
    measured = float(np.mean([emergency_admissions_growth(r) for r in runs]))
    target = float(np.mean([demand_growth_target(scenario, r) for r in runs]))
    assert abs(measured / target - 1) <= TOLERANCE, f"measured {measured:.4%} a year against {target:.4%}"


def test_with_the_organisations_decisions_admissions_grow_as_englands_did(levers_held):
    """Growth years 1 to 6 within England's published range, over GROWTH_SEEDS; and the decisions add to it (a
    place of mostly fortress hospitals paid by activity), so the range is not met by the trend alone. The decided
    growth sits in England's range: 2.82% a year over seeds 1-12 (the seeds it is judged on; 2.63% before community
    services' own health counted and a cut's harm grew with each further unit cut, docs/ODD.md 7.5; 3.14%, in the top
    half where the seeds decide whether it is in or out, before the forecasts moved A&E attendances with
    admissions and counted electives against what there is to do, readmissions, strain and the rest);
    before the forecasts were brought into line with the simulation 2.73% over seeds 1-3, 2.90% over 1-6, 3.03%
    over 1-12, but 3.37% over 1001-1003 and 3.25% over 1001-1012, beyond England's 3.24%."""
    low, high = ENGLAND_GROWTH
    decided = float(np.mean([emergency_admissions_growth(_six_years(False, seed)) for seed in GROWTH_SEEDS]))
    held = float(np.mean([emergency_admissions_growth(r) for r in levers_held[1]]))
    assert low <= decided <= high, f"{decided:.2%} a year, outside {low:.2%} to {high:.2%}"
    assert held < low, f"with the levers held: {held:.2%} a year"


def _second_winter_beds_free(bed_change_most: float, baseline_runs: list[Run]) -> float:
    """Beds free in months 22-24, the mean over PUBLISHED_SEEDS, of the baseline with the bed lever's range at
    ``bed_change_most`` (``baseline_runs``: the baseline's own, used where that is its range)."""
    if bed_change_most == load_scenario().capacity.bed_change_most:
        runs = baseline_runs
    else:
        runs = [_two_years((("capacity.bed_change_most", bed_change_most),), seed) for seed in PUBLISHED_SEEDS]
    return float(np.mean([winter_beds_free(r, 1) for r in runs]))


def test_the_second_winters_beds_free_rest_on_how_fast_a_hospital_may_change_its_beds(published_runs):
    """With the bed lever's range at about three times England's pace (capacity.bed_change_most 0.03: England's
    general and acute beds fell 0.9% a year, 2010-11 to 2019-20) the second winter's beds free come within 10% of
    England's; at the baseline's assumed 6% (the strict xfail above) the hospitals close beds faster and they miss
    (docs/calibration.md, Beds free in winter)."""
    england = 1 - ENGLAND_WINTER_OCCUPANCY[2017]
    at_pace = _second_winter_beds_free(0.03, published_runs)
    assumed = _second_winter_beds_free(0.06, published_runs)
    assert abs(at_pace / england - 1) <= TOLERANCE, f"{at_pace:.1%} against {england:.1%}"
    assert assumed / england < 1 - TOLERANCE, f"{assumed:.1%} against {england:.1%}"


# the age-drawn trial (docs/calibration.md, Older people's emergency bed use): admissions flat in age beyond what
# conditions and frailty bring, frailty's ratio lower, stays lengthening with age, and the unmet-need gain that
# brings the delays back to England's
AGE_DRAWN = (("demand.age_gradient_per_decade", 0.0), ("demand.frailty_rate_ratio", 2.0),
             ("demand.los_age_ratio_per_decade", 1.35), ("health.unmet_need_frailty_gain", 0.0062))


def test_older_peoples_share_of_admissions_rests_on_how_admissions_and_stays_are_drawn_by_age(published_runs):
    """Drawn by age (AGE_DRAWN) both of older people's shares come within 10% of England's, of the emergency
    admissions (measured 42.5% against 39.8%) and of the emergency bed days (68.9% against 68%); as the baseline
    draws them the bed days' share passes and the admissions' misses, at over one and a half times England's
    (65.0%, the strict xfail above). Seeds 1-6: the shares hardly vary between seeds (64.2% to 65.7% over 1-24)."""
    drawn = [_two_years(AGE_DRAWN, seed) for seed in range(1, 7)]
    for column, england in (("emergency_admissions", ENGLAND_OLDER_SHARE_OF_EMERGENCY_ADMISSIONS_2010),
                            ("emergency_bed_days", ENGLAND_OLDER_SHARE_OF_EMERGENCY_BED_DAYS_2009)):
        share = float(np.mean([older_share(r, column) for r in drawn]))
        assert abs(share / england - 1) <= TOLERANCE, (column, share, england)
    as_drawn = float(np.mean([older_share(r, "emergency_admissions") for r in published_runs]))
    assert as_drawn / ENGLAND_OLDER_SHARE_OF_EMERGENCY_ADMISSIONS_2010 > 1.5, as_drawn
