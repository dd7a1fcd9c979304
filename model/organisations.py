"""The organisations of the place: Mesa agents, one class per kind.

Each keeps its own books (an account in the ledger), capacity and programmes,
spends on care each month, and plans its next year at year end. What it does is set
by its *levers* (a hospital's admission threshold, a GP federation's case
management, a council's eligibility...): numbers it chooses each year as a best
response to its incentives (:mod:`model.decisions`), starting where the scenario's
bundle for its starting strategy puts them (:mod:`model.strategies`). Its other
policies (whether it pools budgets, how long the contracts it lets run) come with
its current strategy. Programmes (:mod:`model.programmes`) turn some levers into
capacity that is built, paid for and embedded over time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import mesa
import numpy as np

from model.ledger import to_pence
from model.population import MONTH_DAYS
from model.programmes import Programme
from model.strategies import behaviour

if TYPE_CHECKING:
    from model.economy import LocalHealthEconomy

SINK = "sink:care"


class Organisation(mesa.Agent):
    """What every organisation has: a strategy, an account, a memory of results."""

    kind: str = ""
    LEVERS: ClassVar[tuple[str, ...]] = ()  # the levers it sets each year (fields of its strategy's bundle)

    def __init__(self, model: LocalHealthEconomy, name: str, strategy: str, index: int) -> None:
        super().__init__(model)
        self.name = name
        self.strategy = strategy
        self.index = index  # position among organisations of its kind
        self.account = f"{self.kind}:{name}"
        # its levers start where its starting strategy's bundle puts them
        self.levers: dict[str, float] = {lever: float(getattr(self.behaviour, lever, 0.0)) for lever in self.LEVERS}
        self.programmes: dict[str, Programme] = {}
        self.levers_held_at = -1  # the year end at which a player set its levers (its own decisions leave them)
        self.memory: list[float] = []  # yearly surplus (+) or deficit (-), pounds: national support not in it
        self.year_income_pence = 0
        self.year_support_pence = 0  # national support received this financial year
        self.year_spending_pence = 0
        # learning (see model.adaptive) and regulation
        self.attraction = {"fortress": 0.0, "collaborative": 0.0}
        self.experience = 0.0
        self.payoff = 0.0
        self.p_collaborative = 1.0 if strategy == "collaborative" else 0.0
        self.last_income = 0.0  # last financial year's income, pounds, national support not in it
        self.special_measures_until = 0  # the year (0-based) its special measures end; 0: never in them
        self.in_special_measures = False
        self.in_failure_regime = False  # a hospital on distress finance, a council under a section 114 notice (model.regulation)
        self.distress_years = 0  # year ends running it has been in the failure regime
        self.national_support = 0.0  # pounds drawn so far from outside the place: distress finance, write-offs (model.regulation)
        self.defection_score = 0.0  # seen defections, each fading a year (graduated sanctions)
        self.harm = 0.0  # what it did to the others last year, pounds (model.governance.measure_harm)
        self.harm_line = 0.0  # the harm beyond which its partners count it as defecting, pounds (last year)
        self.defected = False  # whether that harm was beyond the tolerance
        # reported each month
        self.income = 0.0
        self.spending = 0.0
        self.surplus = 0.0
        self.reserves = 0.0

    # -- behaviour --------------------------------------------------------------------
    @property
    def behaviour(self) -> Any:
        """Its current strategy's bundle: its policies, and where its levers start."""
        return behaviour(self.model, self)

    @property
    def shares_data(self) -> bool:
        """Whether it shares its activity and finances with its partners (its strategy's policy)."""
        return bool(getattr(self.behaviour, "shares_data", False)) if self.LEVERS else False

    def lever(self, name: str) -> float:
        """A lever's level now: as it last chose it, or, with decisions off (the ablation), where its
        current strategy's bundle puts it."""
        if self.model.params.decisions.enabled:
            return self.levers[name]
        return float(getattr(self.behaviour, name, self.levers[name]))

    def programme_doses(self) -> dict[str, float]:
        """What it puts into each of its programmes this month (see model.programmes)."""
        return {}

    def advance_programmes(self) -> None:
        """A month of building (or winding down) each programme; set-up costs are paid as capacity is added."""
        p = self.model.params.programmes
        cost = 0.0
        for name, dose in self.programme_doses().items():
            prog = self.programmes.setdefault(name, Programme())
            prog.dose = dose
            added = prog.advance_month(p)
            cost += self.setup_cost(name, added)
        if cost > 0:  # one posting a month for all its programmes
            self.spend(cost, "programme_set_up")

    def setup_cost(self, programme: str, added: float) -> float:
        """Pounds to set up ``added`` units of a programme's capacity (none for programmes of staff time)."""
        return 0.0

    def embedded(self, programme: str) -> float:
        prog = self.programmes.get(programme)
        return prog.embedded if prog is not None else 0.0

    def in_post(self, programme: str) -> float:
        prog = self.programmes.get(programme)
        return prog.in_post if prog is not None else 0.0

    @property
    def maturity(self) -> float:
        """How far its programmes have embedded: the embedded capacity over the dose, averaged (reported)."""
        shares = [min(abs(p.embedded) / abs(p.dose), 1.0) for p in self.programmes.values() if p.dose]
        return sum(shares) / len(shares) if shares else 0.0

    def spend(self, pounds: float, kind: str) -> None:
        self.model.ledger.transfer(self.account, SINK, to_pence(pounds), kind)

    # -- accounts ---------------------------------------------------------------------
    def read_books(self) -> None:
        led = self.model.ledger
        inc, out = led.period_in[self.account], led.period_out[self.account]
        self.year_income_pence += inc
        self.year_spending_pence += out
        self.income = inc / 100
        self.spending = out / 100
        self.surplus = (inc - out) / 100
        self.reserves = led.balance(self.account) / 100

    def receive_national_support(self, pence: int) -> None:
        """Count ``pence`` the regulator's failure regime has paid in from national support (model.regulation)."""
        self.national_support += pence / 100
        self.year_support_pence += pence

    def close_year(self) -> None:
        """Its result for the year: what it earned less what it spent. National support is financing from
        outside the place (distress finance is a loan; an administration's write-off a grant of equity), not
        income, as in a trust's accounts: a rescued year reads as the year it was, to its payoff, its
        forecasts and the regulator. Its reserves hold the cash."""
        earned = self.year_income_pence - self.year_support_pence
        self.memory.append((earned - self.year_spending_pence) / 100)
        self.last_income = earned / 100
        self.year_income_pence = self.year_spending_pence = self.year_support_pence = 0

    @property
    def last_result(self) -> float:
        return self.memory[-1] if self.memory else 0.0

    def plan_year(self) -> None:
        """Set next year's capacity and terms; each kind says how."""


