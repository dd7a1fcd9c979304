"""Decisions: each organisation sets its levers once a year, as a best response to its incentives.

The idea in one line (../shared/design/INCENTIVES.md): the regime sets the prices at
the margin, the strategy sets whose welfare counts, the regulator sets what is judged,
and each organisation picks its levers as a best response, once a year, with bounded
foresight.

* **Levers** (:data:`LEVERS`): a few numbers per kind of organisation, each with a range
  and the most it can move in a year. They start where the scenario's bundle for the
  organisation's starting strategy puts them.
* **What an option does** (:class:`Change`): for each candidate level of a lever, a
  forecast from last year's own figures (the organisation's tally of its year,
  :class:`~model.delivery.YearTally`, and its contracts' last year) of what would change
  over a year: activity under each contract, the resource costs each organisation
  bears, and the place's health in QALYs. The forecasts use the model's own mechanisms
  to first order (the dose-response of a programme, the marginal share of admissions,
  the beds a hospital has); they never look into the model's future.
* **What it earns and costs** (:func:`own_money`): activity is priced by each contract's
  regime at the margin (:meth:`~model.regimes.base.PaymentRegime.marginal`, from the
  terms alone: no code asks which regime it is), plus the organisation's own costs,
  less what a risk share passes on (:meth:`~model.regimes.base.PaymentRegime.cost_share`),
  less, under graduated sanctions, the sanction it expects next year for the harm its
  partners would measure (:func:`expected_sanction`, ``decisions.sanction_weight``).
* **The objective** (:func:`objective`): its own result; plus, weighted by its strategy
  (``decisions.place_weight_*``: a fortress weighs none of it; a collaborator at weight 1
  weighs the others as itself, so it maximises the place's net benefit, exactly so with the
  commissioners' headroom banked: spent, a commissioner's pound buys more health outside the
  model than a pound counts for here), the others'
  results (the place's money is its resource costs: transfers between organisations
  cancel) and the place's health valued at the threshold, the latter at least at
  ``decisions.mission_weight`` for every organisation (public bodies care for the people
  they serve, fortress or not); less the regulator's judgement
  (``decisions.regulator_weight``): an organisation-focused regulator penalises each
  pound of its own deficit beyond the special measures threshold, a whole-system
  regulator each pound of the place's deficit.
* **The choice**: the current level and up to ``decisions.steps_per_year`` steps either
  way; each judged, one lever at a time, and chosen by a logit on the objective whose
  scale is ``decisions.noise`` of its income, drawn from its own random stream (bounded
  rationality); each step moved costs ``decisions.adjustment_cost`` of its income, so with
  nothing to gain it stays where it is.
* **Councils are cash-limited**: they must balance their budgets and cannot borrow to run
  services, so a council values its own pounds only while its reserves are forecast to
  fall below zero; beyond that, money saved is money it would spend on its services. And each
  has a statutory duty to meet its residents' eligible needs (the Care Act 2014): an eligible need
  it leaves unmet counts against it at what meeting it would cost (``decisions.care_duty_weight``).

Programmes' costs and effects are judged over ``decisions.horizon_years`` (capped by
the term left on the contracts a provider holds): a new dose is paid for as capacity
is recruited and acts as it embeds (:meth:`~model.programmes.Programme.steady_share`),
so a short horizon, such as a one-year contract, makes a programme look dear.

With ``decisions.enabled`` false (the ablation) levers stay at their bundle's levels
and regimes, strategies and regulators change money only.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from model.contracts import Activity, Contract
from model.governance import electives_cut, partners
from model.health import community_qalys_a_year
from model.organisations import Hospital
from model.population import MONTH_DAYS
from model.programmes import dose_response, mean_embedded, mean_in_post
from model.regimes import REGIMES
from model.regimes.base import Outlook
from model.scenario import (
    CommissionerBehaviour,
    CouncilBehaviour,
    GPFederationBehaviour,
    HospitalBehaviour,
    Scenario,
)

if TYPE_CHECKING:
    from model.delivery import YearTally
    from model.economy import LocalHealthEconomy
    from model.organisations import Commissioner, Council, GPFederation, Organisation


@dataclass(frozen=True)
class Lever:
    """A number an organisation sets each year: its range and the most it moves in a step.

    A lever that is a field of the strategy bundles (where it starts) takes its range from that field's
    bounds in the scenario schema, so a scenario cannot start a lever outside the range it moves in."""

    name: str
    label: str
    step: float
    source: str
    bounds: tuple[float, float] | None = None  # for a lever no bundle sets (it starts at 0)
    top: str | None = None  # a scenario field (section.name) that caps the lever below its range's top
    both_ways: bool = False  # ``top`` caps the range's bottom too (from -top)
    switch: str | None = None  # a field of [decisions] that must be true for organisations to set it themselves
    idle: Callable[[Organisation], bool] | None = None  # true when it means nothing to the organisation now

    def highest(self, model: LocalHealthEconomy) -> float:
        """The top of its range in this scenario."""
        if self.top is None:
            return self.high
        return min(self.high, self._cap(model))

    def lowest(self, model: LocalHealthEconomy) -> float:
        """The bottom of its range in this scenario."""
        if self.top is None or not self.both_ways:
            return self.low
        return max(self.low, -self._cap(model))

    def _cap(self, model: LocalHealthEconomy) -> float:
        section, name = self.top.split(".")
        return float(getattr(getattr(model.params, section), name))

    @property
    def low(self) -> float:
        return self._range()[0]

    @property
    def high(self) -> float:
        return self._range()[1]

    def _range(self) -> tuple[float, float]:
        if self.bounds is not None:
            return self.bounds
        return _schema_bounds(self.name)


@functools.cache  # the schema is fixed: read each field's bounds once (a lever's range is asked for at every option)
def _schema_bounds(field: str) -> tuple[float, float]:
    from annotated_types import Ge, Le

    for behaviour in (HospitalBehaviour, GPFederationBehaviour, CommissionerBehaviour, CouncilBehaviour):
        info = behaviour.model_fields.get(field)
        if info is not None:
            low = next(m.ge for m in info.metadata if isinstance(m, Ge))
            high = next(m.le for m in info.metadata if isinstance(m, Le))
            return float(low), float(high)
    raise KeyError(f"{field!r} is not a field of any strategy bundle")


LEVERS: dict[str, tuple[Lever, ...]] = {
    "hospital": (
        Lever("admission_threshold", "admissions at the margin (A&E attenders admitted, relative to the clinical norm)",
              0.025, "assumption: up to a quarter more admitted at the margin; the fortress bundle's 1.10"),
        Lever("elective_growth", "growth of elective capacity over the year", 0.02,
              "assumption: a few theatre sessions more or less a year; the fortress bundle's 4%"),
        Lever("outreach", "specialist outreach into the community (intensity)", 0.25, "assumption"),
        Lever("discharge_support", "early supported discharge (intensity)", 0.25, "assumption"),
        Lever("bed_change", "change in its beds over the year", 0.02,
              "the range: capacity.bed_change_most (the baseline's 6% a year either way an assumption; England's "
              "pace 0.9% a year, docs/calibration.md)", bounds=(-0.06, 0.06), top="capacity.bed_change_most",
              both_ways=True),
    ),
    "gp_federation": (
        Lever("case_management_share", "share of clinical time on proactive care of people with 2+ conditions",
              0.02, "assumption: the collaborative bundle's 8% is within"),
        Lever("referral_shedding", "extra referrals made to shed workload", 0.025,
              "assumption: the fortress bundle's 15% is within"),
    ),
    "commissioner": (
        Lever("community_investment", "real growth it gives community services this year", 0.02, "assumption"),
        Lever("chc_share_ratio", "NHS-funded share of care packages, relative to the standard", 0.05,
              "assumption: the fortress bundle's 0.7 is within"),
        Lever("plan_growth", "growth of the elective plan it pays in full, on last year's electives", 0.02,
              "assumption: a plan agreed within a tenth of last year's electives, moved by a fiftieth a step",
              switch="plan_lever", idle=lambda cm: cm.behaviour.over_plan_payment_rate >= 1.0),
    ),
    "council": (
        Lever("eligibility_tightening", "frailty points added to its starting eligibility threshold", 0.01,
              "the Care Act 2014's national eligibility criteria (from April 2015) leave a council little room to "
              "tighten; the size is an assumption (the fortress bundle's 0.01 is within); never below the need "
              "threshold itself (Council.eligibility)"),
        Lever("prevention_ratio", "prevention spending relative to the start", 0.1, "assumption"),
        Lever("pooled_substitution", "share of NHS money paid to it outside a pooled budget contract that it withdraws from care", 0.25,
              "assumption"),
        Lever("intermediate_care", "intermediate care places per 1,000 residents (reablement or step-down beds for people "
              "fit to leave hospital who wait for care)", 0.1,
              "assumption: a few dozen places a step for a council of 150,000; seed 003, Torbay: 'a major priority has "
              "been to increase spending on intermediate care services'", bounds=(0.0, 2.0),
              top="social_care.intermediate_care_most_per_1000"),
    ),
}


@dataclass
class Change:
    """What moving one lever is expected to change over the coming year."""

    units: dict[tuple[int, str], float] = field(default_factory=lambda: defaultdict(float))  # (id of contract, unit)
    costs: dict[str, float] = field(default_factory=lambda: defaultdict(float))  # resource costs, pounds, by account
    transfers: dict[str, float] = field(default_factory=lambda: defaultdict(float))  # paid to (+) each account outside contracts
    qalys: float = 0.0
    # harm to the others as its partners measure it (model.governance.measure_harm), pounds, by account
    harm: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    # eligible need met (+) or left unmet (-) by each council, pounds: what the packages cost (model.decisions._packages)
    duty: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    # emergency and delayed bed days added (+) at each hospital, by its index: what they do to its beds is worked
    # out on their sum (_settle_beds), since bed days beyond the beds grow faster than the bed days
    bed_days: dict[int, float] = field(default_factory=lambda: defaultdict(float))


# --- the choice --------------------------------------------------------------------------------------------------
def decide(model: LocalHealthEconomy) -> None:
    """Every organisation with levers sets each of them for the coming year (in a fixed order)."""
    d = model.params.decisions
    if not d.enabled or model.delivery.last_year is None:
        return
    view = View(model)
    for org in model.organisations:
        if org.levers_held_at == model.month:
            continue  # a player (a student in the classroom) set them for this year
        for lever in LEVERS.get(org.kind, ()):
            if (lever.switch is not None and not getattr(d, lever.switch)) or lever.name in d.held_levers:
                continue  # a lever the scenario leaves where the bundle puts it
            if lever.idle is not None and lever.idle(org):
                continue  # it means nothing to it now (a plan, while it pays every elective in full)
            current = org.levers[lever.name]
            reach = range(-d.steps_per_year, d.steps_per_year + 1)
            # within the scenario's range, which keeps where it is now as an option
            low, high = min(lever.lowest(model), current), max(lever.highest(model), current)
            options = sorted({min(max(_clip(current + k * lever.step, lever), low), high) for k in reach})
            if len(options) == 1:
                continue  # nothing to choose (a lever the scenario leaves no room to move)
            scale = d.noise * max(org.last_income, 1.0)
            step_cost = d.adjustment_cost * max(org.last_income, 1.0)
            # moving costs something, a step at a time: with nothing to gain it stays where it is
            scores = np.array([0.0 if x == current else
                               objective(view, org, view.change(org, lever.name, x)) - step_cost * round(abs(x - current) / lever.step)
                               for x in options])
            org.levers[lever.name] = options[_logit_choice(scores, scale, model.rng_decisions)]


SUBCONTRACT_REGIMES = ("pbr", "block")  # how a lead provider may pay a hospital for its acute services


def choose_subcontracts(model: LocalHealthEconomy) -> None:
    """A lead provider holding a capitated budget chooses, each year end, how it pays the hospitals it
    sub-contracts acute services from: by activity (PbR) or a block, whichever it expects to cost it less
    next year, its population's admissions growing as they grew last year; as much as its strategy weighs
    the others, what one saves the other loses, so a collaborator keeps what it has (a move costs)."""
    d = model.params.decisions
    if not d.enabled:
        return
    book = model.contracting
    for lead in model.organisations:
        subs = [c for c in book.of_payer(lead) if c.scope == "acute" and c.provider != c.payer
                and c.last_year_activity is not None and lead.kind != "commissioner"]
        if not subs:
            continue
        growth = model.admissions_growth_of(lead)
        weight = d.place_weight_collaborative if lead.strategy == "collaborative" else d.place_weight_fortress
        scale = d.noise * max(lead.last_income, 1.0)
        switch_cost = d.adjustment_cost * max(lead.last_income, 1.0)
        for c in subs:
            basis = book.rebased(c)
            a = c.last_year_activity
            expected = Activity(elective_spells=round(a.elective_spells * (1 + growth)),
                                emergency_spells=round(a.emergency_spells * (1 + growth)),
                                emergency_readmissions=round(a.emergency_readmissions * (1 + growth)),
                                ae_attendances=round(a.ae_attendances * (1 + growth)),
                                outpatient_attendances=round(a.outpatient_attendances * (1 + growth)))
            cost = {}
            for name in SUBCONTRACT_REGIMES:
                regime = REGIMES[name]
                trial = Contract(payer=c.payer, provider=c.provider, scope="acute", regime=regime,
                                 terms=regime.terms(basis, {**model.params.contracting.terms, "scope": "acute"}))
                cost[name] = regime.year_value(trial, expected)
            current = c.regime.name if c.regime.name in cost else None
            scores = np.array([(cost.get(current, cost[n]) - cost[n]) * (1 - weight) - (0.0 if n == current else switch_cost)
                               for n in SUBCONTRACT_REGIMES])
            choice = SUBCONTRACT_REGIMES[_logit_choice(scores, scale, model.rng_decisions)]
            if choice != c.regime.name:
                book.close(c, model.year_to_date())
                new = book.relet(c, lead, regime_name=choice, basis=basis)
                new.last_year_activity = c.last_year_activity
                model.record("subcontract_changed", lead=lead.name, provider=c.provider_org.name, regime=choice)
        book.form_alliances()


def _clip(x: float, lever: Lever) -> float:
    return round(min(max(x, lever.low), lever.high), 10)


def _logit_choice(scores: np.ndarray, scale: float, rng: np.random.Generator) -> int:
    """An index drawn with probability proportional to exp(score / scale) (the best when the scale is
    below a billionth of a pound, as for an organisation with next to no income)."""
    if not scale > 1e-9:
        return int(np.argmax(scores))
    z = np.maximum(scores - scores.max(), -700.0 * scale) / scale  # within exp's range, never overflowing
    p = np.exp(z)
    p /= p.sum()
    # one uniform draw against the cumulative probabilities: what Generator.choice(len(p), p=p) does, without its checks
    cdf = p.cumsum()
    cdf /= cdf[-1]
    return int(cdf.searchsorted(rng.random(), side="right"))


def objective(view: View, org: Organisation, change: Change) -> float:
    """What a change is worth to ``org``: its own result, the place's net benefit as much as its strategy
    weighs it, less the change in the regulator's judgement (pounds)."""
    m = view.model
    d = m.params.decisions
    own = own_money(view, org, change) - d.sanction_weight * expected_sanction(view, org, change)
    place = -sum(change.costs.values())  # the place's money: resource costs (transfers between its organisations cancel)
    weight = d.place_weight_collaborative if org.strategy == "collaborative" else d.place_weight_fortress
    # its own result, and as much as its strategy weighs them the others' results and the place's health:
    # at weight 1 it maximises the place's net benefit (exactly with the commissioners' headroom banked; with it
    # spent a commissioner's pound is worth more to the net benefit than it counts for here), and a cost it merely shifts onto a partner is worth
    # nothing. Every organisation values the health its own decisions change at least at its mission's weight.
    health = max(weight, d.mission_weight)
    value = _own_value(org, own, d.council_surplus_value) + weight * (place - own) + health * view.qaly_value * change.qalys
    # a council's statutory duty to meet the eligible needs of its residents (Care Act 2014): an eligible need
    # it leaves unmet counts against it at what meeting it would cost
    value += d.care_duty_weight * change.duty.get(org.account, 0.0)
    reg = m.params.regulation
    line = m.regulator.own_line(org)
    if line is not None:
        value -= d.regulator_weight * (_shortfall(org.last_result + own, line) - _shortfall(org.last_result, line))
    elif reg.focus == "system":
        # the place against its control total, its people's health counted with its money (whole-system performance)
        judged = place + reg.system_health_weight * view.qaly_value * change.qalys
        value -= d.regulator_weight * (_shortfall(view.place_result + judged, 0.0) - _shortfall(view.place_result, 0.0))
    return value


