"""Contracting: the place's book of contracts, and everything that lets, moves, pays and settles them.

The book holds every contract the place has let (closed ones stay, inactive, for the
record). It lets a contract from a basis under a regime, re-lets a closed contract's
services to another payer or under another regime, closes a contract part-way through
a year (settling the part it ran), pays each contract's month and settles its year, and
deflates its terms when prices move at the year end. The arrangements a scenario names
happen here too: regime switches at a step, whole-population (capitated) budgets handed
to a lead provider, health and social care budgets pooled with a council, and alliances
of one payer's contracts that share their members' results. Tenders, which also let
contracts, are in :mod:`model.procurement`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from model.contracts import Activity, Contract, PaymentRecord, Tendered, copy_terms
from model.ledger import to_pence
from model.organisations import Commissioner, Hospital, Organisation
from model.regimes import REGIMES, ContractBasis, YearEnd
from model.regimes.base import shadow_value

if TYPE_CHECKING:
    from model.economy import LocalHealthEconomy
    from model.scenario import Money

CAPITATED = REGIMES["capitated"]  # let by the place for a capitated budget, not chosen per scope
POOLED = REGIMES["pooled_budget"]
CARE_SCOPES = ("acute", "community", "primary_care")  # what a commissioner hands to a lead provider


@dataclass(frozen=True)
class YearToDate:
    """What a settlement may read part-way through a year, taken once before a batch of contracts closes.

    ``results``: each organisation's surplus (+) or deficit (-) so far this financial year, pounds, by
    account. ``outcomes``: each commissioner's population's outcomes so far this year, by account.
    ``active``: the contracts active then, so each member of an alliance (or each commissioner pooling
    with a council) that closes in the batch is settled on the whole it belonged to, not on what is
    left of it after the others closed.
    """

    results: dict[str, float]
    outcomes: dict[str, dict[str, float]]
    active: tuple[Contract, ...] = ()  # the contracts active when it was taken: alliances and pools settle as they stood


@dataclass(frozen=True)
class SettlementBatch:
    """Contracts settled together on one :class:`YearToDate` (the audit trail's): the month, how many
    entries the ledger's journal held when the batch began, and the contracts active then, each with
    a copy of its terms."""

    step: int
    journal_at: int
    ytd: YearToDate = field(repr=False)
    active: tuple[tuple[Contract, dict[str, Any]], ...] = field(repr=False)


class ContractBook:
    """Every contract of the place, and the rules for letting, paying and settling them."""

    def __init__(self, model: LocalHealthEconomy) -> None:
        self.model = model
        self.contracts: list[Contract] = []
        # elective spells done last year, by acute services (see ``services``): under every contract that
        # ran in the year for them, so a contract closed part-way through and its successor count together
        self.last_year_electives: dict[tuple[str, str], int] = {}
        self._electives_of_closed: dict[tuple[str, str], int] = {}  # this year's, under contracts closed so far
        self._batch: SettlementBatch | None = None  # the settlements under way (audit trail)
        self.last_year_outcomes: dict[str, dict[str, float]] = {}  # each commissioner's population's, by account

    # --- what the book holds -------------------------------------------------------------
    def active(self) -> list[Contract]:
        return [c for c in self.contracts if c.active]

    def of_payer(self, org: Organisation) -> list[Contract]:
        return [c for c in self.contracts if c.payer == org.account and c.active]

    def of_provider(self, org: Organisation) -> list[Contract]:
        return [c for c in self.contracts if c.provider == org.account and c.active]

    def serving(self, cm: Commissioner, scopes: tuple[str, ...]) -> list[Contract]:
        """The active contracts of these scopes that serve ``cm``'s population."""
        return [c for c in self.contracts if c.active and c.population_of is cm and c.scope in scopes]

    def community_value(self, hospital: Hospital) -> float:
        """The community block a hospital holds this year, pounds a year."""
        return sum(c.terms["annual_value"] for c in self.of_provider(hospital)
                   if c.scope == "community" and "annual_value" in c.terms)

    @staticmethod
    def services(c: Contract) -> tuple[str, str]:
        """The services a contract pays for, the same under its predecessors and successors (a switch, a
        re-let at the end of its term): its name (scope, payer, provider) and the population it serves."""
        return c.name, c.population_of.account if c.population_of is not None else ""

    def electives_last_year(self, c: Contract) -> int:
        """Elective spells done last year for the services of acute contract ``c``, under every contract
        that paid for them in the year."""
        return self.last_year_electives.get(self.services(c), 0)

    def people_of_commissioner(self) -> np.ndarray:
        """Registered patients of each commissioner's GP federations."""
        m = self.model
        return np.array([sum(g.list_size for g in m.gp_federations if g.commissioner is cm) for cm in m.commissioners])

    # --- letting and ending ----------------------------------------------------------------
    def let(self, payer: Organisation, provider: Organisation, scope: str, basis: ContractBasis,
            regime_name: str | None = None, start_step: int = 0, population_of: Commissioner | None = None,
            term_years: int | None = None, tendered: Tendered | None = None) -> Contract:
        """Let a contract; ``population_of``: the commissioner whose population it serves (default: the payer)."""
        m = self.model
        con = m.params.contracting
        regime = REGIMES[regime_name or getattr(con, scope)]
        options = {**con.terms, "scope": scope}
        if term_years is None:
            term_years = payer.behaviour.contract_years if isinstance(payer, Commissioner) else 1
        if population_of is None:
            assert isinstance(payer, Commissioner), "a contract not let by a commissioner names whose population it serves"
            population_of = payer
        c = Contract(payer=payer.account, provider=provider.account, scope=scope, regime=regime,
                     terms=regime.terms(basis, options), start_step=start_step, basis=basis, term_years=term_years,
                     payer_org=payer, provider_org=provider, population_of=population_of,
                     price_indices=(m.prices.tariff, m.prices.gp_contract), tendered=tendered)
        self.contracts.append(c)
        return c

    def relet(self, old: Contract, payer: Organisation, regime_name: str | None = None,
              basis: ContractBasis | None = None) -> Contract:
        """Let a closed contract's services again from this month: to ``payer``, under ``regime_name``
        (default: the same), on ``basis`` (default: its own at today's prices), for the same population; a
        contract won in a tender stays one under whatever regime it is paid (its winner still sub-contracts
        the services and answers for all of them)."""
        new = self.let(payer, old.provider_org, old.scope, basis or self.current_basis(old),
                       regime_name=regime_name or old.regime.name, start_step=self.model.month,
                       population_of=old.population_of, tendered=old.tendered)
        t = old.tendered
        if t is not None and t.top_up and "annual_value" in new.terms:
            # a top-up granted on the tender is part of what the services are paid, at today's prices
            new.terms["annual_value"] += t.top_up * self.model.prices.tariff / t.top_up_tariff
        return new

    def close(self, c: Contract, ytd: YearToDate) -> None:
        """End a contract now: settle the part of the year it ran, if any, and close it."""
        self._batch_of(ytd)
        if c.scope == "acute" and c.year_activity.elective_spells:  # the part of the year it ran counts in the year
            key = self.services(c)
            self._electives_of_closed[key] = self._electives_of_closed.get(key, 0) + c.year_activity.elective_spells
        if c.months_this_year:
            self._settle(c, ytd)
        c.active = False
        c.ended_step = self.model.month

    def current_basis(self, c: Contract) -> ContractBasis:
        """The basis a contract was let on, at this year's prices."""
        basis = c.basis
        tariff, gp = c.price_indices
        prices = self.model.prices
        f, g = prices.tariff / tariff, prices.gp_contract / gp
        return ContractBasis(expected=basis.expected, prices={k: v * f for k, v in basis.prices.items()},
                             annual_value=basis.annual_value * f, per_patient=basis.per_patient * g,
                             quality_per_patient=basis.quality_per_patient * g, marginal_rate=basis.marginal_rate)

    @staticmethod
    def scaled_basis(basis: ContractBasis, f: float) -> ContractBasis:
        return ContractBasis(expected=basis.expected, prices={k: v * f for k, v in basis.prices.items()},
                             annual_value=basis.annual_value * f, per_patient=basis.per_patient * f,
                             quality_per_patient=basis.quality_per_patient * f, marginal_rate=basis.marginal_rate)

    # --- the arrangements a scenario names, at their step ---------------------------------------
    def switch_regimes(self) -> None:
        """Contracts of a scope move to another regime at the step a scenario names.

        The old contract is settled for the part of the year it ran and closed; the
        new one is let on the same basis at today's prices and runs to the year end.
        """
        m = self.model
        switches = [sw for sw in m.params.contracting.switches if sw.step == m.month]
        if not switches:
            return
        ytd = m.year_to_date()
        for sw in switches:
            for old in [c for c in self.contracts if c.active and c.scope == sw.scope]:
                self.close(old, ytd)
                self.relet(old, old.payer_org, regime_name=sw.regime)
        self.form_alliances()

    def hand_over_budgets(self) -> None:
        """Commissioners hand their population's whole budget to a lead provider, at the step named.

        Each of the commissioner's contracts for care is re-let with the lead as payer
        (its own services stay in-house: a contract with itself that moves no money);
        the commissioner pays the lead a budget per registered person worth what those
        contracts are worth at today's prices.
        """
        m = self.model
        specs = [cb for cb in m.params.contracting.capitated_budgets if cb.step == m.month]
        if not specs:
            return
        ytd = m.year_to_date()
        people = self.people_of_commissioner()
        for cb in specs:
            cm = m.organisation(cb.commissioner)
            lead = m.organisation(cb.lead)
            value = 0.0
            # its own contracts: a tender's winner keeps paying its sub-contractors, now from the lead's money
            for old in [c for c in self.serving(cm, CARE_SCOPES) if c.payer_org is cm]:
                self.close(old, ytd)
                value += self.relet(old, lead).basis.annual_value
            basis = ContractBasis(expected=Activity(registered_patients=int(people[cm.index])), prices={}, annual_value=value)
            self.let(cm, lead, "whole_population", basis, regime_name=CAPITATED.name, start_step=m.month)
        self.form_alliances()

    def pool_budgets(self) -> None:
        """Commissioners and councils pool health and social care money, at the step named."""
        m = self.model
        for pb in (pb for pb in m.params.contracting.pooled_budgets if pb.step == m.month):
            cm, co = m.organisation(pb.commissioner), m.organisation(pb.council)
            value = pb.nhs_contribution * cm.allocation * m.prices.allocation * m.catchments.resident_share(cm, co)
            basis = ContractBasis(expected=Activity(), prices={}, annual_value=value)
            self.let(cm, co, "social_care", basis, regime_name=POOLED.name, start_step=m.month)

    def form_alliances(self) -> None:
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

    # --- the month's payments ---------------------------------------------------------------------
    def pay_month(self, activity: dict[str, Any]) -> None:
        """Each active contract's payments for the month's activity, then the NHS's continuing
        healthcare and its policy's pooled money to councils."""
        m = self.model
        pop = m.population
        led = m.ledger
        lists = pop.living_by("gp", len(m.gp_federations))
        for g in m.gp_federations:
            g.list_size = int(lists[g.index])
        for c in self.contracts:
            if not c.active:
                continue
            month = self._activity(c, activity)
            transfers = c.month(month)
            if c.payer != c.provider:  # a lead provider's own services move no money
                led.apply(transfers)
            if led.keep_journal:
                c.records.append(PaymentRecord(led.step, "month", month, c.months_this_year, copy_terms(c.terms),
                                               tuple(transfers), c.payer != c.provider))
            if c.scope == "social_care":  # the council plans with what the pot brings in
                c.provider_org.pot_in_year += sum(t.pence if t.payee == c.provider else -t.pence for t in transfers) / 100

        # continuing healthcare: the NHS pays for its share of packages
        comm_of = pop.geo.gp_commissioner
        met = pop.with_package()
        nco = len(m.councils)
        packages = np.bincount(comm_of[pop.gp[met]].astype(np.int64) * nco + pop.council[met],
                               minlength=len(m.commissioners) * nco).reshape(-1, nco)
        nhs_share = m.params.social_care.nhs_funded_share
        for cm in m.commissioners:
            share = nhs_share * cm.lever("chc_share_ratio")  # the share it chose (its bundle's, with decisions off)
            for co in m.councils:
                chc = packages[cm.index, co.index] * share * m.prices.package_cost
                paid = led.transfer(cm.account, co.account, to_pence(chc), "continuing_healthcare") / 100
                co.nhs_funded_in_year += paid
                cm.chc_in_year += paid
                pooled = cm.pooled_with(co) / 12
                if pooled > 0:
                    paid = led.transfer(cm.account, co.account, to_pence(pooled), "pooled_budget") / 100
                    co.pooled_in_year += paid
                    cm.pooled_in_year += paid

    def _activity(self, c: Contract, activity: dict[str, Any]) -> Activity:
        """What the month's activity means for one contract."""
        if c.scope == "acute":
            i = c.population_of.index
            # a hospital's own activity for the population; a tender's winner (a prime contractor, or a
            # hospital that won) answers for all of it
            if isinstance(c.provider_org, Hospital) and c.tendered is None:
                j = c.provider_org.index
                count = lambda name: int(activity[name][i, j])  # noqa: E731
            else:
                count = lambda name: int(activity[name][i].sum())  # noqa: E731
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
            return Activity(registered_patients=int(self.people_of_commissioner()[c.population_of.index]))
        return Activity()

    # --- the year end -------------------------------------------------------------------------------
    def settle_year(self) -> None:
        """Year-end reconciliation of every contract (part of the year's last month)."""
        ytd = self.model.year_to_date()
        self.last_year_outcomes = ytd.outcomes
        # the year's electives for each acute service: under the contracts closed in the year and the one active now
        electives, self._electives_of_closed = self._electives_of_closed, {}
        for c in self.contracts:
            if c.active and c.scope == "acute":
                key = self.services(c)
                electives[key] = electives.get(key, 0) + c.year_activity.elective_spells
            if c.active:
                c.last_year_activity = _full_year(c.year_activity, c.months_this_year)
                self._settle(c, ytd)
        self.last_year_electives = electives

    def relet_ended(self) -> None:
        """Contracts that reach the end of their term are let again from the new year (MODEL.md section 2:
        a year, or five to fifteen for the new models): the commissioner re-lets the services to the same
        provider under the same regime, re-based on last year's activity at today's prices, for the term
        its current strategy lets contracts for. Budgets handed to a lead provider and contracts won in a
        tender run their course and are not re-let here; nor are GP contracts (national terms)."""
        m = self.model
        ytd = None
        for c in [c for c in self.contracts if c.active and c.scope in ("acute", "community")]:
            if not isinstance(c.payer_org, Commissioner) or c.tendered is not None:
                continue
            if m.month - c.start_step < 12 * c.term_years:
                continue
            ytd = ytd or m.year_to_date()
            self.close(c, ytd)
            new = self.let(c.payer_org, c.provider_org, c.scope, self.rebased(c), regime_name=c.regime.name,
                           start_step=m.month, population_of=c.population_of)
            new.last_year_activity = c.last_year_activity
            m.record("contract_relet", contract=c.name, regime=c.regime.name)
        if ytd is not None:
            self.form_alliances()

    def rebased(self, c: Contract) -> ContractBasis:
        """A contract's basis at today's prices, its expected year being last year's activity (its value the
        activity at those prices where it pays for activity; a block's or budget's value as it stands)."""
        basis = self.current_basis(c)
        last = c.last_year_activity
        if last is None or c.scope != "acute":
            value = float(c.terms.get("annual_value", basis.annual_value))
            return ContractBasis(expected=basis.expected, prices=basis.prices, annual_value=value,
                                 per_patient=basis.per_patient, quality_per_patient=basis.quality_per_patient,
                                 marginal_rate=basis.marginal_rate)
        return ContractBasis(expected=Activity(**vars(last)), prices=basis.prices, annual_value=shadow_value(basis.prices, last),
                             marginal_rate=basis.marginal_rate)

    def deflate(self, money: Money) -> None:
        """Prices move at the year end: the tariff's efficiency factor applies to trusts' services; the GP
        contract's uplift asks only for the productivity practices achieve; a pooled contribution is a
        share of the allocation."""
        for c in self.contracts:
            if c.scope == "social_care":
                factor = 1 + money.allocation_growth
            else:
                factor = money.cost_change if c.scope == "primary_care" else money.price_change
            t = c.terms
            if "prices" in t:
                t["prices"] = {k: v * factor for k, v in t["prices"].items()}
            for key in ("annual_value", "per_patient", "quality_per_patient", "per_head", "target"):
                if key in t:
                    t[key] *= factor

    def _settle(self, c: Contract, ytd: YearToDate) -> None:
        """Settle a contract's year (or the part of it run) and book it; a lead's own services move no money."""
        batch = self._batch_of(ytd)
        year = self._year_end(c, ytd)
        if batch is not None:
            activity, months, terms = replace(c.year_activity), c.months_this_year, copy_terms(c.terms)
        transfers = c.settle_year(year)
        if c.payer != c.provider:
            self.model.ledger.apply(transfers)
        if batch is not None:
            c.records.append(PaymentRecord(self.model.ledger.step, "settlement", activity, months, terms, tuple(transfers),
                                           c.payer != c.provider, year, batch))

    def _batch_of(self, ytd: YearToDate) -> SettlementBatch | None:
        """While the ledger keeps its journal: the batch of settlements made on ``ytd``, begun the first
        time it is seen (before any of its contracts closes)."""
        led = self.model.ledger
        if not led.keep_journal:
            return None
        if self._batch is None or self._batch.ytd is not ytd:
            self._batch = SettlementBatch(led.step, len(led.journal), ytd,
                                          tuple((c, copy_terms(c.terms)) for c in self.contracts if c.active))
        return self._batch

    def _year_end(self, c: Contract, ytd: YearToDate) -> YearEnd:
        results = ytd.results
        if c.terms.get("members"):
            results = self._alliance_results(c, results, ytd.active)
        elif c.scope == "social_care":
            # a council pooling with several commissioners shares its result once, by their contributions
            pots = [x for x in ytd.active if x.scope == "social_care" and x.provider == c.provider]
            total = sum(x.terms["annual_value"] for x in pots)
            share = c.terms["annual_value"] / total if total else 1.0
            results = {**results, c.provider: results.get(c.provider, 0.0) * share}
        return YearEnd(shadow_value=self._shadow_value(c), outcomes=ytd.outcomes.get(c.population_of.account, {}),
                       results=results)

    @staticmethod
    def _alliance_results(c: Contract, results: dict[str, float], active: tuple[Contract, ...]) -> dict[str, float]:
        """Each member's result attributed to this alliance: its whole result times the alliance's
        share of its contract income, so a provider in several alliances is shared once in all
        (``active``: the contracts as they stood when the settlements began)."""
        def value(x: Contract) -> float:
            return x.basis.annual_value if x.basis is not None else x.terms.get("annual_value", 0.0)

        group = [x for x in active if x.payer == c.payer and x.scope == c.scope and x.terms.get("members")]
        out = dict(results)
        for member in c.terms["members"]:
            mine = sum(value(x) for x in group if x.provider == member)
            total = sum(value(x) for x in active if x.provider == member and x.payer != x.provider)
            # a lead in its own alliance holds a contract with itself, which is not income: at most its whole result
            out[member] = results.get(member, 0.0) * (mine / total if mine < total else 1.0)
        return out

    @staticmethod
    def _shadow_value(c: Contract) -> float:
        """The contract year's activity at its full prices (community and primary care: what was due)."""
        prices = c.terms.get("prices")
        a = c.year_activity
        if c.scope != "acute" or prices is None:
            due = c.regime.due_to_date(c)
            return float(due) if due is not None else c.paid_this_year_pence / 100
        return shadow_value(prices, a)


def _full_year(a: Activity, months: int) -> Activity:
    """A part year's activity scaled to a full year (flows only; stocks and levels as they are)."""
    if months >= 12 or months <= 0:
        return Activity(**vars(a))
    f = 12 / months
    return Activity(elective_spells=round(a.elective_spells * f), emergency_spells=round(a.emergency_spells * f),
                    emergency_readmissions=round(a.emergency_readmissions * f), ae_attendances=round(a.ae_attendances * f),
                    outpatient_attendances=round(a.outpatient_attendances * f), registered_patients=a.registered_patients,
                    quality_achievement=a.quality_achievement)