class Commissioner(Organisation):
    """A clinical commissioning group: holds the NHS allocation, lets contracts."""

    kind = "commissioner"
    LEVERS = ("community_investment", "chc_share_ratio", "plan_growth")

    def __init__(self, model: LocalHealthEconomy, name: str, strategy: str, index: int) -> None:
        super().__init__(model, name, strategy, index)
        self.allocation = 0.0  # pounds a year at the starting allocation index, set at calibration
        self.running_costs = 0.0  # pounds a year
        self.other_services = 0.0  # pounds a year: services outside the model its plan pays for
        self.care_cost_last_year = 0.0  # what its population's modelled care cost it last year, net, pounds
        self.pooled_in_year = 0.0  # paid into councils' pooled budgets by its policy, pounds this year
        self.chc_in_year = 0.0  # continuing healthcare paid, pounds this year
        self.chc_last_year = 0.0
        self.chc_ratio_last_year = 1.0  # the share of continuing healthcare its policy paid last year
        self.plan_growth_in_force = 0.0  # the growth on the year before's electives its elective plans were set at

    def monthly_costs(self) -> None:
        self.spend(self.running_costs / 12, "running_costs")
        self.spend(self.other_services / 12, "other_services")

    def pooled_with(self, council: Council) -> float:
        """What its policy puts into a pooled budget with ``council`` this year, pounds: its pooled share
        of the allocation for the council's share of its population, if the council accepts pooling."""
        if not council.behaviour.accepts_pooling:
            return 0.0
        m = self.model
        return self.allocation * m.prices.allocation * self.behaviour.pooled_share * m.catchments.resident_share(self, council)

    def close_year(self) -> None:
        # everything it paid out, less its own running and other services (a year of each: they change
        # only at the year end), less what came back to it other than its allocation (risk shares,
        # sanctions): the modelled care, net. Prices have not moved yet.
        paid_out = self.year_spending_pence / 100 - (self.running_costs + self.other_services)
        came_back = self.year_income_pence / 100 - self.allocation * self.model.prices.allocation
        # (less what its policy paid into pooled budgets, which it plans afresh)
        self.care_cost_last_year = paid_out - came_back - self.pooled_in_year
        self.chc_last_year, self.chc_ratio_last_year = self.chc_in_year, self.lever("chc_share_ratio")
        self.pooled_in_year = self.chc_in_year = 0.0
        super().close_year()

    def plan_year(self) -> None:
        b = self.behaviour
        m = self.model
        committed = 0.0  # what its own contract changes add to next year's spending
        for c in m.contracting.of_payer(self):
            if c.scope == "acute" and "elective_plan" in c.terms:
                if b.over_plan_payment_rate < 1.0:
                    done = m.contracting.electives_last_year(c)
                    self.plan_growth_in_force = self.lever("plan_growth")
                    c.terms["elective_plan"] = done * (1 + self.plan_growth_in_force)
                    c.terms["over_plan_rate"] = b.over_plan_payment_rate
                else:
                    c.terms["elective_plan"] = None
                    c.terms["over_plan_rate"] = 1.0
            if c.scope == "community" and "annual_value" in c.terms:
                change = 1.0 + self.lever("community_investment")
                if self.reserves < 0:
                    change *= 1.0 - b.community_cut_in_deficit
                committed += c.terms["annual_value"] * (change - 1.0)
                c.terms["annual_value"] *= change
        self.plan_spending(committed)

    def care_budget(self) -> float:
        """Next year's allocation less the planned surplus and running costs: what it plans to spend on care."""
        money = self.model.params.money
        return self.allocation * self.model.prices.allocation * (1 - money.commissioner_planned_surplus) - self.running_costs

    def plan_spending(self, committed: float) -> None:
        """Plan to spend the allocation (NHS business rules): expect last year's care at next year's prices,
        plus what its contract changes commit, what its policy pools with councils and any change in the
        continuing healthcare it pays; any deficit so far is recovered first; the headroom left
        pays for services outside the model (``money.commissioner_headroom_spent`` of it)."""
        m = self.model
        money = m.params.money
        pooled = sum(self.pooled_with(co) for co in m.councils)
        # and continuing healthcare at the share its policy now pays
        chc = self.chc_last_year * (self.lever("chc_share_ratio") / self.chc_ratio_last_year - 1.0) if self.chc_ratio_last_year else 0.0
        expected = self.care_cost_last_year * money.price_change + committed + pooled + chc
        headroom = self.care_budget() - expected + min(self.reserves, 0.0)
        self.other_services = max(headroom, 0.0) * money.commissioner_headroom_spent