def expected_sanction(view: View, org: Organisation, change: Change) -> float:
    """The change in the graduated sanction ``org`` expects to pay next year (model.regulation): its harm
    beyond the tolerance, as last year's harm plus what the change adds, times the sanction per pound and its
    score of seen defections should it be seen again; as likely as one of its partners that did no harm last
    year (those it pays) sees it: all of them with shared measures or its books open, else each one in
    ``commons.visibility_without_measures``. A payment to partners: it moves its own result, not the place's."""
    m = view.model
    commons = m.params.commons
    added = change.harm.get(org.account, 0.0)
    if not commons.graduated_sanctions or added == 0:
        return 0.0
    line = org.harm_line
    excess_now = max(org.harm - line, 0.0)
    excess_new = max(org.harm + added - line, 0.0)
    if excess_new == excess_now:
        return 0.0
    victims = sum(not m.organisation(p).defected for p in partners(m, org))
    see = 1.0 if commons.shared_measures or org.shares_data else commons.visibility_without_measures
    seen = 1.0 - (1.0 - see) ** victims
    score = org.defection_score * commons.defection_memory + 1.0
    return seen * commons.sanction_per_harm * score * (excess_new - excess_now)


def _own_value(org: Organisation, own: float, surplus_value: float) -> float:
    """What a change in its own money is worth to an organisation. A council is cash-limited: it must set a
    balanced budget and cannot borrow to run services, so a pound counts in full while its reserves at the
    next year end are forecast below zero; beyond that it counts ``surplus_value``
    (``decisions.council_surplus_value``): 0, money saved is money it would spend on its other services
    anyway; 1, a pound is a pound, as the net monetary benefit counts it."""
    if org.kind != "council":
        return own
    projected = org.reserves + org.last_result
    below = min(projected + own, 0.0) - min(projected, 0.0)
    return below + surplus_value * (own - below)


def _shortfall(result: float, line: float) -> float:
    return max(line - result, 0.0)


def own_money(view: View, org: Organisation, change: Change) -> float:
    """Pounds a change brings ``org`` over the year: activity at each contract's marginal price (received
    as provider, paid as payer; a lead's contracts with itself move no money), transfers outside
    contracts, less its own costs, plus what risk shares pass on of them."""
    money = change.transfers.get(org.account, 0.0) - change.costs.get(org.account, 0.0)
    for (cid, unit), n in change.units.items():
        c = view.contract_by_id[cid]
        if n == 0 or c.payer == c.provider or org.account not in (c.payer, c.provider):
            continue
        price = view.marginal(c, unit)
        money += n * price if c.provider == org.account else -n * price
    own_cost = change.costs.get(org.account, 0.0)
    if own_cost:
        money += own_cost * view.shared_cost(org)
    return money


