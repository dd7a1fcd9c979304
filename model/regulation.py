"""Regulation: the regulator, special measures, failure, graduated sanctions and the transformation fund.

An organisation-focused regulator judges each organisation on its own finances and
puts one in deficit into special measures: its leadership is replaced (what it
learned is reset), its relationships start again, and it is pushed to fix its own
finances as a fortress (seed 001, 'Regulation'). A whole-system regulator judges the
place as one (the place's result, which adaptive organisations weigh; see
:mod:`model.adaptive`). A GP federation or prime contractor whose deficit outgrows its
income fails. Graduated sanctions (seed 002, Ostrom's rules) make a visible defector
pay the partners that collaborated, more each time. A national transformation fund
pays part of collaborative organisations' costs while new services run beside the old
(double running, seed 001). The regulator also keeps the place's figures for the year
just closed that the rules and the learning read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.contracting import ContractBook
from model.governance import partners, reset_trust
from model.ledger import to_pence
from model.organisations import GPFederation, Organisation

if TYPE_CHECKING:
    from model.economy import LocalHealthEconomy


class Regulator:
    """What national bodies and the place's own rules do to its organisations."""

    def __init__(self, model: LocalHealthEconomy, book: ContractBook) -> None:
        self.model = model
        self.book = book
        self.sanctions_paid = 0.0  # pounds, so far
        self.place_margin = 0.0  # the place's last year's result as a share of providers' and councils' income
        self.admissions_growth = 0.0  # growth of emergency admissions per 1,000 over the last year
        self._last_admission_rate = 0.0
        self._year_admissions = [0, 0]  # this year's emergency admissions and person-months

    # --- each month -----------------------------------------------------------------------
    def pay_transformation_fund(self) -> None:
        """The national fund pays part of collaborative organisations' costs while new services start
        alongside the old (double running, seed 001), for the years the scenario sets."""
        m = self.model
        reg = m.params.regulation
        if m.month < 12 * reg.transformation_fund_years and reg.transformation_fund_share > 0:
            for org in m.organisations:
                if org.strategy == "collaborative" and org.kind != "commissioner":
                    grant = reg.transformation_fund_share * org.income
                    m.ledger.transfer("source:transformation_fund", org.account, to_pence(grant), "transformation_fund")

    def count_admissions(self, admissions: int, people: int) -> None:
        """This month's emergency admissions and people, towards the year's admission rate."""
        self._year_admissions[0] += admissions
        self._year_admissions[1] += people

    # --- the year end -----------------------------------------------------------------------
    def apply_sanctions(self) -> None:
        """Graduated sanctions (seed 002): a defection its partners see costs a fortress a share of its
        year's income, more each time, paid to the partners that collaborated."""
        m = self.model
        commons = m.params.commons
        if not commons.graduated_sanctions:
            return
        led = m.ledger
        for org in m.organisations:
            if org.strategy != "fortress":
                continue
            seen_by = [p for p in partners(m, org) if m.network.edges[p, org.name]["seen_defecting"]
                       or commons.shared_measures]
            victims = [m.organisation(p) for p in seen_by if m.organisation(p).strategy == "collaborative"]
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

    def close_year(self) -> None:
        """The place's result and the growth of its emergency admissions over the year just closed."""
        m = self.model
        income = sum(o.last_income for o in m.organisations if o.kind != "commissioner")
        result = sum(o.last_result for o in m.organisations)
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
        m = self.model
        reg = m.params.regulation
        year = m.month // 12
        for org in m.organisations:
            org.in_special_measures = org.special_measures_until > year
            if reg.focus != "organisation" or org.in_special_measures or org.last_income <= 0:
                continue
            if org.last_result / org.last_income >= -reg.special_measures_deficit:
                continue
            if m.params.commons.national_recognition and org.strategy == "collaborative":
                continue  # the national bodies accept the place's own plan for its collaborators
            org.special_measures_until = year + reg.special_measures_years
            org.in_special_measures = True
            self._new_leadership(org)
            m.record("special_measures", organisation=org.name)

    def handle_failures(self) -> None:
        """A GP federation or prime contractor whose deficit exceeds ``failure_months`` of its income
        fails: any budget it held as lead ends and its sub-contracts go back to the commissioner, the
        commissioner writes off its debts, and new leadership starts afresh."""
        m, book = self.model, self.book
        reg = m.params.regulation
        for org in m.organisations:
            if org.kind not in ("gp_federation", "prime_contractor") or org.last_income <= 0:
                continue
            reserves = m.ledger.balance(org.account) / 100
            if reserves >= -reg.failure_months / 12 * org.last_income:
                continue
            ytd = m.year_to_date()

            def held(c) -> bool:
                """A budget it holds as lead (a capitated budget or a tendered contract)."""
                return c.scope == "whole_population" or c.tendered is not None

            # the commissioner whose budget it held writes off its debts; otherwise its own commissioner
            budgets = [c.payer_org for c in book.contracts if c.active and c.provider_org is org and held(c)]
            rescuer = budgets[0] if budgets else (org.commissioner if isinstance(org, GPFederation) else None)
            for c in [c for c in book.contracts if c.active and org in (c.payer_org, c.provider_org)]:
                if not (c.payer_org is org or held(c)):
                    continue  # its own core contract (as a provider) carries on
                book.close(c, ytd)
                if c.payer_org is org:
                    book.relet(c, c.population_of)
            if rescuer is not None:
                m.ledger.transfer(rescuer.account, org.account, to_pence(-reserves), "failure_write_off")
            self._new_leadership(org)
            m.record("failed", organisation=org.name, deficit=-reserves, written_off_by=rescuer.name if rescuer else None)
        book.form_alliances()

    def forced_strategy(self, org: Organisation) -> str | None:
        """A strategy the rules impose this year, if any (special measures; system leadership)."""
        if org.kind == "prime_contractor":
            return org.strategy  # a contracting vehicle, not a party to the place's relationships
        if org.in_special_measures:
            return "fortress"
        if self.model.params.commons.system_leadership and org.kind == "commissioner":
            return "collaborative"
        return None

    def _new_leadership(self, org: Organisation) -> None:
        """New leadership starts afresh: what was learned is forgotten and relationships start again."""
        org.attraction = {"fortress": 0.0, "collaborative": 0.0}
        org.experience = 0.0
        reset_trust(self.model, org.name)