class Council(Organisation):
    """A local authority: social care packages and prevention for its residents."""

    kind = "council"
    LEVERS = ("eligibility_tightening", "prevention_ratio", "pooled_substitution", "intermediate_care")

    def __init__(self, model: LocalHealthEconomy, name: str, strategy: str, index: int) -> None:
        super().__init__(model, name, strategy, index)
        self.grant = 0.0  # pounds a year
        self.packages = 0  # care packages it will fund (slots)
        self.packages_in_use = 0
        self.prevention_spend = 0.0  # pounds a year
        self.base_eligibility = 0.0  # frailty threshold that rations care to capacity
        self.start_eligibility = 0.0  # the threshold at the start, before any tightening
        self.planned = False  # has it planned a year yet (its policy applies from then)
        self.pools = False  # does it hold a pooled budget this year (set at each year-end plan)
        # NHS money received outside a pooled budget contract (a Better Care Fund-sized transfer), pounds
        # this year: the council may substitute it for its own spending (``pooled_substitution``)
        self.pooled_in_year = 0.0
        # money a pooled budget contract paid in (net of its risk share), pounds this year: a pot run under
        # a joint agreement pays for the pooled services, so none of it is withdrawn
        self.pot_in_year = 0.0
        self.nhs_funded_in_year = 0.0
        self.base_prevention = 0.0
        self.residents_at_start = 0  # its living residents at the start (intermediate care places are per 1,000)
        self.in_intermediate_care = 0  # people in its intermediate care places now

    @property
    def eligibility(self) -> float:
        """Frailty from which it funds care: rationed to the packages it funds, never looser than its policy.

        Its policy's tightening applies from its first year's plan: the place starts as it was. On its
        own money its policy holds it to the starting threshold (plus any tightening). A pooled budget
        is for care: a council holding one rations down to the need threshold (plus any tightening),
        so the pot is never left unspent for want of residents eligible to use it. Held to national
        criteria (``social_care.national_eligibility``), it never rations above its starting threshold
        plus its tightening, whatever it funds."""
        if not self.planned:
            return max(self.base_eligibility, self.start_eligibility)
        return self.eligibility_with(self.lever("eligibility_tightening"))

    def eligibility_with(self, tightening: float) -> float:
        """Its eligibility (once it has planned) were its tightening ``tightening``."""
        need = self.model.params.social_care.need_threshold
        floor = need if self.pool_reaches else self.start_eligibility
        rationed = self.base_eligibility
        if self.model.params.social_care.national_eligibility:
            rationed = min(rationed, self.start_eligibility + tightening)
        return max(rationed, floor + tightening, need)

    @property
    def pool_reaches(self) -> bool:
        """Does its pooled budget reach below its own eligibility (``social_care.pooled_reaches_further``)?"""
        return self.pools and self.model.params.social_care.pooled_reaches_further

    @property
    def rations_to_budget(self) -> bool:
        """Does it fund only the packages its budget affords, rationing eligibility to them? A council that
        balances its books does, unless national criteria hold it (``social_care.national_eligibility``)."""
        return self.behaviour.balances_books and not self.model.params.social_care.national_eligibility

    def programme_doses(self) -> dict[str, float]:
        # prevention: the change in spending over the start it commissions (negative: a cut); intermediate
        # care: places per 1,000 residents at the start
        return {"prevention": self.lever("prevention_ratio") - 1.0, "intermediate": self.lever("intermediate_care")}

    def setup_cost(self, programme: str, added: float) -> float:
        months = self.model.params.programmes.setup_months
        if programme == "intermediate":
            return self.intermediate_care_month(added) * months
        return added * self.base_prevention * self.model.prices.council_index / 12 * months

    @property
    def intermediate_places(self) -> int:
        """Intermediate care places in post (recruited and running) now."""
        return int(self.in_post("intermediate") * self.residents_at_start / 1000)

    def intermediate_care_month(self, per_1000: float) -> float:
        """What ``per_1000`` intermediate care places per 1,000 residents (at the start) cost a month at today's
        prices: a place moves as a care package does."""
        sc = self.model.params.social_care
        place = sc.intermediate_care_cost_per_month * self.model.prices.package_cost / sc.package_cost_per_month
        return per_1000 * self.residents_at_start / 1000 * place

    def intermediate_care_year(self) -> float:
        """What its intermediate care places in post cost a year at today's prices."""
        return self.intermediate_care_month(self.in_post("intermediate")) * 12

    def monthly_costs(self) -> None:
        cost = self.model.prices.package_cost
        self.spend(self.packages_in_use * cost, "care_packages")
        if self.in_post("intermediate") > 0:
            self.spend(self.intermediate_care_year() / 12, "intermediate_care")
        # prevention services in post: the starting spend plus the capacity built (or less that cut)
        self.prevention_spend = self.base_prevention * (1.0 + self.in_post("prevention")) * self.model.prices.council_index
        self.spend(self.prevention_spend / 12, "prevention")

    def plan_year(self) -> None:
        m = self.model
        self.planned = True
        cost_year = m.prices.package_cost * 12
        # prevention and intermediate care come first out of its money; packages get the rest
        prevention = (self.base_prevention * self.lever("prevention_ratio") * m.prices.council_index
                      + self.intermediate_care_month(self.lever("intermediate_care")) * 12)
        pooled = self.pot_in_year + self.pooled_in_year * (1.0 - self.lever("pooled_substitution"))
        self.pools = any(c.scope == "social_care" for c in m.contracting.of_provider(self))
        income = self.grant + self.nhs_funded_in_year + pooled
        affordable = max(income - prevention, 0.0) / cost_year
        if self.rations_to_budget:
            # fund what the budget affords, repaying any deficit within the year,
            # and ration eligibility to match
            affordable += min(self.reserves, 0.0) / cost_year
            self.base_eligibility = m.delivery.ration_threshold(self, max(int(affordable), 0))
            # it funds only those its policy still counts as eligible when it plans, or (packages_as_afforded)
            # what its budget affords, for those who become eligible during the year
            self.packages = max(int(affordable), 0)
            if not m.params.social_care.packages_as_afforded:
                self.packages = min(self.packages, m.delivery.eligible_count(self))
        else:
            # fund the need it sees while reserves last (a council cannot borrow to run services)
            wanted = max(self.packages, m.delivery.eligible_count(self), int(affordable))
            projected = self.reserves + income - prevention - wanted * cost_year
            self.packages = wanted if projected >= 0 else max(int(affordable + self.reserves / cost_year), 0)
            threshold = m.delivery.ration_threshold(self, self.packages)
            # its threshold only rises, unless it holds a pooled budget: then it follows the packages
            # funded both ways, so a larger pot reaches further (see ``eligibility``)
            self.base_eligibility = threshold if self.pool_reaches else max(self.base_eligibility, threshold)
        if m.params.social_care.national_eligibility:  # it funds whoever the criteria count eligible (Delivery)
            self.packages = max(self.packages, m.delivery.eligible_count(self))
        self.pooled_in_year = self.pot_in_year = 0.0
        self.nhs_funded_in_year = 0.0