# --- what the organisations know of last year ------------------------------------------------------------------
class View:
    """The figures every organisation plans on this year end: last year's tally, contracts and prices."""

    def __init__(self, model: LocalHealthEconomy) -> None:
        self.model = model
        self.tally: YearTally = model.delivery.last_year
        s = model.params
        pr = model.prices
        self.active = model.contracting.active()
        self.contract_by_id = {id(c): c for c in self.active}
        self.acute = [c for c in self.active if c.scope == "acute"]
        self._contracts: dict[tuple[str, str, str | None], list[Contract]] = {}  # contracts by hospital or population
        self._shared: dict[str, float] = {}
        self._bed_base: dict[tuple[int, int], tuple[float, float]] = {}
        self._bed_months_of: dict[int, tuple[list[float], list[float], list[float]]] = {}  # _bed_months
        self._listed: dict[int | None, int] = {}  # people on a hospital's waiting list (None: the place's)
        self._share: dict[tuple[int, str], tuple[list[Contract], tuple]] = {}  # contracts' shares of an activity (_shares)
        self._programme: dict[str, tuple[float, float, float]] = {}  # each organisation's (_programme_factor)
        self._long_months: dict[int | None, float] = {}  # months beyond 18 weeks one more listed person brings (_list_qalys)
        self._marginal: dict[tuple[int, str], float] = {}
        self._plans: dict[str, tuple] = {}  # by commissioner's account (population_plan)
        self._referrals: dict[str, tuple] = {}  # by commissioner's account (referral_plan)
        self._electives: dict[tuple[int, int], tuple[float, float, float]] = {}  # by hospital and beds (electives_done)
        self._strain: dict[int, tuple[float, float]] = {}  # by hospital (_over_the_beds)
        # stays over the year ahead, the trend in clinical practice taken at its middle
        practice = model.practice_los(model.month + 6)
        self.emergency_los = s.demand.emergency_los_days * practice
        self.marginal_los = s.demand.marginal_los_days * practice
        self.elective_los = s.demand.elective_los_days * practice
        self.place_result = sum(o.last_result for o in model.organisations)
        self.qaly_value = s.net_health.threshold_per_qaly
        self.people = model.contracting.people_of_commissioner()
        uc = pr.unit_cost
        t = s.tariff
        # the variable cost of a unit of activity at today's costs
        self.cost_bed_day = pr.bed_day_cost(s)
        self.cost_elective = t.elective_spell * t.variable_cost_share * uc
        self.cost_ae = t.ae_attendance * t.variable_cost_share * uc
        self.cost_outpatient = t.outpatient_attendance * t.variable_cost_share * uc
        self.package_year = pr.package_cost * 12
        self.health = _HealthWeights(model)
        self._hospital_use: dict[int, np.ndarray] = {}
        self._eligible: dict[tuple[int, float], int] = {}
        self._resident_frailty: dict[int, np.ndarray] = {}  # each council's living residents' frailty (_eligible_above)
        self._reabled: dict[int, float] = {}

    # -- prices -----------------------------------------------------------------------------------------------
    def marginal(self, c: Contract, unit: str) -> float:
        key = (id(c), unit)
        if key not in self._marginal:
            activity = c.last_year_activity or (c.basis.expected if c.basis is not None else Activity())
            pop = c.population_of
            outlook = Outlook(activity=activity,
                              outcomes=self.model.contracting.last_year_outcomes.get(pop.account, {}) if pop else {},
                              people=int(self.people[pop.index]) if pop else 0)
            self._marginal[key] = c.regime.marginal(c, unit, outlook)
        return self._marginal[key]

    def hospital_use(self, co: Council) -> np.ndarray:
        """The share of the council's living residents who use each hospital (worked out once a year end)."""
        if co.index not in self._hospital_use:
            use = self.model.population.living_in_council_by_hospital(co.index, len(self.model.hospitals)).astype(float)
            self._hospital_use[co.index] = use / max(use.sum(), 1.0)
        return self._hospital_use[co.index]

    def eligible_under(self, co: Council, tightening: float) -> int:
        """The council's residents it would count eligible with ``tightening``: its rationing and pooled
        budget as they are (Council.eligibility_with)."""
        key = (co.index, "under", tightening)
        if key not in self._eligible:
            self._eligible[key] = self._eligible_above(co, co.eligibility_with(tightening))
        return self._eligible[key]

    def reabled_share(self, co: Council) -> float:
        """Of the council's residents waiting for a package now, the share a stay in intermediate care would
        take below its eligibility (Delivery.reabled_share; once a year end)."""
        if co.index not in self._reabled:
            self._reabled[co.index] = self.model.delivery.reabled_share(co)
        return self._reabled[co.index]

    def eligible_at(self, co: Council, tightening: float) -> int:
        """The council's residents who would be eligible were its starting criteria tightened by ``tightening``
        (never below the need threshold; counted once a year end for each level)."""
        key = (co.index, tightening)
        if key not in self._eligible:
            need = self.model.params.social_care.need_threshold
            self._eligible[key] = self._eligible_above(co, max(co.start_eligibility + tightening, need))
        return self._eligible[key]

    def _eligible_above(self, co: Council, threshold: float) -> int:
        """Delivery.eligible_at, on the council's residents' frailties taken once a year end."""
        frailty = self._resident_frailty.get(co.index)
        if frailty is None:
            frailty = self._resident_frailty[co.index] = self.model.delivery.resident_frailty(co)
        return self.model.delivery.eligible_among(frailty, threshold)

    def shared_cost(self, org: Organisation) -> float:
        """The share of ``org``'s extra costs its contracts' risk shares pass on (by each contract's value)."""
        if org.account not in self._shared:
            total = shared = 0.0
            for c in self.active:
                if c.provider != org.account or c.payer == c.provider:
                    continue
                value = _value(c)
                total += value
                shared += value * c.regime.cost_share(c)
            self._shared[org.account] = shared / total if total else 0.0
        return self._shared[org.account]

    def acute_contracts(self, hospital: Hospital) -> list[Contract]:
        """The contracts paying for the hospital's acute services (one per population)."""
        key = ("at", hospital.account, None)
        if key not in self._contracts:
            self._contracts[key] = [c for c in self.acute if c.provider_org is hospital]
        return self._contracts[key]

    def population_contracts(self, cm: Commissioner, hospital: Hospital | None = None) -> list[Contract]:
        """The acute contracts serving ``cm``'s population (at one hospital, or at any hospital of the place)."""
        key = ("for", cm.account, hospital.account if hospital is not None else None)
        if key not in self._contracts:
            self._contracts[key] = [c for c in self.acute if c.population_of is cm and (
                c.provider_org is hospital if hospital is not None else isinstance(c.provider_org, Hospital))]
        return self._contracts[key]

    def referral_contracts(self, cm: Commissioner, hospital: Hospital | None = None) -> list[Contract]:
        """The acute contracts serving ``cm``'s population with any provider (hospital or not), or with ``hospital``
        alone: where its GP federation's referrals go."""
        key = ("referred", cm.account, hospital.account if hospital is not None else None)
        if key not in self._contracts:
            self._contracts[key] = [c for c in self.acute if c.population_of is cm and (
                hospital is None or c.provider_org is hospital)]
        return self._contracts[key]

    def spread(self, change: Change, contracts: list[Contract], unit: str, n: float, by: str) -> None:
        """Add ``n`` units across contracts in proportion to each one's last-year ``by`` activity."""
        if not contracts or n == 0:
            return
        _add(change.units, self.shares_of(contracts, by), unit, n)

    def shares_of(self, contracts: list[Contract], by: str) -> tuple[tuple[int, float], ...]:
        """Each contract's id and its share of the contracts' last-year ``by`` activity, in the list's order."""
        return self._shares(contracts, by)[1]

    def referral_plan(self, cm: Commissioner) -> tuple[float, tuple[tuple[str, float, Hospital | None], ...]]:
        """Over the contracts ``cm``'s GP federation refers to (referral_contracts): the mean price its commissioner
        pays for an outpatient attendance (0 where it provides it itself), and for each contract its provider's
        account, its share of last year's outpatient attendances and its hospital (None for a provider that is not
        one); worked out once a year end."""
        plan = self._referrals.get(cm.account)
        if plan is None:
            contracts = self.referral_contracts(cm)
            prices = [self.marginal(c, "outpatient_attendance") if c.payer != c.provider else 0.0 for c in contracts]
            plan = self._referrals[cm.account] = (
                float(np.mean(prices)) if prices else 0.0,
                tuple((c.provider, self.share(contracts, c, "outpatient_attendances"),
                       c.provider_org if isinstance(c.provider_org, Hospital) else None) for c in contracts))
        return plan

    def population_plan(self, cm: Commissioner) -> tuple[tuple[float, Hospital, tuple, tuple], ...]:
        """For each acute contract serving ``cm``'s population at a hospital: its share of their emergency spells
        last year, the hospital, and the shares of emergency spells and of A&E attendances among ``cm``'s
        contracts there (what _population_activity spreads over; worked out once a year end)."""
        plan = self._plans.get(cm.account)
        if plan is None:
            contracts = self.population_contracts(cm)
            rows = []
            for c in contracts:
                at = self.population_contracts(cm, c.provider_org)
                rows.append((self.share(contracts, c, "emergency_spells"), c.provider_org,
                             self.shares_of(at, "emergency_spells"), self.shares_of(at, "ae_attendances")))
            plan = self._plans[cm.account] = tuple(rows)
        return plan

    def share(self, contracts: list[Contract], c: Contract, by: str) -> float:
        """``c``'s share of the contracts' last-year ``by`` activity (equal shares when there is none)."""
        return self._shares(contracts, by)[0][id(c)]

    def _shares(self, contracts: list[Contract], by: str) -> tuple[dict[int, float], tuple[tuple[int, float], ...]]:
        """Each contract's share of the contracts' last-year ``by`` activity, by its id (equal shares when there is
        none), as a mapping and as pairs in the list's order; worked out once a year end for each list and
        measure, found by the list's identity (the cache holds each list, so its id stays its own)."""
        held = self._share.get((id(contracts), by))
        if held is not None and held[0] is contracts:
            return held[1]
        weights = [float(getattr(c.last_year_activity, by)) if c.last_year_activity is not None else 0.0
                   for c in contracts]
        total = sum(weights)
        by_id = {id(c): w / total if total > 0 else 1 / len(contracts) for c, w in zip(contracts, weights, strict=True)}
        shares = (by_id, tuple((id(c), by_id[id(c)]) for c in contracts))
        self._share[(id(contracts), by)] = (contracts, shares)
        return shares

    # -- a hospital's beds ----------------------------------------------------------------------------------------
    def inpatient_electives(self, h: Hospital) -> float:
        """The inpatient electives its capacity and beds let it do over a year like the last."""
        return self._year_like_last(h)[1]

    def _bed_year(self, h: Hospital, n_beds: int, extra_bed_days: float = 0.0, capacity_factor: float = 1.0
                  ) -> tuple[float, float]:
        """Over a year of last year's monthly emergency and delayed bed days at ``h`` with ``extra_bed_days``
        spread over them, and its inpatient elective capacity times ``capacity_factor``, with ``n_beds`` beds: the
        bed days beyond the beds and the inpatient electives that can be done (twelve months: plain floats,
        faster than arrays this short)."""
        room = n_beds * MONTH_DAYS
        los = self.elective_los
        over = electives = 0.0
        for days, share, can in zip(*self._bed_months(h), strict=True):
            days += extra_bed_days * share
            if days > room:
                over += days - room
            else:
                can *= capacity_factor
                free = (room - days) / los
                electives += free if free < can else can
        return over, electives

    def _bed_months(self, h: Hospital) -> tuple[list[float], list[float], list[float]]:
        """Last year's bed days at ``h`` by month, how they fell over its months, and its inpatient elective
        capacity by month (worked out once a year end)."""
        months = self._bed_months_of.get(h.index)
        if months is None:
            t = self.tally
            bd = t.bed_days_month[h.index]
            total = float(bd.sum())
            share = bd / total if total > 0 else np.full(12, 1 / 12)
            months = self._bed_months_of[h.index] = (
                bd.tolist(), share.tolist(), t.inpatient_capacity_month[h.index].tolist())
        return months

    def _year_like_last(self, h: Hospital) -> tuple[float, float]:
        key = (h.index, h.beds)
        base = self._bed_base.get(key)
        if base is None:
            base = self._bed_base[key] = self._bed_year(h, h.beds)
        return base

    def bed_effects(self, h: Hospital, extra_bed_days: float, capacity_factor: float = 1.0, beds: int | None = None
                    ) -> tuple[float, float]:
        """Over a year like the last, with ``extra_bed_days`` of emergency stays spread over its months, its
        inpatient elective capacity times ``capacity_factor`` and ``beds`` beds: the change in bed days
        beyond its beds (escalation) and in inpatient electives it can do, against last year."""
        if extra_bed_days == 0 and capacity_factor == 1.0 and beds in (None, h.beds):
            return 0.0, 0.0  # last year itself
        over0, el0 = self._year_like_last(h)
        over1, el1 = self._bed_year(h, h.beds if beds is None else beds, extra_bed_days, capacity_factor)
        return over1 - over0, el1 - el0

    def electives_done(self, h: Hospital, more_can: float, more_listed: float = 0.0) -> float:
        """Electives done over a year like the last, against last year's, when the hospital can do ``more_can``
        more and ``more_listed`` more people are listed: Delivery treats its list up to what it can do, so
        electives are the lesser of what it can do and what there is to do (its list and a year's listing).
        Capacity beyond what there is to do stands idle; one more listed where capacity is idle is one more done."""
        key = (h.index, h.beds)
        held = self._electives.get(key)
        if held is None:  # what it can do and what there is to do over a year like the last: once a year end
            can = h.elective_capacity_now * 12 * self.model.params.demand.elective_day_case_share + self.inpatient_electives(h)
            to_do = h.waiting_list + float(self.tally.listed[h.index])
            held = self._electives[key] = (can, to_do, min(can, to_do))
        can, to_do, done = held
        return min(can + more_can, to_do + more_listed) - done

    def waiting_list(self, h: Hospital | None) -> int:
        """People on the hospital's waiting list (None: on the place's), counted once a year end: the lists do
        not change while organisations decide."""
        at = h.index if h is not None else None
        if at not in self._listed:
            w = self.model.delivery.waiting
            self._listed[at] = w[:, at, :].sum() if at is not None else w.sum()
        return self._listed[at]

    def admissions_per_condition_year(self) -> float:
        """Emergency admissions a year that one more long-term condition brings a person (first order: the
        place's admission rate times the step per condition, condition_steps)."""
        return self.tally.emergency.sum() / max(self.model.population.size, 1) * self.condition_steps[1]

    def attendances_per_condition_year(self) -> float:
        """A&E attendances a year (admitted or not) that one more long-term condition brings a person."""
        return self.tally.ae.sum() / max(self.model.population.size, 1) * self.condition_steps[0]

    @functools.cached_property
    def admissions_per_attendance(self) -> float:
        """Of last year's A&E attendances (admissions among them), the share admitted."""
        return float(self.tally.emergency.sum()) / max(float(self.tally.ae.sum()), 1.0)

    @staticmethod
    def attendances_per_admission(attendances: float, admissions: float) -> float:
        """A group's A&E attendances last year (admitted or not) per admission: what a change in the group's
        risk of a crisis moves with each admission. Population.demand: the crisis effects, unmet need and a
        discharge the month before raise a person's risk of attending, and a share of those attending, which
        the person's age, conditions and frailty set, is admitted; so an effect on that risk moves the group's
        attendances with its admissions (one on the share admitted, like the threshold or community
        services, moves admissions alone)."""
        return float(attendances) / float(admissions) if admissions > 0 else 0.0

    @functools.cached_property
    def condition_steps(self) -> tuple[float, float]:
        """What one more long-term condition adds to a person's risk of attending A&E and of being admitted
        (first order: the mean step between levels, at the place's mean frailty). Population: attending goes
        with its attendance index, the share of those attending admitted with ``demand.ltc_rate_ratios``, so
        admission takes both; and a condition adds ``health.frailty_per_ltc`` to frailty (Population.evolve),
        which raises both indices too."""
        m = self.model
        pop = m.population
        attend = pop.attendance_ratios_by_conditions()
        admit = attend * np.asarray(m.params.demand.ltc_rate_ratios)
        f = float(pop.frailty[pop.alive].mean())
        (attend_now, admit_now), (attend_more, admit_more) = (
            _frailty_factors(m.params, frailty) for frailty in (f, f + m.params.health.frailty_per_ltc))
        return (float(np.mean(attend[1:] / attend[:-1])) * attend_more / attend_now - 1.0,
                float(np.mean(admit[1:] / admit[:-1])) * admit_more / admit_now - 1.0)

    @functools.cached_property
    def multimorbid_by_gp(self) -> tuple[np.ndarray, np.ndarray, float]:
        """Per GP federation, its living patients with 2+ conditions and, of them, those over 40 (whose frailty
        grows with age, Population.evolve); and their mean frailty (counted once a year end)."""
        pop = self.model.population
        n = len(self.model.gp_federations)
        multi = pop.ltc >= 2
        multi &= pop.alive
        people = np.flatnonzero(multi)  # the living with 2+ conditions
        gp = pop.gp[people]
        frailty = float(pop.frailty[people].mean()) if people.size else 0.0
        return np.bincount(gp, minlength=n), np.bincount(gp[pop.age[people] > 40], minlength=n), frailty

    @functools.cached_property
    def frail_admissions_per_person_month(self) -> float:
        """Emergency admissions a month of a person frail enough to need care (last year's admissions of frail
        people over those now frail; first order; counted once a year end)."""
        pop = self.model.population
        frail = np.count_nonzero(pop.alive & (pop.frailty >= self.model.params.social_care.need_threshold))
        return float(self.tally.frail.sum()) / 12 / frail if frail else 0.0

    def unmet_admissions_per_month(self, co: Council) -> float:
        """Extra emergency admissions a person-month of the council's residents' unmet need brings (first
        order: their admissions last year per person-month, the part the unmet need ratio adds)."""
        t = self.tally
        unmet = t.unmet_months[co.index]
        rr = self.model.params.social_care.unmet_need_rate_ratio
        if unmet <= 0 or rr <= 0:
            return 0.0
        return t.unmet_admissions[co.index] / unmet * (1 - 1 / rr)

    def escalation_cost(self, h: Hospital) -> float:
        """A bed day beyond the hospital's beds at today's costs (over and above a planned bed day)."""
        m = self.model
        return h.cost_per_bed_month / MONTH_DAYS * m.params.capacity.escalation_cost_ratio * m.prices.unit_cost

    def horizon_months(self, org: Organisation) -> float:
        """How far ahead it weighs a programme: the planning horizon, for a provider no further than the term
        left on the contracts it holds (at least a year)."""
        m = self.model
        years = m.params.decisions.horizon_years
        contracts = [c for c in m.contracting.of_provider(org) if c.payer != c.provider]
        if contracts and org.kind != "commissioner":
            left = max(c.start_step / 12 + c.term_years - m.month / 12 for c in contracts)
            years = min(years, max(left, 1.0))
        return 12 * years

    # -- the options -------------------------------------------------------------------------------------------
    def change(self, org: Organisation, lever: str, x: float) -> Change:
        """What setting ``org``'s ``lever`` to ``x`` (all else as it is) is expected to change over a year."""
        change = _FORECASTS[(org.kind, lever)](self, org, x)
        _settle_beds(self, change)
        return change


