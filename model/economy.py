"""The local health economy: a Mesa model of one place and its common pool.

Organisations (commissioners, councils, hospitals, GP federations) are Mesa
agents; the population lives in NumPy arrays (:mod:`model.population`); money
lives in a double-entry ledger (:mod:`model.ledger`). One step is one month;
twelve steps make a financial year starting in April. The month follows
MODEL.md section 3: need and demand, delivery, money, health, and at year end
the accounts close and organisations plan (and, under an adaptive policy,
choose) their next year. Sources: ../shared/design/MODEL.md and the papers it cites.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import mesa
import networkx as nx
import numpy as np

from model import metrics
from model.contracts import Activity, Contract
from model.governance import build_network, partners, reset_trust, update_trust
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
from model.population import MONTH_DAYS, Effects, Geography, MonthDemand, Population
from model.regimes import REGIMES, ContractBasis, YearEnd
from model.scenario import Scenario, load_scenario
from model.strategies import FixedStrategies, StrategyPolicy

WAIT_BINS = 25  # months waited: 0..23, and 24 or more
PHASES = ("inflows", "demand", "delivery", "payments", "health", "year_end", "collect")


CAPITATED = REGIMES["capitated"]  # let by the economy for a capitated budget, not chosen per scope
POOLED = REGIMES["pooled_budget"]


@dataclass
class Prices:
    """Real-terms indices, 1.0 at the start."""

    tariff: float = 1.0  # prices paid to providers (efficiency deflator)
    unit_cost: float = 1.0  # providers' unit costs (realised productivity)
    allocation: float = 1.0
    council_index: float = 1.0
    gp_contract: float = 1.0  # GP contract pay per patient
    package_cost: float = 0.0  # pounds a month


class LocalHealthEconomy(mesa.Model):
    """One place: its people, organisations, contracts, ledger and network."""

    def __init__(
        self,
        scenario: Scenario | None = None,
        *,
        rng: int | None = None,
        policy: StrategyPolicy | None = None,
    ) -> None:
        scenario = scenario if scenario is not None else load_scenario()
        super().__init__(rng=scenario.run.seed if rng is None else rng)
        self.params = scenario
        if policy is None:
            from model.adaptive import AdaptiveStrategies

            policy = AdaptiveStrategies() if scenario.adaptation.policy == "adaptive" else FixedStrategies()
        self.policy: StrategyPolicy = policy
        self.ledger = Ledger()
        self.prices = Prices(package_cost=scenario.social_care.package_cost_per_month)
        self.phase_seconds: dict[str, float] = dict.fromkeys(PHASES, 0.0)
        self.month = 0  # months completed
        self.report: dict[str, float] = {}

        self.ledger.open("source:nhs_allocation", AccountType.SOURCE)
        self.ledger.open("source:council_grants", AccountType.SOURCE)
        if scenario.regulation.transformation_fund_years > 0 and scenario.regulation.transformation_fund_share > 0:
            self.ledger.open("source:transformation_fund", AccountType.SOURCE)
        self.ledger.open(SINK, AccountType.SINK)
        self._build_organisations()
        geography = Geography.from_shares(
            [c.share for c in scenario.councils],
            [h.share for h in scenario.hospitals],
            [g.share for g in scenario.gp_federations],
            [g.commissioner.index for g in self.gp_federations],
        )
        self.population = Population(scenario, geography, self.rng.spawn(1)[0])
        self.rng_delivery, self.rng_care = self.rng.spawn(2)  # streams of their own (see Population)
        self.rng_procurement = self.rng.spawn(1)[0]
        self.rng_strategy = self.rng.spawn(1)[0]  # learning, imitation, what partners see
        self.waiting = np.zeros((len(self.commissioners), len(self.hospitals), WAIT_BINS), dtype=np.int64)
        self.contracts: list[Contract] = []
        self.last_year_electives: dict[str, int] = {}
        # this year's emergency admissions and delayed transfer days by commissioner's population
        self._outcome_counts = np.zeros((len(self.commissioners), 2))
        self.events: list[dict[str, Any]] = []  # tenders won, top-ups asked, contracts ended, special measures
        self.sanctions_paid = 0.0  # pounds, so far
        self.place_margin = 0.0  # the place's last year's result as a share of providers' and councils' income
        self.admissions_growth = 0.0  # growth of emergency admissions per 1,000 over the last year
        self._last_admission_rate = 0.0
        self._year_admissions = [0, 0]  # this year's emergency admissions and person-months
        self._calibrate_and_contract()
        self._form_alliances()
        self.hand_over_budgets()  # budgets handed over and pooled from the start
        self.pool_budgets()
        self.network: nx.Graph = build_network(self)
        self.datacollector = metrics.make_datacollector()
        self.ledger.check()

    # --- the month ---------------------------------------------------------------------
    def step(self) -> None:
        """One month, in the order of MODEL.md section 3."""
        t = time.perf_counter
        t0 = t()
        self.ledger.start_period(self.month)
        self.switch_regimes()
        if self.month > 0:
            self.hand_over_budgets()
            self.pool_budgets()
        self.run_tenders()
        self.receive_inflows()
        t1 = t()
        effects = self.behaviour_effects()
        demand = self.population.demand(effects)
        t2 = t()
        activity = self.deliver_care(demand)
        t3 = t()
        self.move_money(activity)
        self.review_tendered_contracts()
        t4 = t()
        self.month_counts = self.population.evolve(effects, demand.admitted)
        for org in self.agents:
            org.advance_programme()
        t5 = t()
        self.month += 1
        year_end = self.month % 12 == 0
        if year_end:
            self.settle_contracts()
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

    # 0. money into the place ---------------------------------------------------------------
    def receive_inflows(self) -> None:
        for c in self.commissioners:
            self.ledger.transfer("source:nhs_allocation", c.account, to_pence(c.allocation * self.prices.allocation / 12), "nhs_allocation")
        for c in self.councils:
            self.ledger.transfer("source:council_grants", c.account, to_pence(c.grant / 12), "council_grant")
        reg = self.params.regulation
        if self.month < 12 * reg.transformation_fund_years and reg.transformation_fund_share > 0:
            # a national fund pays part of collaborative organisations' costs while new services start
            # alongside the old (double running, seed 001)
            for org in self.organisations:
                if org.strategy == "collaborative" and org.kind != "commissioner":
                    grant = reg.transformation_fund_share * org.income
                    self.ledger.transfer("source:transformation_fund", org.account, to_pence(grant), "transformation_fund")

    # 1. what the organisations' behaviour does to risk ----------------------------------------
    def behaviour_effects(self) -> Effects:
        prog = self.params.programmes
        gps, hosp, councils = self.gp_federations, self.hospitals, self.councils
        gp_crisis = np.array([1 - prog.case_management_effect * g.maturity * _unit(g.behaviour.case_management_share) for g in gps])
        gp_prog = np.array([1 - prog.case_management_progression_effect * g.maturity * _unit(g.behaviour.case_management_share) for g in gps])
        gp_ref = np.array([1 + g.behaviour.referral_shedding for g in gps])
        gp_cap = np.array([g.capacity for g in gps])
        h_crisis = np.array([1 - prog.outreach_effect * h.behaviour.outreach * h.maturity for h in hosp])
        h_ref = np.array([1 - prog.outreach_referral_effect * h.behaviour.outreach * h.maturity for h in hosp])
        h_adm = np.array([h.admission_ratio for h in hosp])
        community = np.array([
            max(0.2, 1 - prog.community_admission_effect * (h.community_value / h.community_base_value / self.prices.tariff - 1))
            if h.community_base_value else 1.0 for h in hosp
        ])
        incidence = np.array([max(0.0, 1 - prog.prevention_effect * c.prevention_change * c.maturity) for c in councils])
        trend = (1 + self.params.demand.unexplained_growth) ** (self.month / 12)
        return Effects(gp_crisis.astype(np.float32), gp_prog.astype(np.float32), gp_ref, gp_cap, h_crisis.astype(np.float32),
                       h_ref, h_adm, community, incidence, trend)

    # 2. delivering care --------------------------------------------------------------------------
    def deliver_care(self, demand: MonthDemand) -> dict[str, Any]:
        pop = self.population
        s = self.params
        nc, nh = len(self.commissioners), len(self.hospitals)
        comm_of = pop.geo.gp_commissioner
        pair = lambda idx: comm_of[pop.gp[idx]].astype(np.int64) * nh + pop.hospital[idx]  # noqa: E731
        count_pairs = lambda idx: np.bincount(pair(idx), minlength=nc * nh).reshape(nc, nh)  # noqa: E731

        # GP contacts
        for g in self.gp_federations:
            g.contacts_wanted = float(demand.gp_demand[g.index])
            g.contacts_unmet = float(demand.gp_unmet[g.index])
            g.quality_year[0] += g.contacts_wanted - g.contacts_unmet
            g.quality_year[1] += g.contacts_wanted

        # emergency admissions and their stays
        adm = demand.admitted
        frail = pop.frailty[adm] >= s.social_care.need_threshold
        esd = np.array([s.programmes.discharge_los_effect * h.behaviour.discharge_support * h.maturity for h in self.hospitals])
        los = pop.lengths_of_stay(adm, np.where(frail, 1 - esd[pop.hospital[adm]], 1.0))
        # admissions a lower threshold adds are the least acute: short stays. Each hospital's
        # share of them is 1 - 1/threshold of its admissions.
        threshold = np.array([h.admission_ratio for h in self.hospitals])
        marginal = self.rng_delivery.random(adm.size) < (1 - 1 / np.maximum(threshold, 1.0))[pop.hospital[adm]]
        los[marginal] = s.demand.marginal_los_days
        emergency_bed_days = np.bincount(pop.hospital[adm], weights=los, minlength=nh)

        # social care on discharge and at home; who waits in a hospital bed
        delayed_days = self.allocate_social_care(adm, esd)

        # elective referrals, the waiting list and the electives done in the beds left
        ref = demand.referred
        listed = self.rng_delivery.random(ref.size) < s.demand.listed_share
        self.waiting[:, :, 1:] = self._age_waiting()
        self.waiting[:, :, 0] = count_pairs(ref[listed])
        electives = np.zeros((nc, nh), dtype=np.int64)
        day_share = s.demand.elective_day_case_share
        for h in self.hospitals:
            # day cases need theatre time only; inpatient electives also need the beds that
            # emergencies and delayed transfers leave free
            beds_free = max(h.beds * MONTH_DAYS - emergency_bed_days[h.index] - delayed_days[h.index], 0.0)
            day_cases = h.elective_capacity_now * day_share
            inpatients = min(h.elective_capacity_now * (1 - day_share), beds_free / s.demand.elective_los_days)
            can_do = day_cases + inpatients
            electives[:, h.index] = self._treat_longest_waiting(h.index, int(can_do))
            h.emergency_admissions = int((pop.hospital[adm] == h.index).sum())
            h.elective_admissions = int(electives[:, h.index].sum())
            inpatients_done = h.elective_admissions * inpatients / can_do if can_do > 0 else 0.0
            h.bed_days = float(emergency_bed_days[h.index] + delayed_days[h.index] + inpatients_done * s.demand.elective_los_days)
            h.delayed_days = float(delayed_days[h.index])
            h.occupancy = h.bed_days / (h.beds * MONTH_DAYS) if h.beds else 0.0
            h.bed_days_year.append(h.bed_days)
            h.waiting_list = int(self.waiting[:, h.index, :].sum())

        attended_all = np.concatenate([demand.attended, adm])
        ae = count_pairs(attended_all)
        for h in self.hospitals:
            h.ae_attendances = int(ae[:, h.index].sum())
        emergencies = count_pairs(adm)
        self._outcome_counts[:, 0] += emergencies.sum(axis=1)
        self._year_admissions[0] += int(adm.size)
        self._year_admissions[1] += pop.size
        return {
            "electives": electives,
            "emergencies": emergencies,
            "readmissions": count_pairs(adm[demand.readmitted]),
            "ae": ae,
            "outpatients": count_pairs(ref),
            "emergency_bed_days": emergency_bed_days,
            "delayed_days": delayed_days,
        }

    def _age_waiting(self) -> np.ndarray:
        w = self.waiting
        aged = np.empty_like(w[:, :, 1:])
        aged[:, :, :-1] = w[:, :, :-2]
        aged[:, :, -1] = w[:, :, -2] + w[:, :, -1]
        return aged

    def _treat_longest_waiting(self, h: int, capacity: int) -> np.ndarray:
        """Treat up to ``capacity`` people, longest waits first, shared across commissioners."""
        done = np.zeros(self.waiting.shape[0], dtype=np.int64)
        for k in range(WAIT_BINS - 1, -1, -1):
            if capacity <= 0:
                break
            col = self.waiting[:, h, k]
            total = int(col.sum())
            if total == 0:
                continue
            take = min(capacity, total)
            share = col * take // total
            short = take - int(share.sum())
            if short:
                order = np.argsort(-(col * take % total), kind="stable")[:short]
                share[order] += 1
            share = np.minimum(share, col)
            self.waiting[:, h, k] -= share
            done += share
            capacity -= int(share.sum())
        return done

    def allocate_social_care(self, admitted: np.ndarray, esd: np.ndarray) -> np.ndarray:
        """Match care packages to people on discharge and at home; the rest wait.

        People fit to leave hospital who are eligible for care and cannot get a
        package stay in a hospital bed: a delayed transfer of care. A council
        that keeps capacity for discharge reserves a share of its free packages
        for them; otherwise they compete with people waiting at home.
        """
        pop = self.population
        rng = self.rng_care
        nh = len(self.hospitals)
        elig = np.array([c.eligibility for c in self.councils], dtype=np.float32)
        in_use = np.bincount(pop.council[pop.sc_met & pop.alive], minlength=len(self.councils))

        newly = admitted[~pop.sc_met[admitted] & ~pop.delayed[admitted]]
        needs_care = pop.frailty[newly] >= elig[pop.council[newly]]
        discharged_now = newly[~needs_care]
        already_delayed = np.flatnonzero(pop.delayed)
        want_discharge = np.concatenate([already_delayed, newly[needs_care]])
        at_home = pop.alive & ~pop.sc_met & ~pop.delayed & (pop.frailty >= elig[pop.council])
        at_home[admitted] = False
        home_idx = np.flatnonzero(at_home)

        placed_from_hospital = []
        for c in self.councils:
            free = max(c.packages - int(in_use[c.index]), 0)
            d_idx = want_discharge[pop.council[want_discharge] == c.index]
            h_idx = home_idx[pop.council[home_idx] == c.index]
            reserved = min(int(free * c.behaviour.discharge_priority), d_idx.size)
            first = d_idx[:reserved]  # people already delayed come first
            rest_d = d_idx[reserved:]
            pool = np.concatenate([rest_d, h_idx])
            k = min(free - reserved, pool.size)
            chosen = rng.choice(pool, size=k, replace=False) if k > 0 else pool[:0]
            placed = np.concatenate([first, chosen])
            pop.sc_met[placed] = True
            c.packages_in_use = int(in_use[c.index]) + placed.size
            placed_from_hospital.append(placed[pop.delayed[placed] | np.isin(placed, d_idx)])

        with_care = np.concatenate(placed_from_hospital) if placed_from_hospital else discharged_now[:0]
        left = np.concatenate([discharged_now, with_care])
        # people leaving with a care package, or with early supported discharge, do not carry
        # the raised risk of readmission; everyone else leaving hospital does
        prog = self.params.programmes
        h = pop.hospital[discharged_now]
        supported = rng.random(discharged_now.size) < esd[h] * (prog.discharge_readmission_effect / max(prog.discharge_los_effect, 1e-9))
        pop.discharged_step[discharged_now[~supported]] = pop.step
        pop.delayed[left] = False
        pop.delayed_months[left] = 0

        still = want_discharge[~pop.sc_met[want_discharge]]
        # some of those already waiting leave without a council package: they pay for care,
        # family takes them home, or they go home with their need unmet (and a raised
        # risk of coming back)
        waited = pop.delayed[still]
        gone = still[waited & (rng.random(still.size) < self.params.social_care.delay_exit_per_month)]
        pop.delayed[gone] = False
        pop.delayed_months[gone] = 0
        pop.discharged_step[gone] = pop.step
        still = still[~np.isin(still, gone)]
        new_delay = still[~pop.delayed[still]]
        pop.delayed[still] = True
        pop.delayed_months[still] += 1
        days = np.concatenate([np.where(np.isin(still, new_delay), MONTH_DAYS / 2, MONTH_DAYS), np.full(gone.size, MONTH_DAYS / 2)])
        in_bed = np.concatenate([still, gone])
        comm = pop.geo.gp_commissioner[pop.gp[in_bed]]
        self._outcome_counts[:, 1] += np.bincount(comm, weights=days, minlength=len(self.commissioners))
        return np.bincount(pop.hospital[in_bed], weights=days, minlength=nh)

    # 3. money ---------------------------------------------------------------------------------
    def move_money(self, activity: dict[str, Any]) -> None:
        pop = self.population
        led = self.ledger
        s = self.params
        lists = np.bincount(pop.gp[pop.alive], minlength=len(self.gp_federations))
        for g in self.gp_federations:
            g.list_size = int(lists[g.index])
        for c in self.contracts:
            if not c.active:
                continue
            transfers = c.month(self._contract_activity(c, activity))
            if c.payer != c.provider:  # a lead provider's own services move no money
                led.apply(transfers)
            if c.scope == "social_care":  # the council plans with what the pot brings in
                c.provider_org.pooled_in_year += sum(t.pence if t.payee == c.provider else -t.pence for t in transfers) / 100  # type: ignore[attr-defined]

        # continuing healthcare: the NHS pays for its share of packages
        comm_of = pop.geo.gp_commissioner
        m = pop.sc_met & pop.alive
        nco = len(self.councils)
        packages = np.bincount(comm_of[pop.gp[m]].astype(np.int64) * nco + pop.council[m], minlength=len(self.commissioners) * nco).reshape(-1, nco)
        for cm in self.commissioners:
            share = s.social_care.nhs_funded_share * cm.behaviour.chc_share_ratio
            for co in self.councils:
                chc = packages[cm.index, co.index] * share * self.prices.package_cost
                paid = led.transfer(cm.account, co.account, to_pence(chc), "continuing_healthcare") / 100
                co.nhs_funded_in_year += paid
                cm.chc_in_year += paid
                pooled = cm.pooled_with(co) / 12
                if pooled > 0:
                    paid = led.transfer(cm.account, co.account, to_pence(pooled), "pooled_budget") / 100
                    co.pooled_in_year += paid
                    cm.pooled_in_year += paid

        variable = activity["electives"].sum(axis=0) * s.tariff.elective_spell
        # an emergency spell's variable cost goes with its bed days
        variable = variable + activity["emergency_bed_days"] / s.demand.emergency_los_days * s.tariff.emergency_spell
        variable = variable + activity["ae"].sum(axis=0) * s.tariff.ae_attendance
        variable = variable + activity["outpatients"].sum(axis=0) * s.tariff.outpatient_attendance
        variable = variable * s.tariff.variable_cost_share
        for h in self.hospitals:
            h.monthly_costs(float(variable[h.index]))
        for org in (*self.commissioners, *self.councils, *self.gp_federations):
            org.monthly_costs()

    def _contract_activity(self, c: Contract, activity: dict[str, Any]) -> Activity:
        if c.scope == "acute":
            i = c.population_of.index  # type: ignore[attr-defined]
            # a hospital's own activity for the population; a prime contractor answers for all of it
            j = c.provider_org.index if isinstance(c.provider_org, Hospital) else slice(None)  # type: ignore[attr-defined]
            count = lambda name: int(np.sum(activity[name][i, j]))  # noqa: E731
            return Activity(
                elective_spells=count("electives"),
                emergency_spells=count("emergencies"),
                emergency_readmissions=count("readmissions"),
                ae_attendances=count("ae"),
                outpatient_attendances=count("outpatients"),
            )
        if c.scope == "primary_care":
            g = c.provider_org
            return Activity(registered_patients=g.list_size, quality_achievement=g.quality_achievement)
        if c.scope == "whole_population":
            return Activity(registered_patients=int(self._people_of_commissioner()[c.population_of.index]))  # type: ignore[attr-defined]
        return Activity()

    def _people_of_commissioner(self) -> np.ndarray:
        return np.array([sum(g.list_size for g in self.gp_federations if g.commissioner is cm) for cm in self.commissioners])

    def _resident_share(self, cm: Commissioner, co: Council) -> float:
        """Share of the commissioner's registered population who live in the council's area."""
        return self._residents_by_council[cm.index, co.index]

    # 5. year end --------------------------------------------------------------------------------
    def settle_contracts(self) -> None:
        """Year-end reconciliation of every contract (part of the year's last month)."""
        results = self.results_to_date()
        outcomes = self.year_outcomes()
        for c in self.contracts:
            if c.scope == "acute":
                self.last_year_electives[c.name] = c.year_activity.elective_spells
            if c.active:
                self._settle(c, results, outcomes)
        self._outcome_counts[:] = 0.0
        self.apply_sanctions()

    def apply_sanctions(self) -> None:
        """Graduated sanctions (seed 002): a defection its partners see costs a fortress a share of its
        year's income, more each time, paid to the partners that collaborated."""
        commons = self.params.commons
        if not commons.graduated_sanctions:
            return
        led = self.ledger
        for org in self.organisations:
            if org.strategy != "fortress":
                continue
            seen_by = [p for p in partners(self, org) if self.network.edges[p, org.name]["seen_defecting"]
                       or commons.shared_measures]
            victims = [self.organisation(p) for p in seen_by if self.organisation(p).strategy == "collaborative"]
            if not seen_by:
                continue
            org.defections += 1
            income = (org.year_income_pence + led.period_in[org.account]) / 100
            sanction = commons.sanction_share * org.defections * max(income, 0.0)
            if victims and sanction > 0:
                each = to_pence(sanction / len(victims))
                for v in victims:
                    led.transfer(org.account, v.account, each, "sanction")
                self.sanctions_paid += each * len(victims) / 100

    def results_to_date(self) -> dict[str, float]:
        """Each organisation's surplus (+) or deficit (-) so far this financial year, pounds."""
        led = self.ledger
        return {o.account: (o.year_income_pence + led.period_in[o.account] - o.year_spending_pence - led.period_out[o.account]) / 100
                for o in self.organisations}

    def year_outcomes(self) -> dict[str, dict[str, float]]:
        """Each commissioner's population's outcomes so far this year (see regimes.OUTCOMES)."""
        pop = self.population
        comm = pop.geo.gp_commissioner[pop.gp]
        nc = len(self.commissioners)
        alive = pop.alive
        people = np.bincount(comm[alive], minlength=nc)
        unmet = alive & ~pop.sc_met & (pop.frailty >= self.params.social_care.need_threshold)
        unmet_n = np.bincount(comm[unmet], minlength=nc)
        months = max(self.month % 12 or 12, 1)
        out = {}
        for cm in self.commissioners:
            i = cm.index
            per_1000_year = 1000 * 12 / months / max(people[i], 1)
            waiting = self.waiting[i].sum()
            out[cm.account] = {
                "emergency_admissions_per_1000": float(self._outcome_counts[i, 0] * per_1000_year),
                "delayed_transfer_days_per_1000": float(self._outcome_counts[i, 1] * per_1000_year),
                "waiting_over_18_weeks_share": float(self.waiting[i, :, 4:].sum() / waiting) if waiting else 0.0,
                "unmet_social_care_need_per_1000": float(unmet_n[i] * 1000 / max(people[i], 1)),
            }
        return out

    def _settle(self, c: Contract, results: dict[str, float], outcomes: dict[str, dict[str, float]]) -> None:
        """Settle a contract's year (or the part of it run) and book it; a lead's own services move no money."""
        transfers = c.settle_year(self._year_end(c, results, outcomes))
        if c.payer != c.provider:
            self.ledger.apply(transfers)

    def _close(self, c: Contract, results: dict[str, float], outcomes: dict[str, dict[str, float]]) -> None:
        """End a contract now: settle the part of the year it ran, if any, and close it."""
        if c.months_this_year:
            self._settle(c, results, outcomes)
        c.active = False

    def _relet(self, old: Contract, payer: Organisation, regime_name: str | None = None,
               basis: ContractBasis | None = None) -> Contract:
        """Let a closed contract's services again from this month: to ``payer``, under ``regime_name``
        (default: the same), on ``basis`` (default: its own at today's prices), for the same population."""
        return self._let(payer, old.provider_org, old.scope, basis or self._current_basis(old),  # type: ignore[attr-defined]
                         regime_name=regime_name or old.regime.name, start_step=self.month,
                         population_of=old.population_of)  # type: ignore[attr-defined]

    def _year_end(self, c: Contract, results: dict[str, float], outcomes: dict[str, dict[str, float]]) -> YearEnd:
        if c.terms.get("members"):
            results = self._alliance_results(c, results)
        elif c.scope == "social_care":
            # a council pooling with several commissioners shares its result once, by their contributions
            pots = [x for x in self.contracts if x.active and x.scope == "social_care" and x.provider == c.provider]
            total = sum(x.terms["annual_value"] for x in pots)
            share = c.terms["annual_value"] / total if total else 1.0
            results = {**results, c.provider: results.get(c.provider, 0.0) * share}
        return YearEnd(shadow_value=self._shadow_value(c), outcomes=outcomes.get(c.population_of.account, {}), results=results)  # type: ignore[attr-defined]

    def _alliance_results(self, c: Contract, results: dict[str, float]) -> dict[str, float]:
        """Each member's result attributed to this alliance: its whole result times the alliance's
        share of its contract income, so a provider in several alliances is shared once in all."""
        def value(x: Contract) -> float:
            return x.basis.annual_value if x.basis is not None else x.terms.get("annual_value", 0.0)

        group = [x for x in self.contracts if x.active and x.payer == c.payer and x.scope == c.scope and x.terms.get("members")]
        out = dict(results)
        for member in c.terms["members"]:
            mine = sum(value(x) for x in group if x.provider == member)
            total = sum(value(x) for x in self.contracts if x.active and x.provider == member and x.payer != x.provider)
            out[member] = results.get(member, 0.0) * (mine / total if total else 1.0)
        return out

    def _shadow_value(self, c: Contract) -> float:
        """The contract year's activity at its full prices (community and primary care: what was due)."""
        prices = c.terms.get("prices")
        a = c.year_activity
        if c.scope != "acute" or prices is None:
            due = c.regime.due_to_date(c)
            return float(due) if due is not None else c.paid_this_year_pence / 100
        return (prices["elective_spell"] * a.elective_spells + prices["emergency_spell"] * a.emergency_spells
                + prices["ae_attendance"] * a.ae_attendances + prices["outpatient_attendance"] * a.outpatient_attendances)

    def close_year(self) -> None:
        """Accounts close; prices move; strategies are chosen; next year is planned."""
        for org in self.agents:
            org.close_year()
        self._year_figures()
        self.policy.observe(self)  # learn from the year just ended (its standing then included)
        update_trust(self)
        self.regulate()  # new leadership starts afresh: what was learned and trust are reset
        self.handle_failures()
        m = self.params.money
        # prices pass on cost growth less the efficiency asked; costs grow less what is achieved
        price_change, cost_change = m.price_change, m.cost_change
        self.prices.tariff *= price_change
        self.prices.unit_cost *= cost_change
        self.prices.gp_contract *= cost_change
        self.prices.allocation *= 1 + m.allocation_growth
        self.prices.council_index *= 1 + m.council_grant_growth
        for c in self.councils:
            c.grant *= 1 + m.council_grant_growth
        for c in self.contracts:
            # the tariff's efficiency factor applies to trusts' services; the GP contract's
            # uplift asks only for the productivity practices achieve
            if c.scope == "social_care":  # a pooled contribution is a share of the allocation
                self._deflate(c, 1 + m.allocation_growth)
            else:
                self._deflate(c, cost_change if c.scope == "primary_care" else price_change)
        # everyone chooses on what the others did this year, then all switch together
        chosen = {org: self.policy.choose(org, self) for org in self.agents}
        for org, strategy in chosen.items():
            org.strategy = strategy
        for org in self.agents:
            org.plan_year()
        for h in self.hospitals:
            h.community_value = sum(c.terms["annual_value"] for c in self.contracts_of_provider(h) if c.scope == "community" and "annual_value" in c.terms)

    def _deflate(self, c: Contract, factor: float) -> None:
        t = c.terms
        if "prices" in t:
            t["prices"] = {k: v * factor for k, v in t["prices"].items()}
        for key in ("annual_value", "per_patient", "quality_per_patient", "per_head", "target"):
            if key in t:
                t[key] *= factor

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

    def contracts_of_payer(self, org: Organisation) -> list[Contract]:
        return [c for c in self.contracts if c.payer == org.account and c.active]

    def contracts_of_provider(self, org: Organisation) -> list[Contract]:
        return [c for c in self.contracts if c.provider == org.account and c.active]

    def _calibrate_and_contract(self) -> None:
        """Size capacity and money from the population, then let the baseline contracts.

        Capacity is sized to expected first-year demand; providers' costs to their
        expected income (with the acute starting overrun); the allocation to what
        commissioners are expected to spend plus their planned surplus; council
        money to their care and prevention spending.
        """
        s = self.params
        pop = self.population
        # councils: packages and eligibility from the frailty of their residents
        sc = s.social_care
        residents = np.bincount(pop.council[pop.alive], minlength=len(self.councils))
        for co in self.councils:
            mine = pop.alive & (pop.council == co.index)
            co.packages = int(round(sc.packages_per_1000 * residents[co.index] / 1000))
            co.base_eligibility = co.start_eligibility = self.ration_threshold(co, co.packages)
            if co.behaviour.balances_books:
                co.packages = min(co.packages, self.eligible_count(co))
            eligible = np.flatnonzero(mine & (pop.frailty >= co.eligibility))
            take = pop.rng.choice(eligible, size=min(co.packages, eligible.size), replace=False)
            pop.sc_met[take] = True
            co.packages_in_use = take.size
        pop.calibrate(pop.sc_met)
        pop.calibrate_los()
        exp = pop.expected_year()
        alive = pop.alive
        nc, nh, nco = len(self.commissioners), len(self.hospitals), len(self.councils)
        comm = pop.geo.gp_commissioner[pop.gp]
        pair = (comm.astype(np.int64) * nh + pop.hospital)[alive]
        by_pair = lambda w: np.bincount(pair, weights=w[alive], minlength=nc * nh).reshape(nc, nh)  # noqa: E731
        # the hospitals' elective capacity, the contracts and the allocation were set to the flows of the
        # day, GP workload shedding as it was included: the same place and money under every strategy mix
        att, adm = by_pair(exp["attendances"]), by_pair(exp["admissions"])
        ref = by_pair(exp["referrals"]) * (1 + s.demand.referral_shedding_at_start)
        electives = ref * s.demand.listed_share
        catch = np.bincount(pop.hospital[alive], minlength=nh)
        residents = np.bincount(pop.council[alive], minlength=nco)
        cm_co = np.bincount((comm.astype(np.int64) * nco + pop.council)[alive], minlength=nc * nco).reshape(nc, nco)
        # a council's residents split by commissioner (columns sum to 1), and a
        # commissioner's registered population split by council (rows sum to 1)
        self._commissioner_council_share = cm_co / np.maximum(cm_co.sum(axis=0, keepdims=True), 1)
        self._residents_by_council = cm_co / np.maximum(cm_co.sum(axis=1, keepdims=True), 1)
        t = s.tariff
        prices = {"elective_spell": t.elective_spell, "emergency_spell": t.emergency_spell,
                  "ae_attendance": t.ae_attendance, "outpatient_attendance": t.outpatient_attendance}
        cap = s.capacity
        months = s.money.opening_reserves_months

        # the waiting list people bring into the model, spread over the months waited so far
        start = electives / electives.sum() * s.demand.waiting_list_per_1000 * alive.sum() / 1000
        spread = np.array([0.25, 0.2, 0.15, 0.12, 0.1, 0.08, 0.05, 0.05])
        self.waiting[:, :, : spread.size] = np.rint(start[:, :, None] * spread[None, None, :]).astype(np.int64)

        commissioner_spend = np.zeros(nc)
        for h in self.hospitals:
            j = h.index
            h.catchment = int(catch[j])
            h.beds = int(round(cap.beds_per_1000 * catch[j] / 1000))
            h.elective_capacity = electives[:, j].sum() / 12 * cap.elective_capacity_margin
            acute_income = (adm[:, j].sum() * t.emergency_spell + electives[:, j].sum() * t.elective_spell
                            + att[:, j].sum() * t.ae_attendance + ref[:, j].sum() * t.outpatient_attendance)
            variable = acute_income * t.variable_cost_share
            community = cap.community_cost_per_head * catch[j]
            h.community_base_value = h.community_value = community
            overrun = s.money.starting_cost_overrun
            fixed = acute_income * (1 + overrun) - variable
            h.cost_per_bed_month = fixed * cap.bed_cost_share / 12 / max(h.beds, 1)
            h.overhead_month = fixed * (1 - cap.bed_cost_share) / 12
            for cm in self.commissioners:
                i = cm.index
                value = adm[i, j] * t.emergency_spell + electives[i, j] * t.elective_spell + att[i, j] * t.ae_attendance + ref[i, j] * t.outpatient_attendance
                basis = ContractBasis(
                    expected=Activity(elective_spells=round(electives[i, j]), emergency_spells=round(adm[i, j]),
                                      ae_attendances=round(att[i, j]),
                                      outpatient_attendances=round(ref[i, j])),
                    prices=prices, annual_value=value, marginal_rate=t.emergency_marginal_rate,
                )
                self._let(cm, h, "acute", basis)
                share = catch_share = (pair == i * nh + j).sum() / max(catch[j], 1)
                cbasis = ContractBasis(expected=Activity(), prices=prices, annual_value=community * catch_share)
                self._let(cm, h, "community", cbasis)
                commissioner_spend[i] += value + community * share
            self.ledger.open(h.account, balance_pence=to_pence(acute_income * months / 12))

        lists = np.bincount(pop.gp[alive], minlength=len(self.gp_federations))
        gp_contacts = np.bincount(pop.gp[alive], weights=exp["gp_contacts"][alive], minlength=len(self.gp_federations))
        for g in self.gp_federations:
            g.list_size = int(lists[g.index])
            g.capacity_per_patient = gp_contacts[g.index] / 12 * cap.gp_capacity_margin / max(g.list_size, 1)
            income = (cap.capitation_per_patient + cap.qof_per_patient) * g.list_size
            g.cost_per_contact = income / 12 / max(g.capacity_per_patient * g.list_size, 1e-9)
            basis = ContractBasis(expected=Activity(registered_patients=g.list_size), prices=prices, annual_value=income,
                                  per_patient=cap.capitation_per_patient, quality_per_patient=cap.qof_per_patient)
            self._let(g.commissioner, g, "primary_care", basis)
            commissioner_spend[g.commissioner.index] += income
            self.ledger.open(g.account, balance_pence=to_pence(income * s.money.gp_federation_reserves_months / 12))

        for co in self.councils:
            care = co.packages * sc.package_cost_per_month * 12
            council_share = care * (1 - sc.nhs_funded_share)
            co.base_prevention = council_share * s.money.prevention_share_of_council / (1 - s.money.prevention_share_of_council)
            co.prevention_spend = co.base_prevention * co.behaviour.prevention_ratio
            co.grant = council_share + co.base_prevention
            commissioner_spend += care * sc.nhs_funded_share * self._commissioner_council_share[:, co.index]
            self.ledger.open(co.account, balance_pence=to_pence(co.grant * months / 12))

        for cm in self.commissioners:
            spend = commissioner_spend[cm.index] / (1 - s.money.commissioner_running_cost_share)
            cm.allocation = spend / (1 - s.money.commissioner_planned_surplus)
            cm.running_costs = cm.allocation * s.money.commissioner_running_cost_share
            self.ledger.open(cm.account, balance_pence=to_pence(cm.allocation * months / 12))
        for pc in self.prime_contractors:
            # a new entrant starts with capital in proportion to the services it bids for
            capital = 0.0
            for t in s.contracting.tenders:
                for b in (b for b in t.bidders if b.name == pc.name):
                    cm = self.organisation(t.commissioner)
                    value = sum(c.basis.annual_value for c in self.contracts if c.payer == cm.account and c.scope == t.scope)
                    capital = max(capital, b.capital * value)
            self.ledger.open(pc.account, balance_pence=to_pence(capital))
        for org in self.organisations:
            org.reserves = self.ledger.balance(org.account) / 100

    def eligible_count(self, council: Council) -> int:
        pop = self.population
        return int((pop.alive & (pop.council == council.index) & (pop.frailty >= council.eligibility)).sum())

    def ration_threshold(self, council: Council, packages: int) -> float:
        """The frailty above which exactly ``packages`` of the council's residents would be eligible."""
        pop = self.population
        sc = self.params.social_care
        frail = np.sort(pop.frailty[pop.alive & (pop.council == council.index)])[::-1]
        k = min(packages, frail.size) - 1
        return float(max(frail[k], sc.need_threshold)) if k >= 0 else sc.need_threshold

    def _let(self, payer: Organisation, provider: Organisation, scope: str, basis: ContractBasis,
             regime_name: str | None = None, start_step: int = 0, population_of: Commissioner | None = None) -> Contract:
        """Let a contract; ``population_of``: the commissioner whose population it serves (default: the payer)."""
        con = self.params.contracting
        regime = REGIMES[regime_name or getattr(con, scope)]
        options = {**con.terms, "scope": scope}
        c = Contract(payer=payer.account, provider=provider.account, scope=scope, regime=regime,
                     terms=regime.terms(basis, options), start_step=start_step, basis=basis,
                     term_years=payer.behaviour.contract_years if isinstance(payer, Commissioner) else 1)
        c.payer_org, c.provider_org = payer, provider  # type: ignore[attr-defined]
        c.population_of = population_of or payer  # type: ignore[attr-defined]
        c.price_indices = (self.prices.tariff, self.prices.gp_contract)  # type: ignore[attr-defined]  # the basis's prices
        self.contracts.append(c)
        return c

    # --- procurement ----------------------------------------------------------------------------
    # --- regulation and the year's figures ------------------------------------------------------
    def _year_figures(self) -> None:
        """The place's result and the growth of its emergency admissions over the year just closed."""
        income = sum(o.last_income for o in self.organisations if o.kind != "commissioner")
        result = sum(o.last_result for o in self.organisations)
        self.place_margin = result / income if income > 0 else 0.0
        admissions, person_months = self._year_admissions
        rate = admissions * 12_000 / person_months if person_months else 0.0
        self.admissions_growth = rate / self._last_admission_rate - 1.0 if self._last_admission_rate else 0.0
        self._last_admission_rate = rate
        self._year_admissions = [0, 0]

    def regulate(self) -> None:
        """An organisation-focused regulator puts an organisation whose deficit exceeds its threshold
        into special measures: leadership replaced (what it learned is reset), its relationships
        start again, and it is pushed to fix its own finances (fortress) for the years set. A
        whole-system regulator judges the place as one (see model.adaptive) and does none of this."""
        reg = self.params.regulation
        year = self.month // 12
        for org in self.organisations:
            org.in_special_measures = org.special_measures_until > year
            if reg.focus != "organisation" or org.in_special_measures or org.last_income <= 0:
                continue
            if org.last_result / org.last_income >= -reg.special_measures_deficit:
                continue
            if self.params.commons.national_recognition and org.strategy == "collaborative":
                continue  # the national bodies accept the place's own plan for its collaborators
            org.special_measures_until = year + reg.special_measures_years
            org.in_special_measures = True
            org.attraction = {"fortress": 0.0, "collaborative": 0.0}
            org.experience = 0.0
            reset_trust(self, org.name)
            self.events.append({"event": "special_measures", "step": self.month, "organisation": org.name})

    def handle_failures(self) -> None:
        """A GP federation or prime contractor whose deficit exceeds ``failure_months`` of its income
        fails: any budget it held as lead ends and its sub-contracts go back to the commissioner, the
        commissioner writes off its debts, and new leadership starts afresh."""
        reg = self.params.regulation
        for org in self.organisations:
            if org.kind not in ("gp_federation", "prime_contractor") or org.last_income <= 0:
                continue
            reserves = self.ledger.balance(org.account) / 100
            if reserves >= -reg.failure_months / 12 * org.last_income:
                continue
            results, outcomes = self.results_to_date(), self.year_outcomes()
            # the commissioner whose budget it held writes off its debts; otherwise its own commissioner
            budgets = [c.payer_org for c in self.contracts if c.active and c.provider_org is org  # type: ignore[attr-defined]
                       and (c.scope == "whole_population" or hasattr(c, "tender"))]
            rescuer = budgets[0] if budgets else (org.commissioner if isinstance(org, GPFederation) else None)
            for c in [c for c in self.contracts if c.active and org in (c.payer_org, c.provider_org)]:  # type: ignore[attr-defined]
                held = c.payer_org is org or c.scope == "whole_population" or hasattr(c, "tender")  # type: ignore[attr-defined]
                if not held:
                    continue  # its own core contract (as a provider) carries on
                self._close(c, results, outcomes)
                if c.payer_org is org:  # type: ignore[attr-defined]
                    self._relet(c, c.population_of)  # type: ignore[attr-defined]
            if rescuer is not None:
                self.ledger.transfer(rescuer.account, org.account, to_pence(-reserves), "failure_write_off")
            org.attraction = {"fortress": 0.0, "collaborative": 0.0}
            org.experience = 0.0
            reset_trust(self, org.name)
            self.events.append({"event": "failed", "step": self.month, "organisation": org.name,
                                "deficit": -reserves, "written_off_by": rescuer.name if rescuer else None})
        self._form_alliances()

    def in_special_measures(self, org: Organisation) -> bool:
        return org.in_special_measures

    def forced_strategy(self, org: Organisation) -> str | None:
        """A strategy the rules impose this year, if any (special measures; system leadership)."""
        if org.kind == "prime_contractor":
            return org.strategy  # a contracting vehicle, not a party to the place's relationships
        if org.in_special_measures:
            return "fortress"
        if self.params.commons.system_leadership and org.kind == "commissioner":
            return "collaborative"
        return None

    def events_of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["event"] == kind]

    def run_tenders(self) -> None:
        """Tenders whose contracts start this month: bids, the lowest wins, the winner sub-contracts.

        The services' true cost is ``cost_gap`` times today's contract value; each bidder
        estimates it with its own bias and error and bids ``optimism`` below its estimate,
        at most the commissioner's ceiling. The winner is paid its bid as a block for the
        term and pays the incumbents, now its sub-contractors, what the services truly cost.
        """
        for t in (t for t in self.params.contracting.tenders if t.step == self.month):
            cm = self.organisation(t.commissioner)
            current = [c for c in self.contracts if c.active and c.population_of is cm and c.scope == t.scope]  # type: ignore[attr-defined]
            value = sum(self._current_basis(c).annual_value for c in current)
            if value <= 0:
                continue
            true_cost = value * t.cost_gap
            ceiling = value * t.ceiling
            bids = {}
            for b in t.bidders:
                estimate = true_cost * max(1.0 + b.cost_bias + b.cost_error * self.rng_procurement.normal(), 0.0)
                bids[b.name] = float(min(estimate * (1.0 - b.optimism), ceiling))
            winner_name = min(bids, key=lambda n: (bids[n], n))
            winner = self.organisation(winner_name)
            results, outcomes = self.results_to_date(), self.year_outcomes()
            for old in current:
                self._close(old, results, outcomes)
                self._relet(old, winner, basis=self._scaled_basis(self._current_basis(old), t.cost_gap))
            # the winner's contract: a block at its bid, on the services' expected activity and prices
            expected = Activity()
            for old in current:
                expected.add(old.basis.expected)
            basis = ContractBasis(expected=expected, prices=self._current_basis(current[0]).prices, annual_value=bids[winner_name])
            c = self._let(cm, winner, t.scope, basis, regime_name="block", start_step=self.month)
            c.term_years = t.term_years
            c.tender = t  # type: ignore[attr-defined]
            c.start_reserves = max(self.ledger.balance(winner.account) / 100, 0.0)  # type: ignore[attr-defined]
            self.events.append({"event": "tender_won", "step": self.month, "winner": winner_name, "commissioner": cm.name,
                                "scope": t.scope, "bids": bids, "value": float(value), "true_cost": float(true_cost)})
        self._form_alliances()

    @staticmethod
    def _scaled_basis(basis: ContractBasis, f: float) -> ContractBasis:
        return ContractBasis(expected=basis.expected, prices={k: v * f for k, v in basis.prices.items()},
                             annual_value=basis.annual_value * f, per_patient=basis.per_patient * f,
                             quality_per_patient=basis.quality_per_patient * f, marginal_rate=basis.marginal_rate)

    def review_tendered_contracts(self) -> None:
        """A winner whose losses on a tendered contract exceed its reserves asks for more money;
        refused, it hands the contract back: the services return to the commissioner and the
        cost of ending the contract is shared between them."""
        for c in [c for c in self.contracts if c.active and hasattr(c, "tender")]:
            t, cm, winner = c.tender, c.payer_org, c.provider_org  # type: ignore[attr-defined]
            subs = [x for x in self.contracts if x.active and x.payer == winner.account and x.population_of is cm and x.scope == t.scope]  # type: ignore[attr-defined]
            # the winner's loss on this contract: what it paid its sub-contractors less what it was paid
            # (its own services, kept in-house, cost it their share of the block: no payment)
            loss = (sum(x.paid_total_pence for x in subs if x.payer != x.provider) - c.paid_total_pence) / 100
            if loss <= 0:
                continue
            asked = [e for e in self.events if e["event"] == "top_up" and e["contract"] == c.name]
            if not asked:  # the first month it runs at a loss, it asks for the year's shortfall
                months = max(self.month + 1 - c.start_step, 1)
                shortfall = float(loss * 12 / months)
                self.events.append({"event": "top_up", "step": self.month, "contract": c.name, "pounds": shortfall,
                                    "granted": t.top_up})
                if t.top_up:
                    c.terms["annual_value"] += shortfall
                continue
            if loss <= c.start_reserves:  # type: ignore[attr-defined]  # it carries the loss while its reserves last
                continue
            results, outcomes = self.results_to_date(), self.year_outcomes()
            for x in (c, *subs):
                self._close(x, results, outcomes)
            for x in subs:
                self._relet(x, cm)
            cost = float(t.termination_cost * c.terms["annual_value"])
            cm.spend(cost * t.termination_commissioner_share, "termination_costs")
            winner.spend(cost * (1 - t.termination_commissioner_share), "termination_costs")
            self.events.append({"event": "contract_ended", "step": self.month, "contract": c.name, "winner": winner.name,
                                "loss": loss, "termination_cost": cost, "winner_reserves": self.ledger.balance(winner.account) / 100})
            self._form_alliances()

    def pool_budgets(self) -> None:
        """Commissioners and councils pool health and social care money, at the step named."""
        for pb in (pb for pb in self.params.contracting.pooled_budgets if pb.step == self.month):
            cm, co = self.organisation(pb.commissioner), self.organisation(pb.council)
            value = pb.nhs_contribution * cm.allocation * self.prices.allocation * self._resident_share(cm, co)
            basis = ContractBasis(expected=Activity(), prices={}, annual_value=value)
            self._let(cm, co, "social_care", basis, regime_name=POOLED.name, start_step=self.month)

    def hand_over_budgets(self) -> None:
        """Commissioners hand their population's whole budget to a lead provider, at the step named.

        Each of the commissioner's contracts for care is re-let with the lead as payer
        (its own services stay in-house: a contract with itself that moves no money);
        the commissioner pays the lead a budget per registered person worth what those
        contracts are worth at today's prices.
        """
        specs = [cb for cb in self.params.contracting.capitated_budgets if cb.step == self.month]
        if not specs:
            return
        results, outcomes = self.results_to_date(), self.year_outcomes()
        people = self._people_of_commissioner()
        for cb in specs:
            cm = self.organisation(cb.commissioner)
            lead = self.organisation(cb.lead)
            value = 0.0
            for old in [c for c in self.contracts if c.active and c.population_of is cm and c.scope in ("acute", "community", "primary_care")]:  # type: ignore[attr-defined]
                self._close(old, results, outcomes)
                value += self._relet(old, lead).basis.annual_value
            basis = ContractBasis(expected=Activity(registered_patients=int(people[cm.index])), prices={}, annual_value=value)
            self._let(cm, lead, "whole_population", basis, regime_name=CAPITATED.name, start_step=self.month)
        self._form_alliances()

    def _form_alliances(self) -> None:
        """Alliance contracts of one payer and scope share their members' results by their budgets."""
        groups: dict[tuple[str, str], list[Contract]] = {}
        for c in self.contracts:
            if c.active and "members" in c.terms:
                groups.setdefault((c.payer, c.scope), []).append(c)
        for group in groups.values():
            total = sum(c.terms.get("annual_value", 0.0) for c in group)
            members: dict[str, float] = {}
            for c in group:  # a provider may hold several of the payer's contracts (two populations)
                share = c.terms.get("annual_value", 0.0) / total if total else 1 / len(group)
                members[c.provider] = members.get(c.provider, 0.0) + share
            for c in group:
                c.terms["members"] = dict(members)

    def switch_regimes(self) -> None:
        """Contracts of a scope move to another regime at the step a scenario names.

        The old contract is settled for the part of the year it ran and closed; the
        new one is let on the same basis at today's prices and runs to the year end.
        """
        switches = [sw for sw in self.params.contracting.switches if sw.step == self.month]
        if not switches:
            return
        results, outcomes = self.results_to_date(), self.year_outcomes()
        for sw in switches:
            for old in [c for c in self.contracts if c.active and c.scope == sw.scope]:
                self._close(old, results, outcomes)
                self._relet(old, old.payer_org, regime_name=sw.regime)  # type: ignore[attr-defined]
        self._form_alliances()

    def _current_basis(self, c: Contract) -> ContractBasis:
        """The basis a contract was let on, at this year's prices."""
        basis = c.basis
        tariff, gp = c.price_indices  # type: ignore[attr-defined]
        f, g = self.prices.tariff / tariff, self.prices.gp_contract / gp
        return ContractBasis(expected=basis.expected, prices={k: v * f for k, v in basis.prices.items()},
                             annual_value=basis.annual_value * f, per_patient=basis.per_patient * g,
                             quality_per_patient=basis.quality_per_patient * g, marginal_rate=basis.marginal_rate)

    # --- views ---------------------------------------------------------------------------------
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


def _unit(x: float) -> float:
    """A behaviour intensity as a 0-1 switch for effects that need a programme at all."""
    return 1.0 if x > 0 else 0.0