class Hospital(Organisation):
    """An acute trust, also running community services for its catchment."""

    kind = "hospital"
    LEVERS = ("admission_threshold", "elective_growth", "outreach", "discharge_support", "bed_change")

    def __init__(self, model: LocalHealthEconomy, name: str, strategy: str, index: int) -> None:
        super().__init__(model, name, strategy, index)
        self.beds = 0
        self.elective_capacity = 0.0  # spells a month
        self.elective_established = 0.0  # spells a month its established staff run; beyond them, at a premium
        self.cost_per_bed_month = 0.0  # pounds at the starting cost level
        self.overhead_month = 0.0  # fixed costs that do not go with beds, pounds a month
        self.starting_overrun = 0.0  # its costs above its income at the start, share (drawn at sizing)
        self.catchment = 0
        self.bed_days_year: list[float] = []
        self.community_base_value = 0.0
        self.community_value = 0.0  # community block received this year, pounds a year
        # activity this month (reported)
        self.emergency_admissions = 0
        self.elective_admissions = 0
        self.ae_attendances = 0
        self.bed_days = 0.0
        self.delayed_days = 0.0
        self.waiting_list = 0
        self.occupancy = 0.0
        self.beds_in_month = 0  # the beds its month ran with (a year end's decision changes beds after the month)

    @property
    def admission_ratio(self) -> float:
        """How far its admission threshold is lowered at the margin: A&E attenders admitted, relative to
        the clinical norm (1: no one admitted who need not be)."""
        return self.lever("admission_threshold")

    @property
    def elective_capacity_now(self) -> float:
        """Spells a month after specialists moved out into the community."""
        return self.elective_capacity * (1.0 - self.model.params.programmes.outreach_cost_share * self.in_post("outreach"))

    def programme_doses(self) -> dict[str, float]:
        m = self.model
        # community services: the real growth of the block it holds over the start (the commissioners' investment)
        community = self.community_value / self.community_base_value / m.prices.tariff - 1.0 if self.community_base_value else 0.0
        return {"outreach": self.lever("outreach"), "discharge": self.lever("discharge_support"), "community": community}

    def setup_cost(self, programme: str, added: float) -> float:
        if programme != "discharge":
            return 0.0  # outreach moves its own specialists; community services are set up within the block
        return added * self.discharge_cost_year() / 12 * self.model.params.programmes.setup_months

    def discharge_cost_year(self) -> float:
        """Early supported discharge at full intensity, pounds a year at today's costs."""
        return self.model.params.programmes.discharge_cost_per_head * self.catchment * self.model.prices.unit_cost

    def elective_capacity_cost_month(self, capacity: float | None = None, established: float | None = None) -> float:
        """Theatre sessions and staff for its elective capacity, used or not, pounds a month at today's costs:
        its capacity at the standard cost and, beyond its established staff, the premium (by default, now)."""
        return sum(self._elective_costs_month(capacity, established))

    def _elective_costs_month(self, capacity: float | None = None, established: float | None = None) -> tuple[float, float]:
        """Its elective capacity at the standard cost, and the premium on the part beyond its established staff."""
        m = self.model
        cap = m.params.capacity
        c = self.elective_capacity if capacity is None else capacity
        e = self.elective_established if established is None else established
        spell = cap.elective_capacity_cost_share * m.params.tariff.elective_spell * m.prices.unit_cost
        return c * spell, max(c - e, 0.0) * (cap.elective_premium_ratio - 1.0) * spell

    def established_after(self, capacity: float) -> float:
        """Its established elective staff once its capacity is ``capacity``: recruited up to what the staff market
        supplies in a year (``capacity.elective_staff_growth``), let go down to what the capacity needs."""
        return min(capacity, self.elective_established * (1.0 + self.model.params.capacity.elective_staff_growth))

    def monthly_costs(self, variable_cost: float) -> None:
        m = self.model
        self.spend((self.overhead_month + self.beds * self.cost_per_bed_month) * m.prices.unit_cost, "beds_and_staff")
        standard, premium = self._elective_costs_month()
        self.spend(standard, "elective_capacity")
        if premium > 0:  # capacity beyond its established staff: extra sessions, locums, agency staff
            self.spend(premium, "elective_premium")
        # bed days beyond its beds are found in escalation wards at a premium (emergencies are never turned away)
        over = max(self.bed_days - self.beds * MONTH_DAYS, 0.0)
        if over > 0:
            per_day = self.cost_per_bed_month / MONTH_DAYS * m.params.capacity.escalation_cost_ratio
            self.spend(over * per_day * m.prices.unit_cost, "escalation_beds")
        self.spend(variable_cost * m.prices.unit_cost, "clinical_supplies")
        overrun = 1.0 + self.starting_overrun
        self.spend(self.community_value / 12 * overrun * m.prices.unit_cost / m.prices.tariff, "community_services")
        esd = self.in_post("discharge") * self.discharge_cost_year()
        if esd > 0:
            self.spend(esd / 12, "supported_discharge")

    def plan_year(self) -> None:
        b = self.behaviour
        cap = self.model.params.capacity
        if self.model.params.decisions.enabled:
            self.beds = int(round(self.beds * (1 + self.lever("bed_change"))))  # its beds are one of its levers
        elif self.bed_days_year:
            needed = float(np.mean(self.bed_days_year)) / MONTH_DAYS / cap.target_occupancy
            if needed > self.beds:
                # opening beds takes money: a hospital in deficit keeps the beds it has
                if self.reserves >= 0 and self.last_result >= 0:
                    self.beds = int(min(needed, self.beds * (1 + cap.bed_growth_limit)))
            else:
                self.beds = int(round(self.beds - b.bed_release_share * (self.beds - needed)))
        self.bed_days_year = []
        self.elective_capacity *= 1.0 + self.lever("elective_growth")
        self.elective_established = self.established_after(self.elective_capacity)