def _value(c: Contract) -> float:
    if c.basis is not None:
        return c.basis.annual_value
    return float(c.terms.get("annual_value", 0.0))


class _HealthWeights:
    """QALYs of one more of each event a decision moves (negative: a loss), from model.health."""

    def __init__(self, model: LocalHealthEconomy) -> None:
        from model.health import qalys_gained

        p = model.params.net_health
        h = model.params.health
        # an emergency admission: a month of acute illness, and its raised risk of death that month
        deaths = h.deaths_per_1000 / 1000 / 12 * (h.emergency_admission_mortality_rr - 1.0)
        self.admission = -qalys_gained(p, admissions_avoided=1.0, deaths_avoided=deaths)
        # an admission made only because the threshold was lowered: the month's stay, without the raised risk of
        # death (model.economy: such admissions carry no acute illness's mortality)
        self.marginal_admission = -qalys_gained(p, admissions_avoided=1.0)
        self.unmet_month = -qalys_gained(p, unmet_need_months_avoided=1.0)  # a person-month of unmet care need
        self.delayed_month = -qalys_gained(p, delayed_months_avoided=1.0)  # a person-month delayed in a hospital bed
        self.long_wait_month = -qalys_gained(p, long_wait_months_avoided=1.0)  # a person-month waiting over 18 weeks
        self.frailty_month = -qalys_gained(p, frailty_months_avoided=1.0)  # a frailty index point for a month
        # a person-year with one more long-term condition: the mean step in the decrements per condition, and the
        # frailty a condition adds for good (Population.evolve: health.frailty_per_ltc) at the frailty decrement
        self.condition_year = (-float(np.mean(np.diff(np.asarray(p.ltc_decrements, dtype=float))))
                               - qalys_gained(p, frailty_months_avoided=12 * h.frailty_per_ltc))


