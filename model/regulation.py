"""Regulation: the regulator, special measures, failure, graduated sanctions and the transformation fund.

An organisation-focused regulator judges each organisation on its own finances and
puts one in deficit into special measures: its leadership is replaced (what it
learned is reset), its relationships start again, and it is pushed to fix its own
finances as a fortress (seed 001, 'Regulation'). A whole-system regulator judges the
place as one (the place's result, which adaptive organisations weigh; see
:mod:`model.adaptive`). A GP federation or prime contractor whose deficit outgrows its
income fails; a hospital in deficit gets distress finance, then administration; a council whose
reserves run out a section 114 notice, then government intervention. Graduated sanctions (seed 002, Ostrom's rules) make a visible defector
pay the partners that did no harm its harm beyond the tolerance, more each time; the
organisations foresee them when they set their levers (model.decisions). A national transformation fund
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
        self.national_support = 0.0  # distress finance and write-offs (hospitals, councils), pounds so far
        self.place_margin = 0.0  # the place's last year's result as a share of providers' and councils' income
        self.admissions_growth = 0.0  # growth of emergency admissions per 1,000 over the last year
        self._last_admission_rate = 0.0
        self.admissions_growth_of: dict[str, float] = {}  # by organisation: growth of its own people's admissions
        self._own_admissions: dict[str, float] = {}
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
        """Graduated sanctions (seed 002), by the seriousness of a defection and its repetition: a defection
        its partners see (harm beyond the tolerance, see model.governance) costs an organisation its harm
        beyond the tolerance times ``commons.sanction_per_harm`` times its score of seen defections, which
        grows with each one and fades each year; paid to the partners that saw it and did no harm themselves."""
        m = self.model
        commons = m.params.commons
        for org in m.organisations:
            org.defection_score *= commons.defection_memory  # old defections fade
        if not commons.graduated_sanctions:
            return
        led = m.ledger
        for org in m.organisations:
            if not org.defected:
                continue
            open_books = commons.shared_measures or org.shares_data
            seen_by = [p for p in partners(m, org) if open_books or m.network.edges[p, org.name]["seen_defecting"]]
            victims = [m.organisation(p) for p in seen_by if not m.organisation(p).defected]
            if not seen_by:
                continue
            org.defection_score += 1.0
            sanction = commons.sanction_per_harm * org.defection_score * max(org.harm - org.harm_line, 0.0)
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
        tally = m.delivery.last_year
        for org in m.organisations:
            now = m.delivery.own_admissions(org, tally)
            before = self._own_admissions.get(org.name, 0.0)
            self.admissions_growth_of[org.name] = now / before - 1.0 if before > 0 else 0.0
            self._own_admissions[org.name] = now

    def regulate(self) -> None:
        """An organisation-focused regulator puts an organisation whose deficit exceeds its threshold
        into special measures: leadership replaced (what it learned is reset), its relationships
        start again, and it is pushed to fix its own finances (fortress) for the years set
        (``regulation.special_measures_fortress``; false: its new leadership chooses its strategy). A
        whole-system regulator judges the place as one (see model.adaptive) and does none of this."""
        m = self.model
        reg = m.params.regulation
        year = m.month // 12
        for org in m.organisations:
            org.in_special_measures = org.special_measures_until > year
            if not self.judges_own_deficit(org) or org.in_special_measures or org.last_income <= 0:
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
            income = self.year_income(org)
            if org.kind not in ("gp_federation", "prime_contractor") or income <= 0:
                continue
            reserves = m.ledger.balance(org.account) / 100
            if reserves >= -reg.failure_months / 12 * income:
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

    def support_providers_in_distress(self) -> None:
        """The failure regime for hospitals (seed 002 on trusts' deficits; seed 001, 'Regulation'): a
        hospital whose reserves at a year end are below ``distress_months`` of its income gets
        conditional distress finance from national support, enough to bring them back to that line,
        and enters the failure regime: its own deficit is judged whatever the regulator's focus (see
        model.decisions). One that needs it more than ``distress_years`` years running is put into
        administration: national support writes off its deficit and new leadership starts afresh,
        running it as a fortress to fix its finances for ``special_measures_years``."""
        m = self.model
        reg = m.params.regulation
        for h in m.hospitals:
            below = self._below_line(h, reg.distress_months)
            if below is None:
                continue
            reserves, line = below
            if h.distress_years > reg.distress_years:
                self._sent_in(h, reserves, "administration_write_off", "administration")
            else:
                pence = m.ledger.transfer("source:national_support", h.account, to_pence(line - reserves), "distress_finance")
                self.national_support += pence / 100
                h.receive_national_support(pence)
                m.record("distress_finance", organisation=h.name, pounds=pence / 100)

    def councils_in_distress(self) -> None:
        """The failure regime for councils, when the scenario has it (``regulation.council_failure_regime``;
        assumption: the Local Government Finance Act 1988, section 114). A council cannot borrow to run
        services: one whose reserves at a year end are below ``council_notice_months`` of its income (0: below
        zero) is under a section 114 notice, no new spending it does not have to make: it must balance its
        own books whatever the regulator's focus (its line in its decisions is a balanced year, see
        model.decisions). One under it more than ``council_intervention_years`` year ends running gets
        government intervention: commissioners are sent in (new leadership, special measures, running it
        to fix its finances for ``special_measures_years``) and exceptional financial support from national
        support brings its reserves back to zero. No money moves in the years of the notice itself."""
        m = self.model
        reg = m.params.regulation
        if not reg.council_failure_regime:
            return
        for co in m.councils:
            notice = co.in_failure_regime
            below = self._below_line(co, reg.council_notice_months)
            if below is None:
                continue
            reserves, _ = below
            if not notice:
                m.record("section_114", organisation=co.name, reserves=reserves)
            if co.distress_years > reg.council_intervention_years:
                self._sent_in(co, reserves, "exceptional_financial_support", "government_intervention")

    def _below_line(self, org: Organisation, months: float) -> tuple[float, float] | None:
        """At a year end, ``org``'s reserves and the line, ``months`` of its income for the year below zero, if
        they are below it: it is then in the failure regime and its count of year ends running goes up.
        Otherwise None: it leaves the regime and its count restarts."""
        reserves = self.model.ledger.balance(org.account) / 100
        income = self.year_income(org)
        line = -months / 12 * income
        if income <= 0 or reserves >= line:
            org.distress_years = 0
            org.in_failure_regime = False
            return None
        org.distress_years += 1
        org.in_failure_regime = True
        return reserves, line

    def _sent_in(self, org: Organisation, reserves: float, transfer: str, event: str) -> None:
        """National bodies take over (a trust special administrator; commissioners sent into a council): national
        support writes off the whole deficit, new leadership starts afresh and the organisation is in special
        measures, run as a fortress to fix its finances, for ``special_measures_years``; its count restarts."""
        m = self.model
        pence = m.ledger.transfer("source:national_support", org.account, to_pence(-reserves), transfer)
        self.national_support += pence / 100
        org.receive_national_support(pence)
        org.distress_years = 0
        org.special_measures_until = m.month // 12 + m.params.regulation.special_measures_years
        org.in_special_measures = True
        self._new_leadership(org)
        m.record(event, organisation=org.name, written_off=-reserves, written_off_by="national support")

    def own_line(self, org: Organisation) -> float | None:
        """The result for the year below which ``org``'s own deficit counts against it in its decisions, or None
        if none does: a balanced year for a council under a section 114 notice; otherwise, for an organisation
        judged on its own deficit (or a hospital on distress finance), ``special_measures_deficit`` of its income."""
        if org.in_failure_regime and org.kind == "council":
            return 0.0
        if org.in_failure_regime or self.judges_own_deficit(org):
            return -self.model.params.regulation.special_measures_deficit * org.last_income
        return None

    def year_income(self, org: Organisation) -> float:
        """What an organisation has received so far this financial year (the year closing), pounds."""
        led = self.model.ledger
        return (org.year_income_pence + led.period_in[org.account]) / 100

    def judges_own_deficit(self, org: Organisation) -> bool:
        """Whether ``org`` is judged on its own deficit: by an organisation-focused regulator, if its kind is one
        that regulator judges (``regulation.judged_kinds``). Special measures, the line in its decisions
        (model.decisions) and the regulatory part of its payoff (model.adaptive) all ask this."""
        reg = self.model.params.regulation
        return reg.focus == "organisation" and org.kind in reg.judged_kinds

    def forced_strategy(self, org: Organisation) -> str | None:
        """A strategy the rules impose this year, if any (special measures; system leadership)."""
        if org.kind == "prime_contractor":
            return org.strategy  # a contracting vehicle, not a party to the place's relationships
        if org.in_special_measures and self.model.params.regulation.special_measures_fortress:
            return "fortress"
        if self.model.params.commons.system_leadership and org.kind == "commissioner":
            return "collaborative"
        return None

    def _new_leadership(self, org: Organisation) -> None:
        """New leadership starts afresh: what was learned is forgotten and relationships start again."""
        org.attraction = {"fortress": 0.0, "collaborative": 0.0}
        org.experience = 0.0
        reset_trust(self.model, org.name)
