"""The local health economy: a Mesa model of one place and its common pool.

Organisations (commissioners, councils, hospitals, GP federations, prime contractors)
are Mesa agents; the population lives in NumPy arrays (:mod:`model.population`); money
lives in a double-entry ledger (:mod:`model.ledger`). The model builds the place and
runs the month; each phase belongs to a room of its own:

* :mod:`model.sizing`: capacity, money and the first contracts, at the start;
* :mod:`model.contracting`: the book of contracts: letting, switching, payments,
  settlement, capitated and pooled budgets, alliances;
* :mod:`model.procurement`: tenders, top-ups and hand-backs;
* :mod:`model.delivery`: waiting lists, beds, social care packages and the cost of care;
* :mod:`model.regulation`: the regulator, special measures, failures, sanctions and the fund;
* :mod:`model.effects`: what the organisations' behaviour does to the population's risks;
* :mod:`model.health`: quality-adjusted life, and the place's net monetary benefit;
* :mod:`model.governance` and :mod:`model.strategies`: trust, and how strategies are chosen.

One step is one month; twelve steps make a financial year starting in April. The month
follows MODEL.md section 3: need and demand, delivery, money, health, and at year end
the accounts close and organisations plan (and, under an adaptive policy, choose) their
next year. Sources: ../shared/design/MODEL.md and the papers it cites.
"""

from __future__ import annotations

import time
from typing import Any

import mesa
import networkx as nx

from model import metrics
from model.contracting import ContractBook, YearToDate
from model.contracts import Contract
from model.decisions import choose_subcontracts, decide
from model.delivery import Delivery
from model.effects import behaviour_effects
from model.governance import build_network, measure_harm, update_trust
from model.health import PlaceHealth
from model.ledger import AccountType, Ledger, to_pence
from model.organisations import (
    SINK,
    Commissioner,
    Council,
    GPFederation,
    Hospital,
    Organisation,
    PrimeContractor,
)
from model.population import Geography, Population
from model.prices import Prices
from model.procurement import Procurement
from model.regulation import Regulator
from model.scenario import Scenario, load_scenario
from model.sizing import size_place
from model.strategies import FixedStrategies, StrategyPolicy

PHASES = ("inflows", "demand", "delivery", "payments", "health", "year_end", "collect")