# --- forecasts, one per lever ------------------------------------------------------------------------------------------
def _programme_factor(view: View, org: Organisation) -> tuple[float, float, float]:
    """Shares of a new dose's running cost and of its effect seen over the horizon, and the horizon in months."""
    factor = view._programme.get(org.account)
    if factor is None:  # the same for each of its options: worked out once a year end
        p = view.model.params.programmes
        months = view.horizon_months(org)
        factor = view._programme[org.account] = (mean_in_post(months, p), mean_embedded(months, p), months)
    return factor


def _programme_cost(view: View, org: Organisation, cost_year: float, now: float, x: float) -> float:
    """Pounds a year that moving a programme's dose from ``now`` to ``x`` costs (``cost_year`` a unit of
    dose): its running cost for the share in post over the horizon, and the set-up of any capacity added,
    spread over the horizon (at least a year)."""
    build, _, months = _programme_factor(view, org)
    setup_months = view.model.params.programmes.setup_months
    return cost_year * (x - now) * build + max(x - now, 0.0) * cost_year / 12 * setup_months * 12 / max(months, 12.0)


def _cut(most: float, half: float, dose_now: float, dose_new: float) -> tuple[float, float]:
    """The effect (share of risk removed) now and at a new dose, steady state."""
    return dose_response(dose_now, most, half), dose_response(dose_new, most, half)


def _further(now: float, new: float) -> float:
    """The share of the risk still left at effect ``now`` that moving to effect ``new`` removes."""
    left = 1.0 - now
    return (new - now) / left if left > 1e-12 else 0.0


def _hospital_admission_threshold(view: View, h: Hospital, x: float) -> Change:
    ch = Change()
    now = h.levers["admission_threshold"]
    contracts = view.acute_contracts(h)
    first = view.tally.emergency[h.index] - view.tally.readmissions[h.index]
    extra = first * (x / now - 1.0)  # admissions scale with the threshold; the extra ones are marginal stays
    view.spread(ch, contracts, "emergency_spell", extra, "emergency_spells")
    # the harm its partners measure: what its payers pay for admissions at the margin
    ch.harm[h.account] += sum(ch.units[(id(c), "emergency_spell")] * view.marginal(c, "emergency_spell")
                              for c in contracts if c.payer != c.provider)
    _bed_days(view, ch, h, extra * view.marginal_los)
    ch.qalys += extra * view.health.marginal_admission
    # each leaves with the raised risk of coming back the month after (Delivery.allocate_social_care sets it for
    # everyone discharged; Population.demand), coming back as last year's discharges did
    t = view.tally
    admissions = _readmissions(view, ch, h, extra * t.readmissions[h.index] / max(t.emergency[h.index], 1.0))
    _bed_days(view, ch, h, admissions * view.emergency_los)
    return ch


def _readmissions(view: View, ch: Change, h: Hospital, readmissions: float) -> float:
    """``readmissions`` more at ``h`` (fewer if negative), priced as readmissions under its contracts. The ratio
    raises the risk of coming back (Population.demand), not the risk itself: one in ``readmission_rate_ratio`` of
    them would have come anyway, as a first admission. The admissions the ratio brings come through A&E, with the
    attendances of people discharged the month before, and each costs an admission's health. Returns those
    admissions, whose bed days the caller adds with its own."""
    m = view.model
    t = view.tally
    contracts = view.acute_contracts(h)
    first = -readmissions / m.params.demand.readmission_rate_ratio
    view.spread(ch, contracts, "emergency_readmission", readmissions, "emergency_readmissions")
    view.spread(ch, contracts, "emergency_spell", first, "emergency_spells")
    admissions = readmissions + first
    attendances = admissions * view.attendances_per_admission(t.ae_readmit[h.index], t.readmissions[h.index])
    view.spread(ch, contracts, "ae_attendance", attendances, "ae_attendances")
    ch.costs[h.account] += attendances * view.cost_ae
    ch.qalys += admissions * view.health.admission
    return admissions


def _hospital_elective_growth(view: View, h: Hospital, x: float) -> Change:
    ch = Change()
    s = view.model.params
    now = h.levers["elective_growth"]
    factor = (1 + x) / (1 + now)
    capacity = h.elective_capacity_now * 12
    day = capacity * s.demand.elective_day_case_share * (factor - 1)
    _, inpatient = view.bed_effects(h, 0.0, capacity_factor=factor)
    electives = view.electives_done(h, day + inpatient)  # a cut of capacity that stands idle loses nothing
    view.spread(ch, view.acute_contracts(h), "elective_spell", electives, "elective_spells")
    # its capacity at x against at now (a year like the last), beyond the staff it can recruit in a year at the premium
    at_x, at_now = h.elective_capacity * factor, h.elective_capacity
    capacity_cost = 12 * (h.elective_capacity_cost_month(at_x, h.established_after(at_x))
                          - h.elective_capacity_cost_month(at_now, h.established_after(at_now)))
    ch.costs[h.account] += capacity_cost + electives * view.cost_elective
    ch.qalys += _wait_qalys(view, h, electives)
    return ch


def _hospital_outreach(view: View, h: Hospital, x: float) -> Change:
    ch = Change()
    m = view.model
    p = m.params.programmes
    build, act, _ = _programme_factor(view, h)
    dose = h.levers["outreach"]
    crisis_now, crisis_new = _cut(p.outreach_effect, p.outreach_half_dose, dose, x)
    ref_now, ref_new = _cut(p.outreach_referral_effect, p.outreach_half_dose, dose, x)
    t = view.tally
    admissions = -t.multi[h.index] * _further(crisis_now, crisis_new) * act
    attendances = admissions * view.attendances_per_admission(t.ae_multi[h.index], t.multi[h.index])
    referrals = -t.referrals[h.index] * _further(ref_now, ref_new) * act
    contracts = view.acute_contracts(h)
    view.spread(ch, contracts, "emergency_spell", admissions, "emergency_spells")
    view.spread(ch, contracts, "ae_attendance", attendances, "ae_attendances")
    view.spread(ch, contracts, "outpatient_attendance", referrals, "outpatient_attendances")
    bed_days = admissions * view.emergency_los
    # specialists moved out: elective capacity lost while they are in post
    factor = 1 - p.outreach_cost_share * (x - dose) * build / max(1 - p.outreach_cost_share * h.in_post("outreach"), 1e-9)
    over, inpatient = view.bed_effects(h, bed_days, capacity_factor=factor)
    day = h.elective_capacity_now * 12 * m.params.demand.elective_day_case_share * (factor - 1)
    # fewer referred: fewer listed on its list; where its capacity would have treated them, fewer electives,
    # and where it would not, shorter waits for everyone on it (as _gp_referral_shedding)
    listed = referrals * m.params.demand.listed_share
    electives = view.electives_done(h, day + inpatient, listed)
    view.spread(ch, contracts, "elective_spell", electives, "elective_spells")
    ch.costs[h.account] += (bed_days * view.cost_bed_day + _over_the_beds(view, h, over) + attendances * view.cost_ae
                            + referrals * view.cost_outpatient + electives * view.cost_elective)
    ch.qalys += admissions * view.health.admission + _wait_qalys(view, h, electives) + _list_qalys(view, listed, h)
    return ch