class GPFederation(Organisation):
    """A network of practices with a registered list."""

    kind = "gp_federation"
    LEVERS = ("case_management_share", "referral_shedding")

    def __init__(self, model: LocalHealthEconomy, name: str, strategy: str, index: int, commissioner: Commissioner) -> None:
        super().__init__(model, name, strategy, index)
        self.commissioner = commissioner
        self.capacity_per_patient = 0.0  # contacts a month per registered patient
        self.cost_per_contact = 0.0  # pounds at the starting cost level
        self.list_size = 0
        self.contacts_wanted = 0.0
        self.contacts_unmet = 0.0
        self.quality_year = [0.0, 0.0]  # contacts met, wanted

    def programme_doses(self) -> dict[str, float]:
        return {"case_management": self.lever("case_management_share")}

    @property
    def capacity(self) -> float:
        """Contacts a month offered to routine demand (after proactive care takes its share)."""
        return self.capacity_per_patient * self.list_size * (1.0 - self.in_post("case_management"))

    @property
    def quality_achievement(self) -> float:
        met, wanted = self.quality_year
        return met / wanted if wanted else 1.0

    def monthly_costs(self) -> None:
        m = self.model
        self.spend(self.capacity_per_patient * self.list_size * self.cost_per_contact * m.prices.unit_cost, "clinical_staff")

    def plan_year(self) -> None:
        self.quality_year = [0.0, 0.0]


class PrimeContractor(Organisation):
    """A new organisation formed to win a tender and sub-contract the services (e.g. a limited
    liability partnership of trusts, seed 004's UnitingCare). It has a contract, sub-contracts
    and its capital; nothing else."""

    kind = "prime_contractor"

    def __init__(self, model: LocalHealthEconomy, name: str, index: int) -> None:
        super().__init__(model, name, "fortress", index)


KINDS: dict[str, type[Organisation]] = {
    "commissioner": Commissioner,
    "council": Council,
    "hospital": Hospital,
    "gp_federation": GPFederation,
}