class LocalHealthEconomy(mesa.Model):
    """One place: its people, organisations, contracts, ledger and network."""

    def __init__(
        self,
        scenario: Scenario | None = None,
        *,
        rng: int | None = None,
        policy: StrategyPolicy | None = None,
        keep_journal: bool = False,
    ) -> None:
        """``keep_journal``: keep every payment from the start, opening balances included, and each
        contract's audit trail (for :mod:`model.audit`)."""
        scenario = scenario if scenario is not None else load_scenario()
        super().__init__(rng=scenario.run.seed if rng is None else rng)
        self.params = scenario
        if policy is None:
            from model.adaptive import AdaptiveStrategies

            policy = AdaptiveStrategies() if scenario.adaptation.policy == "adaptive" else FixedStrategies()
        self.policy: StrategyPolicy = policy
        self.ledger = Ledger(keep_journal=keep_journal)
        self.prices = Prices(package_cost=scenario.social_care.package_cost_per_month)
        self.phase_seconds: dict[str, float] = dict.fromkeys(PHASES, 0.0)
        self.decision_seconds = 0.0  # of the year ends' time, the organisations' decisions (decide, choose_subcontracts)
        self.month = 0  # months completed
        self.report: dict[str, float] = {}
        self.events: list[dict[str, Any]] = []  # tenders won, top-ups asked, contracts ended, special measures

        self.ledger.open("source:nhs_allocation", AccountType.SOURCE)
        self.ledger.open("source:council_grants", AccountType.SOURCE)
        if scenario.regulation.transformation_fund_years > 0 and scenario.regulation.transformation_fund_share > 0:
            self.ledger.open("source:transformation_fund", AccountType.SOURCE)
        self.ledger.open("source:national_support", AccountType.SOURCE)  # distress finance, administration
        self.ledger.open(SINK, AccountType.SINK)
        self._build_organisations()
        geography = Geography.from_shares(
            [c.share for c in scenario.councils],
            [h.share for h in scenario.hospitals],
            [g.share for g in scenario.gp_federations],
            [g.commissioner.index for g in self.gp_federations],
        )
        self.population = Population(scenario, geography, self.rng.spawn(1)[0])
        # every mechanism that draws has a stream of its own (see Population)
        rng_delivery, rng_care = self.rng.spawn(2)
        rng_procurement = self.rng.spawn(1)[0]
        self.rng_strategy = self.rng.spawn(1)[0]  # learning, imitation, what partners see
        self.rng_decisions = self.rng.spawn(1)[0]  # organisations' misjudgements of their options
        self.rng_start = self.rng.spawn(1)[0]  # where each organisation starts from (drawn at sizing)
        self.contracting = ContractBook(self)
        self.delivery = Delivery(self, rng_delivery, rng_care)
        self.procurement = Procurement(self, self.contracting, rng_procurement)
        self.regulator = Regulator(self, self.contracting)
        self.catchments = size_place(self)
        self.contracting.form_alliances()
        self.contracting.hand_over_budgets()  # budgets handed over and pooled from the start
        self.contracting.pool_budgets()
        self.network: nx.DiGraph = build_network(self)
        self.datacollector = metrics.make_datacollector()
        self.ledger.check()
        self.net_health = PlaceHealth(self)  # after the opening balances: the place's money is counted from here

    # --- the month ---------------------------------------------------------------------
    def step(self) -> None:
        """One month, in the order of MODEL.md section 3."""
        t = time.perf_counter
        t0 = t()
        self.ledger.start_period(self.month)
        # 0. contracts that change this month, and money into the place
        self.contracting.switch_regimes()
        if self.month > 0:
            self.contracting.hand_over_budgets()
            self.contracting.pool_budgets()
        self.procurement.run_tenders()
        self.receive_inflows()
        t1 = t()
        # 1. need and demand, shaped by what the organisations do
        effects = behaviour_effects(self)
        demand = self.population.demand(effects)
        t2 = t()
        # 2. care delivered within capacity
        activity = self.delivery.deliver(demand)
        self.regulator.count_admissions(int(demand.admitted.size), self.population.size)
        t3 = t()
        # 3. money moves under each contract's regime; care costs what it costs
        self.contracting.pay_month(activity)
        self.delivery.book_costs(activity)
        self.procurement.review_tendered_contracts()
        t4 = t()
        # 4. health evolves; programmes mature; the month's quality-adjusted life accrues
        # (admissions made only because a threshold was lowered carry no acute illness: no raised mortality)
        self.month_counts = self.population.evolve(effects, demand.admitted[~activity["marginal"]],
                                                   waited=self.delivery.waited_for_assessment,
                                                   unmet=self.delivery.unmet_after_care)
        self.delivery.tally.new_conditions += self.population.new_conditions_by_council
        self.delivery.tally.gp_new_conditions_multi += self.population.new_conditions_multi_by_gp
        for org in self.agents:
            org.advance_programmes()
        self.net_health.accrue(demand, activity)
        t5 = t()
        # 5. the year end: contracts settle, sanctions are paid, accounts close, next year is planned
        self.month += 1
        year_end = self.month % 12 == 0
        if year_end:
            self.contracting.settle_year()
            self.delivery.start_year()
            measure_harm(self)  # what each did to the others this year: defection is measured harm
            self.regulator.apply_sanctions()
            # failures and distress finance are judged on the year closing, and count in its results
            self.regulator.handle_failures()
            self.regulator.support_providers_in_distress()
            self.regulator.councils_in_distress()
        self.ledger.check()
        for org in self.agents:
            org.read_books()
        if year_end:
            self.close_year()
        t6 = t()
        self.report = metrics.place_report(self, demand, activity)
        self.datacollector.collect(self)
        t7 = t()
        for name, a, b in zip(PHASES, (t0, t1, t2, t3, t4, t5, t6), (t1, t2, t3, t4, t5, t6, t7), strict=True):
            self.phase_seconds[name] += b - a
        if self.month >= self.params.run.steps:
            self.running = False

    def receive_inflows(self) -> None:
        """The NHS allocation and council grants for the month, and the transformation fund."""
        for c in self.commissioners:
            self.ledger.transfer("source:nhs_allocation", c.account, to_pence(c.allocation * self.prices.allocation / 12), "nhs_allocation")
        for c in self.councils:
            self.ledger.transfer("source:council_grants", c.account, to_pence(c.grant / 12), "council_grant")
        self.regulator.pay_transformation_fund()

    def close_year(self) -> None:
        """Accounts close; the regulator acts; prices move; strategies are chosen; next year is planned."""
        for org in self.agents:
            org.close_year()
        self.delivery.close_tally()
        self.regulator.close_year()
        self.policy.observe(self)  # learn from the year just ended (its standing then included)
        update_trust(self)
        self.regulator.regulate()  # new leadership starts afresh: what was learned and trust are reset
        money = self.params.money
        self.prices.advance_year(money)
        for c in self.councils:
            c.grant *= 1 + money.council_grant_growth
        self.contracting.deflate(money)
        self.contracting.relet_ended()  # contracts at the end of their term are let again, re-based
        # everyone chooses on what the others did this year, then all switch together
        chosen = {org: self.policy.choose(org, self) for org in self.agents}
        for org, strategy in chosen.items():
            org.strategy = strategy
        started = time.perf_counter()
        decide(self)  # each sets its levers for the year, given its strategy, contracts and regulator
        choose_subcontracts(self)  # lead providers choose how they pay their sub-contractors
        self.decision_seconds += time.perf_counter() - started
        for org in self.agents:
            org.plan_year()
        for h in self.hospitals:
            h.community_value = self.contracting.community_value(h)

    # --- building the place ------------------------------------------------------------------------
    def _build_organisations(self) -> None:
        s = self.params
        self.commissioners = [Commissioner(self, o.name, o.strategy, i) for i, o in enumerate(s.commissioners)]
        by_name = {c.name: c for c in self.commissioners}
        self.councils = [Council(self, o.name, o.strategy, i) for i, o in enumerate(s.councils)]
        self.hospitals = [Hospital(self, o.name, o.strategy, i) for i, o in enumerate(s.hospitals)]
        self.gp_federations = [
            GPFederation(self, o.name, o.strategy, i, by_name[o.commissioner]) for i, o in enumerate(s.gp_federations)
        ]
        known = {o.name for o in (*self.commissioners, *self.councils, *self.hospitals, *self.gp_federations)}
        entrants = {b.name: b for t in s.contracting.tenders for b in t.bidders if b.name not in known}
        self.prime_contractors = [PrimeContractor(self, name, i) for i, name in enumerate(entrants)]
        self.organisations: list[Organisation] = [*self.commissioners, *self.councils, *self.hospitals, *self.gp_federations,
                                                  *self.prime_contractors]

    # --- what the rooms and the organisations read ---------------------------------------------------
    def results_to_date(self) -> dict[str, float]:
        """Each organisation's surplus (+) or deficit (-) so far this financial year, pounds, by account."""
        led = self.ledger
        return {o.account: (o.year_income_pence + led.period_in[o.account] - o.year_spending_pence - led.period_out[o.account]) / 100
                for o in self.organisations}

    def year_to_date(self) -> YearToDate:
        """Results and outcomes so far this year: what a contract closed part-way through is settled on."""
        return YearToDate(results=self.results_to_date(), outcomes=self.delivery.year_outcomes(),
                          active=tuple(self.contracting.active()))

    def record(self, event: str, **fields: Any) -> None:
        """Note something that happened this month (a tender won, a contract ended, special measures)."""
        self.events.append({"event": event, "step": self.month, **fields})

    def events_of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["event"] == kind]

    @property
    def contracts(self) -> list[Contract]:
        """Every contract let so far, active or not (the contract book's)."""
        return self.contracting.contracts

    @property
    def sanctions_paid(self) -> float:
        return self.regulator.sanctions_paid

    @property
    def place_margin(self) -> float:
        """The place's last year's result as a share of providers' and councils' income."""
        return self.regulator.place_margin

    @property
    def admissions_growth(self) -> float:
        """Growth of emergency admissions per 1,000 over the last year."""
        return self.regulator.admissions_growth

    def admissions_growth_of(self, org: Organisation) -> float:
        """Growth of the emergency admissions of the people ``org`` serves over the year last closed."""
        return self.regulator.admissions_growth_of.get(org.name, 0.0)

    def in_special_measures(self, org: Organisation) -> bool:
        return org.in_special_measures

    def forced_strategy(self, org: Organisation) -> str | None:
        """A strategy the rules impose this year, if any (special measures; system leadership)."""
        return self.regulator.forced_strategy(org)

    # --- using the model ---------------------------------------------------------------------------------
    def practice_los(self, month: float | None = None) -> float:
        """Lengths of stay at ``month`` (by default the months completed) against the start's, from the trend in
        clinical practice the scenario sets (``demand.practice_los_change`` a year); 1 without one."""
        month = self.month if month is None else month
        return (1.0 + self.params.demand.practice_los_change) ** (month / 12)

    def run(self, steps: int | None = None, progress: Any = None) -> LocalHealthEconomy:
        n = self.params.run.steps if steps is None else steps
        for _ in range(n):
            self.step()
            if progress is not None:
                progress(1)
        return self

    def organisation(self, name: str) -> Organisation:
        for o in self.organisations:
            if o.name == name:
                return o
        raise KeyError(f"no organisation named {name!r}; known: {', '.join(o.name for o in self.organisations)}")

    def set_strategy(self, name: str, strategy: str) -> None:
        """Switch one organisation's strategy now (e.g. mid-run, in a classroom)."""
        if strategy not in ("fortress", "collaborative"):
            raise ValueError(f"strategy must be 'fortress' or 'collaborative', not {strategy!r}")
        self.organisation(name).strategy = strategy

    def place_table(self):
        return metrics.place_table(self)

    def organisation_table(self):
        return metrics.organisation_table(self)