def _hospital_discharge_support(view: View, h: Hospital, x: float) -> Change:
    ch = Change()
    m = view.model
    p = m.params.programmes
    _, act, _ = _programme_factor(view, h)
    dose = h.levers["discharge_support"]
    los_now, los_new = _cut(p.discharge_los_effect, p.discharge_half_dose, dose, x)
    re_now, re_new = _cut(p.discharge_readmission_effect, p.discharge_half_dose, dose, x)
    t = view.tally
    bed_days = -t.frail_bed_days[h.index] * _further(los_now, los_new) * act
    # those it keeps well leave without the readmission ratio, not without risk (Delivery.allocate_social_care)
    admissions = _readmissions(view, ch, h, -t.readmissions[h.index] * _further(re_now, re_new) * act)
    bed_days += admissions * view.emergency_los
    _bed_days(view, ch, h, bed_days)
    ch.costs[h.account] += _programme_cost(view, h, h.discharge_cost_year(), dose, x)
    return ch


def _hospital_beds(view: View, h: Hospital, x: float) -> Change:
    ch = Change()
    m = view.model
    now = h.levers["bed_change"]
    beds_x, beds_now = int(round(h.beds * (1 + x))), int(round(h.beds * (1 + now)))
    over_x, can_x = view.bed_effects(h, 0.0, beds=beds_x)
    over_now, can_now = view.bed_effects(h, 0.0, beds=beds_now)
    over, electives = over_x - over_now, view.electives_done(h, can_x) - view.electives_done(h, can_now)
    view.spread(ch, view.acute_contracts(h), "elective_spell", electives, "elective_spells")
    ch.costs[h.account] += ((beds_x - beds_now) * h.cost_per_bed_month * 12 * m.prices.unit_cost
                            + _over_the_beds(view, h, over) + electives * view.cost_elective)
    ch.qalys += _wait_qalys(view, h, electives)
    return ch


def _over_the_beds(view: View, h: Hospital, over: float) -> float:
    """What ``over`` more bed days beyond the hospital's beds cost it: the escalation premium, and the strain
    they bring (Delivery.deliver: a month over its beds lengthens the next month's frail stays by
    ``capacity.strain_los_per_occupancy`` times the occupancy beyond 1), whose bed days, beyond the beds too,
    carry a bed day's variable cost and the premium, and bring strain of their own (first order: the share of
    frail bed days in last year's)."""
    if over == 0:
        return 0.0
    held = view._strain.get(h.index)
    if held is None:  # the same for every option: once a year end
        strain = view.model.params.capacity.strain_los_per_occupancy * view.tally.frail_bed_days[h.index] / max(
            view.tally.bed_days_month[h.index].sum(), 1.0)
        held = view._strain[h.index] = (strain, view.escalation_cost(h))
    strain, escalation = held
    longer = over * strain / (1.0 - strain) if strain < 1.0 else 0.0
    return (over + longer) * escalation + longer * view.cost_bed_day


def _gp_case_management(view: View, g: GPFederation, x: float) -> Change:
    ch = Change()
    m = view.model
    p = m.params.programmes
    build, act, months = _programme_factor(view, g)
    dose = g.levers["case_management_share"]
    now, new = _cut(p.case_management_effect, p.case_management_half_dose, dose, x)
    t = view.tally
    admissions = -t.gp_multi[g.index] * _further(now, new) * act
    attendances = admissions * view.attendances_per_admission(t.gp_ae_multi[g.index], t.gp_multi[g.index])
    # slower progression of its patients with 2+ conditions (Population.evolve: fewer new conditions, and less
    # frailty gained with age over 40): a year of it, held for about half the horizon (as _council_prevention)
    slow_now, slow_new = _cut(p.case_management_progression_effect, p.case_management_half_dose, dose, x)
    slower = _further(slow_now, slow_new) * act
    years = months / 12 / 2
    people, over_40, frailty = view.multimorbid_by_gp
    conditions = -t.gp_new_conditions_multi[g.index] * slower * years  # person-years with one more condition
    frailty_months = -over_40[g.index] * m.params.health.frailty_age_slope * slower * years * 12
    ch.qalys += conditions * view.health.condition_year + frailty_months * view.health.frailty_month
    # their admissions and attendances a person-year, and what a condition or a frailty point adds (for frailty,
    # the slopes of the logarithms of _frailty_factors at their mean frailty)
    if people[g.index] > 0:
        per_admission, per_attendance = t.gp_multi[g.index] / people[g.index], t.gp_ae_multi[g.index] / people[g.index]
        a = m.params.demand.frailty_rate_ratio - 1.0
        attend_step, admit_step = view.condition_steps
        admissions += per_admission * (conditions * admit_step
                                       + frailty_months / 12 * (1.0 / (1.0 + frailty) + a / (1.0 + a * frailty)))
        attendances += per_attendance * (conditions * attend_step + frailty_months / 12 / (1.0 + frailty))
    # the time it takes from routine care: contacts unmet, quality pay lost, some of them turning up at A&E
    wanted, met = max(g.quality_year[1], 1.0), g.quality_year[0]  # contacts wanted and met last year (at least one)
    capacity = g.capacity_per_patient * g.list_size * 12
    unmet = min(max(capacity * (x - dose) * build, -(wanted - met)), wanted)
    quality = -unmet / wanted * m.params.capacity.qof_per_patient * g.list_size * m.prices.gp_contract
    ch.transfers[g.account] += quality
    ch.transfers[g.commissioner.account] -= quality
    spilled = unmet * m.params.demand.unmet_gp_demand_to_ae
    attendances += spilled
    admissions += spilled * view.admissions_per_attendance  # who turns up at A&E is admitted as anyone is
    _population_activity(view, ch, g.commissioner, admissions, attendances)
    ch.qalys += admissions * view.health.admission
    return ch


def _gp_referral_shedding(view: View, g: GPFederation, x: float) -> Change:
    ch = Change()
    m = view.model
    now = g.levers["referral_shedding"]
    referrals = view.tally.gp_referrals[g.index] * ((1 + x) / (1 + now) - 1)
    # each patient referred on rather than managed in the practice frees contacts: quality pay gained
    wanted, met = max(g.quality_year[1], 1.0), g.quality_year[0]  # contacts wanted and met last year (at least one)
    freed = min(referrals * m.params.demand.gp_contacts_saved_per_referral, wanted - met) if referrals > 0 else \
        referrals * m.params.demand.gp_contacts_saved_per_referral
    quality = freed / wanted * m.params.capacity.qof_per_patient * g.list_size * m.prices.gp_contract
    ch.transfers[g.account] += quality
    ch.transfers[g.commissioner.account] -= quality
    contracts = view.referral_contracts(g.commissioner)
    view.spread(ch, contracts, "outpatient_attendance", referrals, "outpatient_attendances")
    # the harm its partners measure: referrals shed at what its commissioner pays for each
    mean_price, rows = view.referral_plan(g.commissioner)
    ch.harm[g.account] += referrals * mean_price
    listed: dict[Hospital | None, float] = defaultdict(float)  # None: through a provider that is not a hospital
    for provider, share, hospital in rows:
        ch.costs[provider] += referrals * share * view.cost_outpatient
        listed[hospital] += referrals * share * m.params.demand.listed_share
    # more on its lists: where a hospital's capacity stands idle, more electives; where it does not, longer
    # waits for everyone on its list
    for h, more in listed.items():
        if h is None:
            ch.qalys += _list_qalys(view, more)  # the place's lists
            continue
        electives = view.electives_done(h, 0.0, more)  # its commissioner's patients, under its contracts there
        view.spread(ch, view.referral_contracts(g.commissioner, h), "elective_spell", electives, "elective_spells")
        ch.costs[h.account] += electives * view.cost_elective
        ch.qalys += _list_qalys(view, more, h) + _wait_qalys(view, h, electives)
    # the contacts freed meet demand that went unmet: fewer of its patients turn up at A&E, and fewer are admitted
    attendances = -freed * m.params.demand.unmet_gp_demand_to_ae
    admissions = attendances * view.admissions_per_attendance
    _population_activity(view, ch, g.commissioner, admissions, attendances)
    ch.qalys += admissions * view.health.admission
    return ch


def _commissioner_community(view: View, cm: Commissioner, x: float) -> Change:
    ch = Change()
    m = view.model
    p = m.params.programmes
    build, act, _ = _programme_factor(view, cm)
    now = cm.levers["community_investment"]
    for c in m.contracting.of_payer(cm):
        if c.scope != "community" or "annual_value" not in c.terms:
            continue
        h = c.provider_org
        extra = c.terms["annual_value"] * (x - now)
        ch.transfers[h.account] += extra
        ch.transfers[cm.account] -= extra
        if not isinstance(h, Hospital) or not h.community_base_value:
            continue  # a prime contractor passes the money on to the hospitals it sub-contracts
        ch.costs[h.account] += extra * (1 + h.starting_overrun) * m.prices.unit_cost / m.prices.tariff
        dose = h.programmes["community"].dose if "community" in h.programmes else 0.0
        new_dose = dose + extra / (h.community_base_value * m.prices.tariff)
        # the health the services themselves give (care at home, nursing, therapy), for the share in post
        ch.qalys += build * (community_qalys_a_year(m, h, new_dose) - community_qalys_a_year(m, h, dose))
        cut_now, cut_new = _cut(p.community_admission_effect, p.community_half_dose, dose, new_dose)
        # the dose is the hospital's, and so is the effect: on the frail attenders of every population it serves
        admissions = -view.tally.frail[h.index] * _further(cut_now, cut_new) * act
        view.spread(ch, view.acute_contracts(h), "emergency_spell", admissions, "emergency_spells")
        _bed_days(view, ch, h, admissions * view.emergency_los)
        ch.qalys += admissions * view.health.admission
    return ch


def _commissioner_chc(view: View, cm: Commissioner, x: float) -> Change:
    ch = Change()
    m = view.model
    now = cm.levers["chc_share_ratio"]
    paid = cm.chc_last_year * (x / now - 1.0) if now else 0.0
    ch.transfers[cm.account] -= paid
    ch.harm[cm.account] -= paid  # the harm its partners measure: continuing healthcare pushed onto councils
    councils = m.councils
    weights = np.array([m.catchments.resident_share(cm, co) for co in councils])
    for co, w in zip(councils, weights, strict=True):
        ch.transfers[co.account] += paid * w
        # a council that balances its books funds fewer packages with less money and more with more
        # (Council.plan_year; unless held to national criteria)
        if co.rations_to_budget:
            _packages(view, ch, co, paid * w / view.package_year)
    return ch


def _commissioner_plan(view: View, cm: Commissioner, x: float) -> Change:
    """Next year's electives at each hospital it pays with a plan grow as the hospital's elective capacity
    was set to grow this year (first order); those above the plan are paid at the over-plan rate, so a lower
    plan moves money from the hospital to the commissioner. What the hospitals do about the lower price at
    the margin they decide themselves next year (their elective growth, priced by the contract's terms).
    Below last year's electives, a plan takes from the hospitals what its partners measure as harm
    (model.governance.plan_cut): the electives a plan at last year's would have paid in full."""
    ch = Change()
    rate = cm.behaviour.over_plan_payment_rate
    if rate >= 1.0:
        return ch  # it pays every elective in full: it has no plan
    now = cm.levers["plan_growth"]
    book = view.model.contracting

    for c in book.of_payer(cm):
        if c.scope != "acute" or "elective_plan" not in c.terms or c.provider == c.payer:
            continue
        h = c.provider_org
        growth = h.levers["elective_growth"] if isinstance(h, Hospital) else 0.0
        done = book.electives_last_year(c)
        price = c.terms["prices"]["elective_spell"]
        # electives above the plan, at plan growth x against now, each paid at the over-plan rate
        saved = price * (1.0 - rate) * done * (max(growth - x, 0.0) - max(growth - now, 0.0))
        ch.transfers[cm.account] += saved
        ch.transfers[c.provider] -= saved
        # per elective last year: next year's electives against a plan at x and at now, the standard last year's
        ch.harm[cm.account] += price * (1.0 - rate) * (electives_cut(1.0 + growth, 1.0 + x, 1.0)
                                                      - electives_cut(1.0 + growth, 1.0 + now, 1.0)) * done
    return ch


def _council_eligibility(view: View, co: Council, x: float) -> Change:
    ch = Change()
    now = co.levers["eligibility_tightening"]
    eligible_now, eligible_new = view.eligible_under(co, now), view.eligible_under(co, x)
    funded_now = min(co.packages, eligible_now)
    funded_new = min(co.packages, eligible_new)
    # those who meet its starting criteria, whom its duty covers; below them, care it chooses to give
    duty_now = min(funded_now, view.eligible_at(co, max(now, 0.0)))
    duty_new = min(funded_new, view.eligible_at(co, max(x, 0.0)))
    _packages(view, ch, co, duty_new - duty_now)
    _packages(view, ch, co, (funded_new - funded_now) - (duty_new - duty_now), eligible=False)
    # people no longer eligible do not wait in hospital for a package
    if eligible_now > 0:
        delayed = view.tally.delayed_days[co.index] * (eligible_new / eligible_now - 1.0)
        _delayed(view, ch, co, delayed)
    return ch


def _council_prevention(view: View, co: Council, x: float) -> Change:
    ch = Change()
    m = view.model
    p = m.params.programmes
    _, act, months = _programme_factor(view, co)
    now = co.levers["prevention_ratio"]
    spend = co.base_prevention * m.prices.council_index
    _council_spends(view, ch, co, spend, now, x)  # a balancing council's packages pay
    cut_now, cut_new = _cut(p.prevention_effect, p.prevention_half_dose, now - 1.0, x - 1.0)
    new_conditions = view.tally.new_conditions[co.index] * -_further(cut_now, cut_new) * act
    # a condition avoided is a person-year without it for about half the horizon, and the admissions it brings
    years = months / 12 / 2
    ch.qalys += new_conditions * years * view.health.condition_year
    admissions = new_conditions * years * view.admissions_per_condition_year()
    attendances = new_conditions * years * view.attendances_per_condition_year()
    _council_population_admissions(view, ch, co, admissions, attendances=attendances)
    ch.qalys += admissions * view.health.admission
    return ch


def _council_pooled(view: View, co: Council, x: float) -> Change:
    ch = Change()
    now = co.levers["pooled_substitution"]
    # only NHS money outside a pooled budget contract can be withdrawn: a jointly governed pot pays for the
    # pooled services (plan_year has not yet reset the year's pooled money)
    withdrawn = co.pooled_in_year * (x - now)
    # the pot's money still comes in; what the council keeps is what it no longer spends on the packages
    # the withdrawn money would have bought (their cost, in _packages), not that money a second time
    _packages(view, ch, co, -withdrawn / view.package_year)
    return ch


def _council_intermediate(view: View, co: Council, x: float) -> Change:
    """Intermediate care places: each takes people fit to leave hospital who wait for care out of a bed for
    a stay (``social_care.intermediate_care_months``), up to the people who would otherwise wait; each of
    them would have waited the mean delay (first order: a delay ends at ``delay_exit_per_month`` a month)."""
    ch = Change()
    m = view.model
    sc = m.params.social_care
    build, _, _ = _programme_factor(view, co)
    now = co.levers["intermediate_care"]
    per_1000 = co.residents_at_start / 1000
    mean_delay = MONTH_DAYS / max(sc.delay_exit_per_month, 1.0 / 12)
    # people who waited to leave last year: those it took out of a bed, and those still delayed
    t = view.tally
    waiting = t.bridged[co.index] + t.delayed_days[co.index] / mean_delay
    # people a year its places take (the share in post), and of them those who would otherwise wait in a bed
    capacity = lambda places: places * per_1000 * 12 / sc.intermediate_care_months * build  # noqa: E731
    taken = lambda places: min(capacity(places), waiting)  # noqa: E731
    _council_spends(view, ch, co, co.intermediate_care_month(1.0) * 12, now, x)
    _delayed(view, ch, co, -(taken(x) - taken(now)) * mean_delay)
    if sc.intermediate_care_frailty_fall > 0:
        # reablement: those the stay takes below the eligibility need no package; taken through the year,
        # each spares half of it on average (the forecast's horizon is the year); and each is less likely
        # to be admitted for that half year
        _need_met_otherwise(view, ch, co, (taken(x) - taken(now)) * view.reabled_share(co) / 2)
        _reabled_admissions(view, ch, co, taken(x) - taken(now), co.eligibility)
    if sc.intermediate_care_takes_assessed:
        # discharge to assess: the places beyond those waiting take people assessed on leaving who are not
        # eligible, up to as many as last year's
        room = lambda places: min(max(capacity(places) - waiting, 0.0), t.assessed_not_eligible[co.index])  # noqa: E731
        _assessed_at_home(view, ch, co, room(x) - room(now))
    return ch


def _assessed_at_home(view: View, ch: Change, co: Council, people: float) -> None:
    """``people`` more a year assessed at home in intermediate care rather than in a hospital bed: each spares
    the assessment's days in a bed, leaves without the raised risk of readmission, and is reabled (its
    frailty fall lowers the risk of admission, which it carries for half the year on average)."""
    m = view.model
    sc, d = m.params.social_care, m.params.demand
    _delayed(view, ch, co, -people * sc.discharge_assessment_days)
    # the month after leaving: a frail person's admissions, as readmissions at the readmission ratio, or (left
    # supported) as first admissions at the base risk (_hospital_discharge_support)
    first = people * view.frail_admissions_per_person_month
    readmissions = first * d.readmission_rate_ratio
    avoided = readmissions - first
    t = view.tally
    attendances = avoided * view.attendances_per_admission(t.ae_readmit.sum(), t.readmissions.sum())
    _council_population_admissions(view, ch, co, -readmissions, "emergency_readmission", attendances=-attendances)
    _council_population_admissions(view, ch, co, first)
    ch.qalys -= avoided * view.health.admission
    _reabled_admissions(view, ch, co, people, sc.discharge_assessment_frailty)


def _reabled_admissions(view: View, ch: Change, co: Council, people: float, frailty: float) -> None:
    """``people`` more a year reabled at about ``frailty``: fewer attend A&E and fewer of those attending are
    admitted (_reablement_cuts), against a frail person's admissions and attendances, for half the year on average."""
    attend, admit = _reablement_cuts(view.model.params, frailty)
    admissions_now = people * view.frail_admissions_per_person_month * 6
    t = view.tally
    attendances = admissions_now * attend * view.attendances_per_admission(t.ae_frail.sum(), t.frail.sum())
    admissions = admissions_now * admit
    _council_population_admissions(view, ch, co, -admissions, attendances=-attendances)
    ch.qalys -= admissions * view.health.admission


def _reablement_cuts(params: Scenario, frailty: float) -> tuple[float, float]:
    """The shares of a person's A&E attendances and of their admissions that reablement's frailty fall takes off
    at ``frailty`` (_frailty_factors)."""
    (attend_now, admit_now), (attend_after, admit_after) = (
        _frailty_factors(params, f) for f in (frailty, frailty - params.social_care.intermediate_care_frailty_fall))
    return 1.0 - attend_after / attend_now, 1.0 - admit_after / admit_now


def _frailty_factors(params: Scenario, frailty: float) -> tuple[float, float]:
    """What frailty does to a person's risk of attending A&E and of being admitted, at ``frailty``: Population's
    attendance index goes with 1 + frailty, and the share of those attending admitted with
    1 + (demand.frailty_rate_ratio - 1) x frailty, so admission takes both."""
    attend = 1.0 + frailty
    return attend, attend * (1.0 + (params.demand.frailty_rate_ratio - 1.0) * frailty)


def _council_spends(view: View, ch: Change, co: Council, cost_year: float, now: float, x: float) -> None:
    """A council's programme of its own moved from ``now`` to ``x`` (``cost_year`` a unit of it): it spends what
    is in post (_programme_cost), but a council that balances its books budgets the lever in full before its
    packages (Council.plan_year), so what the whole lever takes, its packages lose, unless national criteria
    hold it to funding every eligible resident."""
    ch.costs[co.account] += _programme_cost(view, co, cost_year, now, x)
    if co.rations_to_budget:
        _packages(view, ch, co, -cost_year * (x - now) / view.package_year)


# --- shared pieces of the forecasts ------------------------------------------------------------------------------------
def _add(units: dict[tuple[int, str], float], shares: tuple[tuple[int, float], ...], unit: str, n: float) -> None:
    """Add ``n`` units over contracts by their shares (pairs of a contract's id and its share): View.spread."""
    if n == 0:
        return
    for cid, share in shares:
        units[(cid, unit)] += n * share


def _hospital_activity(view: View, ch: Change, cm: Commissioner, h: Hospital, admissions: float,
                       attendances: float = 0.0, unit: str = "emergency_spell") -> None:
    """Emergency admissions (first admissions, or ``unit`` readmissions) and attendances of ``cm``'s population
    at ``h``: paid under its contract, costing the hospital their variable costs and bed days (_bed_days)."""
    contracts = view.population_contracts(cm, h)
    _activity_at(view, ch, h, view.shares_of(contracts, "emergency_spells"), view.shares_of(contracts, "ae_attendances"),
                 admissions, attendances, unit)


def _activity_at(view: View, ch: Change, h: Hospital, emergency: tuple[tuple[int, float], ...],
                 ae: tuple[tuple[int, float], ...], admissions: float, attendances: float, unit: str) -> None:
    """_hospital_activity on the shares of the contracts there (``emergency``, ``ae``: pairs of a contract's id
    and its share of last year's emergency spells and A&E attendances)."""
    _add(ch.units, emergency, unit, admissions)
    _add(ch.units, ae, "ae_attendance", attendances)
    _bed_days(view, ch, h, admissions * view.emergency_los)
    ch.costs[h.account] += attendances * view.cost_ae


def _population_activity(view: View, ch: Change, cm: Commissioner, admissions: float, attendances: float,
                         unit: str = "emergency_spell") -> None:
    """Spread admissions and attendances of ``cm``'s population over the hospitals it uses, as last year
    (_hospital_activity at each, on the contracts and shares View.population_plan holds)."""
    for share, h, emergency, ae in view.population_plan(cm):
        _activity_at(view, ch, h, emergency, ae, admissions * share, attendances * share, unit)


def _council_population_admissions(view: View, ch: Change, co: Council, admissions: float,
                                   unit: str = "emergency_spell", attendances: float = 0.0) -> None:
    """Admissions of a council's residents (first admissions, or ``unit`` readmissions) and the A&E attendances
    that come with them, spread over the commissioners whose populations they are."""
    m = view.model
    for cm in m.commissioners:
        share = m.catchments.commissioner_council_share[cm.index, co.index]
        if share > 0:
            _population_activity(view, ch, cm, admissions * share, attendances * share, unit)


def _packages(view: View, ch: Change, co: Council, packages: float, eligible: bool = True) -> None:
    """A year with ``packages`` more care packages from ``co`` (fewer if negative): their cost, the unmet
    need they meet and the admissions that need brings; ``eligible``: for people who meet the eligibility
    criteria it started with (the national criteria, which its duty covers), not care it may choose to give."""
    m = view.model
    s = m.params.social_care
    # the council pays for the packages and the NHS pays it back its continuing healthcare share of them
    ch.costs[co.account] += packages * view.package_year
    if eligible:
        ch.duty[co.account] += packages * view.package_year
    for cm in m.commissioners:
        share = m.catchments.commissioner_council_share[cm.index, co.index]
        ch.costs[cm.account] += packages * share * view.package_year * s.nhs_funded_share * cm.lever("chc_share_ratio")
        ch.costs[co.account] -= packages * share * view.package_year * s.nhs_funded_share * cm.lever("chc_share_ratio")
    _unmet_need(view, ch, co, -packages)


def _unmet_need(view: View, ch: Change, co: Council, person_years: float) -> None:
    """``person_years`` more of unmet care need among the council's residents (fewer if negative): the health
    it costs and the emergency admissions it brings."""
    unmet_months = person_years * 12
    ch.qalys += unmet_months * view.health.unmet_month
    admissions = unmet_months * view.unmet_admissions_per_month(co)
    t = view.tally
    attendances = admissions * view.attendances_per_admission(t.unmet_ae[co.index], t.unmet_admissions[co.index])
    _council_population_admissions(view, ch, co, admissions, attendances=attendances)
    ch.qalys += admissions * view.health.admission


def _need_met_otherwise(view: View, ch: Change, co: Council, person_years: float) -> None:
    """``person_years`` of care need among the council's residents met without a package (reablement): a
    council held to national criteria funds every eligible resident, so it saves the packages; otherwise its
    packages are set for the year and go to others waiting, so the unmet need falls."""
    if view.model.params.social_care.national_eligibility:
        _packages(view, ch, co, -person_years)
    _unmet_need(view, ch, co, -person_years)


def _delayed(view: View, ch: Change, co: Council, days: float) -> None:
    """Bed days the council's residents wait in hospital for care: spread over the hospitals they use."""
    m = view.model
    use = view.hospital_use(co)
    for h in m.hospitals:
        _bed_days(view, ch, h, days * use[h.index], variable=False)
    ch.qalys += days / MONTH_DAYS * view.health.delayed_month
    ch.harm[co.account] += days * view.cost_bed_day  # the harm its partners measure: the bed days held (model.governance)


def _bed_days(view: View, ch: Change, h: Hospital, bed_days: float, variable: bool = True) -> None:
    """``bed_days`` more of emergency stays or delays at ``h`` over the year (fewer if negative): a stay's
    variable cost now (``variable``; a delayed day has none: the hospital's variable costs go with its spells,
    model.delivery.book_costs), and what they do to its beds once the forecast has added up all it brings there
    (_settle_beds)."""
    if bed_days:
        if variable:
            ch.costs[h.account] += bed_days * view.cost_bed_day
        ch.bed_days[h.index] += bed_days


def _settle_beds(view: View, ch: Change) -> None:
    """For each hospital, the bed days a forecast adds there, taken together: the bed days beyond its beds at the
    escalation premium, and the inpatient electives they crowd out (or make room for), paid under its contracts
    and changing its list's waits. Taken piece by piece (a council's admissions reach a hospital through each
    commissioner whose population they are), each piece would be judged against last year's months alone and
    the escalation, which grows faster than the bed days, understated."""
    for i, bed_days in ch.bed_days.items():
        if bed_days == 0:
            continue
        h = view.model.hospitals[i]
        over, can = view.bed_effects(h, bed_days)
        electives = view.electives_done(h, can)
        view.spread(ch, view.acute_contracts(h), "elective_spell", electives, "elective_spells")
        ch.costs[h.account] += _over_the_beds(view, h, over) + electives * view.cost_elective
        ch.qalys += _wait_qalys(view, h, electives)


def _wait_qalys(view: View, h: Hospital, electives: float) -> float:
    """Electives done (or not) change the waiting: the list is shorter by as many (see _list_qalys)."""
    return -_list_qalys(view, electives, h)


def _list_qalys(view: View, people: float, h: Hospital | None = None) -> float:
    """QALYs of ``people`` more on a waiting list whose capacity is used: the list is that much longer from now
    on, and served longest waits first, each month as many more wait beyond 18 weeks while the wait (the list
    over a month's electives) is beyond them: in full from a month past 18 weeks, none below, in between a
    share. The list moves as it moved last year (listed against done) over the planning horizon, so a list that
    is growing comes to long waits, and one running down leaves them."""
    from model.delivery import LONG_WAIT_BIN

    if people == 0:
        return 0.0
    at = h.index if h is not None else None
    long_months = view._long_months.get(at)
    if long_months is None:  # the same for every option: worked out once a year end
        total = view.waiting_list(h)
        t = view.tally
        done = (t.electives[h.index] if h is not None else t.electives.sum()) / 12
        listed = (t.listed[h.index] if h is not None else t.listed.sum()) / 12
        months = np.arange(12 * view.model.params.decisions.horizon_years) + 0.5
        wait = np.maximum(total + (listed - done) * months, 0.0) / max(done, 1.0)
        long_months = view._long_months[at] = float(np.clip(wait - LONG_WAIT_BIN, 0.0, 1.0).sum())
    return people * long_months * view.health.long_wait_month


_FORECASTS = {
    ("hospital", "admission_threshold"): _hospital_admission_threshold,
    ("hospital", "elective_growth"): _hospital_elective_growth,
    ("hospital", "outreach"): _hospital_outreach,
    ("hospital", "discharge_support"): _hospital_discharge_support,
    ("hospital", "bed_change"): _hospital_beds,
    ("gp_federation", "case_management_share"): _gp_case_management,
    ("gp_federation", "referral_shedding"): _gp_referral_shedding,
    ("commissioner", "community_investment"): _commissioner_community,
    ("commissioner", "chc_share_ratio"): _commissioner_chc,
    ("commissioner", "plan_growth"): _commissioner_plan,
    ("council", "eligibility_tightening"): _council_eligibility,
    ("council", "prevention_ratio"): _council_prevention,
    ("council", "pooled_substitution"): _council_pooled,
    ("council", "intermediate_care"): _council_intermediate,
}

assert {(k, lever.name) for k, levers in LEVERS.items() for lever in levers} == set(_FORECASTS), "a forecast per lever"
