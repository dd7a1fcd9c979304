"""An audit of a run's money that does not take the ledger's word for it (MODEL.md section 7).

The ledger's invariant (:meth:`model.ledger.Ledger.check`) proves that no posting makes or
loses money. It cannot see a payment that was never made, one drawn from the wrong account,
or a cost booked twice: each of those is a balanced posting. This audit recomputes what
should have moved from the scenario's rules and the model's published figures, and compares
it to the penny with what the ledger's journal shows did move:

* **inflows**: what left each source account, by month and by recipient, equals what the
  scenario says entered the place: each commissioner's allocation at the month's allocation
  index, each council's grant grown yearly, the transformation fund's share of collaborative
  organisations' income, and the opening balances of the sizing rules;
* **contracts**: every payment under every contract equals its regime's rule applied afresh to
  the activity the contract recorded, month by month and at every settlement (year ends and
  part-years: switches, hand-overs, tenders, hand-backs, failures), the year-to-date results a
  settlement read equal the journal's, the activity recorded equals the activity the place
  reports, and every payment is in the journal exactly once, from its payer to its provider;
* **costs**: the cost lines that follow from published figures (commissioners' running costs,
  councils' care packages, GP federations' clinical staff, hospitals' beds and staff) are booked
  at what they come to, and no organisation books any kind of cost twice in a month;
* **results**: each organisation's published yearly result is what its account received less
  what it paid in that financial year.

Build the place with ``keep_journal=True`` and start the audit before the first month::

    model = LocalHealthEconomy(scenario, keep_journal=True)
    audit = MoneyAudit(model)
    model.run()
    audit.check()  # raises MoneyAuditError listing what does not add up

The rules here are restated from the regimes' and rooms' documentation, not called from them,
so a fault in the model's own arithmetic shows as a difference. A new regime needs its rule
restated here too: the audit stops with an error naming a regime it does not know, and a change
to a rule it restates (a cost line, the fund) needs the same change here.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from model.contracts import Activity, Contract, PaymentRecord
from model.ledger import AccountType, to_pence

if TYPE_CHECKING:
    from model.contracting import SettlementBatch
    from model.economy import LocalHealthEconomy
    from model.scenario import Scenario

OPENING = -1  # the "month" of opening balances, posted before the first month
OPENING_SOURCE = "source:opening_balances"


@dataclass(frozen=True)
class Discrepancy:
    """Something that does not add up: in which check, month (``OPENING`` for the opening
    balances), account or contract, what, and the pence expected against the pence found."""

    check: str  # "inflows", "contracts", "costs" or "results"
    step: int
    where: str
    what: str
    expected: int
    found: int
    unit: str = "pence"  # or "" for counts of activity

    def __str__(self) -> str:
        when = "opening balances" if self.step == OPENING else f"month {self.step}"
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.check}, {when}, {self.where}: {self.what}: expected {self.expected}{unit}, found {self.found}"


class MoneyAuditError(AssertionError):
    """The audit found money that does not add up."""

    def __init__(self, discrepancies: list[Discrepancy], shown: int = 20) -> None:
        self.discrepancies = discrepancies
        lines = [str(d) for d in discrepancies[:shown]]
        more = len(discrepancies) - shown
        if more > 0:
            lines.append(f"... and {more} more")
        super().__init__(f"{len(discrepancies)} discrepancies in the money:\n  " + "\n  ".join(lines))


def audited_model(scenario: Scenario | None = None, *, rng: int | None = None, **kwargs: Any) -> tuple[LocalHealthEconomy, MoneyAudit]:
    """A place that keeps its journal, and an audit started on it before its first month."""
    from model.economy import LocalHealthEconomy

    model = LocalHealthEconomy(scenario, rng=rng, keep_journal=True, **kwargs)
    return model, MoneyAudit(model)


class MoneyAudit:
    """Figures taken at the start of a run, and the checks that compare its journal with the rules."""

    def __init__(self, model: LocalHealthEconomy) -> None:
        led = model.ledger
        if not led.keep_journal or model.month != 0:
            raise ValueError("the audit starts on a place built with keep_journal=True, before its first month")
        self.model = model
        s = model.params
        # what the model publishes at the start: its sizing's figures
        self.allocation = {cm.account: cm.allocation for cm in model.commissioners}
        self.grant = {co.account: co.grant for co in model.councils}
        self.beds = {h.account: h.beds for h in model.hospitals}
        self.strategies = {o.account: o.strategy for o in model.organisations}
        self.opening = self._opening_balances(s)
        self._rows: tuple[int, dict[tuple[int, str], dict[str, Any]]] | None = None

    # --- the whole audit -------------------------------------------------------------------------
    def discrepancies(self) -> list[Discrepancy]:
        return [*self.inflows(), *self.contracts(), *self.costs(), *self.results()]

    def check(self) -> None:
        """Raise :class:`MoneyAuditError` unless every check adds up to the penny."""
        found = self.discrepancies()
        if found:
            raise MoneyAuditError(found)

    # --- what the run published --------------------------------------------------------------------
    def _published(self) -> dict[tuple[int, str], dict[str, Any]]:
        """Each organisation's published row by (months completed, account), read once a month."""
        if self._rows is None or self._rows[0] != self.model.month:
            t = self.model.organisation_table()
            names = ("strategy", "income", "packages_in_use", "list_size", "beds")
            accounts = [f"{k}:{n}" for k, n in zip(t["kind"], t["name"], strict=True)]
            columns = [t[n].tolist() for n in names]
            rows = {(int(month), account): dict(zip(names, values, strict=True))
                    for month, account, *values in zip(t["month"].tolist(), accounts, *columns, strict=True)}
            self._rows = (self.model.month, rows)
        return self._rows[1]

    def _index(self, growth: float, years: int) -> list[float]:
        """A yearly index from 1.0, compounded as the year ends come."""
        out, x = [], 1.0
        for _ in range(years):
            out.append(x)
            x *= growth
        return out

    # --- inflows -----------------------------------------------------------------------------------
    def _opening_balances(self, s: Scenario) -> dict[str, int]:
        """Each organisation's opening balance by the sizing rules (MODEL.md section 7; model.sizing):
        a few months of what it spends or earns at the start."""
        m = self.model
        months = s.money.opening_reserves_months
        first = [c for c in m.contracts if c.start_step == 0 and c.basis is not None and c.payer.startswith("commissioner:")]
        out: dict[str, int] = {}
        for cm in m.commissioners:
            out[cm.account] = to_pence(cm.allocation * months / 12)
        for co in m.councils:
            out[co.account] = to_pence(co.grant * months / 12)
        for h in m.hospitals:
            acute = math.fsum(c.basis.annual_value for c in first if c.scope == "acute" and c.provider == h.account)
            out[h.account] = to_pence(acute * months / 12)
        cap = s.capacity
        for g in m.gp_federations:
            # the list at the start is the one its first GP contract was let on
            listed = next(c.basis.expected.registered_patients for c in first if c.scope == "primary_care" and c.provider == g.account)
            income = (cap.capitation_per_patient + cap.qof_per_patient) * listed
            out[g.account] = to_pence(income * s.money.gp_federation_reserves_months / 12)
        for pc in m.prime_contractors:
            capital = 0.0  # the most of its bids' capital against the services bid for
            for t in s.contracting.tenders:
                for b in (b for b in t.bidders if b.name == pc.name):
                    cm = m.organisation(t.commissioner)
                    value = sum(c.basis.annual_value for c in first if c.payer == cm.account and c.scope == t.scope)
                    capital = max(capital, b.capital * value)
            out[pc.account] = to_pence(capital)
        return {a: p for a, p in out.items() if p}

    def expected_inflows(self) -> dict[tuple[int, str, str], int]:
        """Pence the scenario says entered the place, by (month, source account, recipient)."""
        m = self.model
        s = m.params
        out: dict[tuple[int, str, str], int] = defaultdict(int)
        for account, pence in self.opening.items():
            out[(OPENING, OPENING_SOURCE, account)] += pence
        steps = m.month
        years = steps // 12 + 1
        allocation_index = self._index(1 + s.money.allocation_growth, years)
        grants = {a: [g] for a, g in self.grant.items()}
        for g in grants.values():  # a council's grant grows at each year end
            for _ in range(years - 1):
                g.append(g[-1] * (1 + s.money.council_grant_growth))
        reg = s.regulation
        fund = reg.transformation_fund_years > 0 and reg.transformation_fund_share > 0
        published = self._published() if fund else {}
        starting = self.strategies
        for t in range(steps):
            y = t // 12
            for account, allocation in self.allocation.items():
                out[(t, "source:nhs_allocation", account)] += to_pence(allocation * allocation_index[y] / 12)
            for account, grant in grants.items():
                out[(t, "source:council_grants", account)] += to_pence(grant[y] / 12)
            if fund and t < 12 * reg.transformation_fund_years:
                # a share of last month's income, to organisations collaborating this month (not commissioners)
                for o in m.organisations:
                    if o.kind == "commissioner":
                        continue
                    row = published.get((t, o.account))
                    strategy = row["strategy"] if row is not None else starting[o.account]
                    income = row["income"] if row is not None else 0.0
                    if strategy == "collaborative":
                        out[(t, "source:transformation_fund", o.account)] += to_pence(reg.transformation_fund_share * income)
        for key, pence in self.expected_national_support().items():
            out[key] += pence
        return {k: v for k, v in out.items() if v}

    def expected_national_support(self) -> dict[tuple[int, str, str], int]:
        """What national support the regulator's rules give at each year end, from each organisation's reserves
        and the year's income in the journal before them (model.regulation). A hospital below ``distress_months``
        of the year's income gets enough to bring it back to that line; the year after ``distress_years`` running
        of that, its whole deficit written off. A council below ``council_notice_months`` (under a section 114
        notice) gets nothing until the year after ``council_intervention_years`` running, then its whole deficit
        written off."""
        m = self.model
        reg = m.params.regulation
        support = {"distress_finance", "administration_write_off", "exceptional_financial_support"}
        rules = {h.account: (reg.distress_months, reg.distress_years, True) for h in m.hospitals}
        if reg.council_failure_regime:
            rules |= {co.account: (reg.council_notice_months, reg.council_intervention_years, False) for co in m.councils}
        out: dict[tuple[int, str, str], int] = {}
        years_running: dict[str, int] = defaultdict(int)
        for year_end in range(11, m.month, 12):
            for account in sorted(rules):
                months, most_years, interim = rules[account]
                balance = income = 0
                for step, t in m.ledger.journal:
                    if step > year_end or (step == year_end and t.kind in support):
                        continue
                    if account in (t.payer, t.payee):
                        signed = t.pence if t.payee == account else -t.pence
                        balance += signed
                        if t.payee == account and step >= year_end - 11 and t.kind != "opening_balance":
                            income += t.pence
                line = -months / 12 * max(income / 100, 0.0)
                if income <= 0 or balance / 100 >= line:
                    years_running[account] = 0
                    continue
                years_running[account] += 1
                if years_running[account] > most_years:
                    out[(year_end, "source:national_support", account)] = -balance
                    years_running[account] = 0
                elif interim:
                    out[(year_end, "source:national_support", account)] = to_pence(line - balance / 100)
        return out

    def source_outflows(self) -> dict[tuple[int, str, str], int]:
        """Pence the journal shows left each source account, by (month, source account, recipient);
        money paid into a source shows as negative."""
        led = self.model.ledger
        sources = set(led.accounts(AccountType.SOURCE))
        out: dict[tuple[int, str, str], int] = defaultdict(int)
        for step, t in led.journal:
            when = OPENING if t.kind == "opening_balance" else step
            if t.payer in sources:
                out[(when, t.payer, t.payee)] += t.pence
            if t.payee in sources:
                out[(when, t.payee, t.payer)] -= t.pence
        return {k: v for k, v in out.items() if v}

    def inflows(self) -> list[Discrepancy]:
        """What left each source account, by month and recipient, against what the scenario says entered."""
        expected, found = self.expected_inflows(), self.source_outflows()
        out = [Discrepancy("inflows", k[0], f"{k[1]} -> {k[2]}", "paid from a source", expected.get(k, 0), found.get(k, 0))
               for k in sorted(expected.keys() | found.keys(), key=lambda k: (k[0], k[1], k[2]))
               if expected.get(k, 0) != found.get(k, 0)]
        # and what each source account's balance says left it in all
        led = self.model.ledger
        for source in led.accounts(AccountType.SOURCE):
            due = sum(v for k, v in expected.items() if k[1] == source)
            if -led.balance(source) != due:
                out.append(Discrepancy("inflows", self.model.month - 1, source, "left the source in all", due, -led.balance(source)))
        return out

    # --- contracts ---------------------------------------------------------------------------------
    def contracts(self) -> list[Discrepancy]:
        """Each contract's payments against its regime applied to its recorded activity; the results
        its settlements read; its activity against the place's; its payments against the journal."""
        m = self.model
        out: list[Discrepancy] = []
        for c in m.contracts:
            out += ContractReplay(c).run()
        out += self._settlement_results()
        out += self._activity_reported()
        out += self._payments_booked()
        return out

    def _settlement_results(self) -> list[Discrepancy]:
        """The year-to-date results each batch of settlements read, against the journal's: what each
        account received less what it paid since its financial year began, up to the batch."""
        journal = self.model.ledger.journal
        out = []
        seen: set[int] = set()
        for c in self.model.contracts:
            for r in c.records:
                b = r.batch
                if b is None or id(b) in seen:
                    continue
                seen.add(id(b))
                first = 12 * (b.step // 12)
                net: dict[str, int] = defaultdict(int)
                for step, t in journal[: b.journal_at]:
                    if first <= step <= b.step and t.kind != "opening_balance":
                        net[t.payee] += t.pence
                        net[t.payer] -= t.pence
                for account, pounds in b.ytd.results.items():
                    if round(pounds * 100) != net[account]:
                        out.append(Discrepancy("contracts", b.step, account, "year-to-date result a settlement read",
                                               net[account], round(pounds * 100)))
        return out

    def _activity_reported(self) -> list[Discrepancy]:
        """The acute activity contracts recorded each month, over every hospital's services for every
        population (a tendered contract's is its sub-contracts'), against the place's published counts."""
        table = self.model.place_table()
        columns = {"elective_spells": "elective_admissions", "emergency_spells": "emergency_admissions",
                   "emergency_readmissions": "emergency_readmissions", "ae_attendances": "ae_attendances",
                   "outpatient_attendances": "outpatient_attendances"}
        recorded: dict[int, Counter[str]] = defaultdict(Counter)
        for c in self.model.contracts:
            if c.scope != "acute" or not c.provider.startswith("hospital:") or c.tendered is not None:
                continue
            for r in c.records:
                if r.kind == "month":
                    for name in columns:
                        recorded[r.step][name] += getattr(r.activity, name)
        out = []
        for row in table.to_dict("records"):
            step = int(row["month"]) - 1
            for name, column in columns.items():
                if recorded[step][name] != int(row[column]):
                    out.append(Discrepancy("contracts", step, "acute contracts", f"{name} recorded against the place's {column}",
                                           int(row[column]), recorded[step][name], unit=""))
        return out

    def _payments_booked(self) -> list[Discrepancy]:
        """Every payment a contract made is in the journal once, between its payer and provider; no
        contract payment is in the journal that no contract made (the NHS's own pooled money to a
        council, a policy outside any contract, is the one other payment of its kind: once a month)."""
        m = self.model
        made: Counter[tuple[int, str, str, int, str]] = Counter()
        kinds = set(CONTRACT_KINDS)
        for c in m.contracts:
            for r in c.records:
                kinds.update(t.kind for t in r.transfers)
                if r.moved_money:
                    made.update((r.step, t.payer, t.payee, t.pence, t.kind) for t in r.transfers)
        booked = Counter((step, t.payer, t.payee, t.pence, t.kind) for step, t in m.ledger.journal if t.kind in kinds)
        out = [Discrepancy("contracts", k[0], f"{k[1]} -> {k[2]}", f"{k[4]} made under a contract, not in the journal", k[3], 0)
               for k, n in sorted((made - booked).items()) for _ in range(n)]
        policy = self.expected_policy_pooling()
        for k, n in sorted((booked - made).items()):
            step, payer, payee, pence, kind = k
            if kind == "pooled_budget" and n == 1 and policy.pop((step, payer, payee), None) == pence:
                continue  # the NHS's pooled money by policy
            out += [Discrepancy("contracts", step, f"{payer} -> {payee}", f"{kind} in the journal that no contract made", 0, pence)] * n
        out += [Discrepancy("contracts", step, f"{payer} -> {payee}", "pooled money by the commissioner's policy", pence, 0)
                for (step, payer, payee), pence in sorted(policy.items())]
        return out

    def expected_policy_pooling(self) -> dict[tuple[int, str, str], int]:
        """The pooled money a commissioner's policy pays each council each month, outside any contract,
        pence by (month, commissioner, council): its strategy's pooled share of its allocation for the
        council's residents among its population, if the council's strategy accepts pooling."""
        m = self.model
        s = m.params
        published = self._published()
        index = self._index(1 + s.money.allocation_growth, m.month // 12 + 1)
        starting = self.strategies

        def strategy(t: int, account: str) -> str:
            row = published.get((t, account))
            return row["strategy"] if row is not None else starting[account]

        out = {}
        for t in range(m.month):
            for cm in m.commissioners:
                share = getattr(s.strategies.commissioner, strategy(t, cm.account)).pooled_share
                for co in m.councils:
                    if not getattr(s.strategies.council, strategy(t, co.account)).accepts_pooling:
                        continue
                    pooled = self.allocation[cm.account] * index[t // 12] * share * m.catchments.resident_share(cm, co) / 12
                    if pooled > 0 and to_pence(pooled):
                        out[(t, cm.account, co.account)] = to_pence(pooled)
        return out

    # --- costs -------------------------------------------------------------------------------------
    def costs(self) -> list[Discrepancy]:
        """Cost lines that follow from published figures, against what was booked; no cost of any
        kind booked twice in a month by one organisation; nothing paid out of spending on care."""
        m = self.model
        s = m.params
        led = m.ledger
        sinks = set(led.accounts(AccountType.SINK))
        booked: dict[tuple[int, str, str], list[int]] = defaultdict(list)
        out = []
        for step, t in led.journal:
            if t.payer in sinks:
                out.append(Discrepancy("costs", step, f"{t.payer} -> {t.payee}", f"{t.kind} paid out of spending on care", 0, t.pence))
            if t.payee in sinks:
                booked[(step, t.payer, t.kind)].append(t.pence)
        # termination costs: one per contract handed back, shared as its tender says
        terminations: dict[tuple[int, str], int] = defaultdict(int)
        by_name = {c.name: c for c in m.contracts if c.tendered is not None}
        for e in m.events_of("contract_ended"):
            c = by_name[e["contract"]]
            share = c.tendered.spec.termination_commissioner_share
            terminations[(e["step"], c.payer)] += to_pence(e["termination_cost"] * share)
            terminations[(e["step"], c.provider)] += to_pence(e["termination_cost"] * (1 - share))
        for (step, account, kind), amounts in booked.items():
            if kind == "termination_costs":
                if sum(amounts) != terminations.get((step, account), 0):
                    out.append(Discrepancy("costs", step, account, "termination costs", terminations.get((step, account), 0), sum(amounts)))
            elif len(amounts) > 1:
                out.append(Discrepancy("costs", step, account, f"{kind} booked {len(amounts)} times in the month",
                                       amounts[0], sum(amounts)))
        # the lines that follow from published figures
        published = self._published()
        unit_cost = self._index(s.money.cost_change, m.month // 12 + 1)
        expected: dict[tuple[int, str, str], int] = {}
        for t in range(m.month):
            unit = unit_cost[t // 12]
            for cm in m.commissioners:
                expected[(t, cm.account, "running_costs")] = to_pence(self.allocation[cm.account] * s.money.commissioner_running_cost_share / 12)
            for co in m.councils:
                expected[(t, co.account, "care_packages")] = to_pence(published[(t + 1, co.account)]["packages_in_use"] * m.prices.package_cost)
            for g in m.gp_federations:
                listed = published[(t + 1, g.account)]["list_size"]
                expected[(t, g.account, "clinical_staff")] = to_pence(g.capacity_per_patient * listed * g.cost_per_contact * unit)
            for h in m.hospitals:  # the beds it had through the month: those its last year end left it
                beds = published[(t, h.account)]["beds"] if t else self.beds[h.account]
                expected[(t, h.account, "beds_and_staff")] = to_pence((h.overhead_month + beds * h.cost_per_bed_month) * unit)
        for (t, account, kind), pence in expected.items():
            got = sum(booked.get((t, account, kind), []))
            if got != pence:
                out.append(Discrepancy("costs", t, account, kind, pence, got))
        return out

    # --- results -----------------------------------------------------------------------------------
    def results(self) -> list[Discrepancy]:
        """Each organisation's published result for each financial year closed, against what its account
        received less what it paid in that year's months, national support (financing, not income) apart."""
        m = self.model
        net: dict[tuple[int, str], int] = defaultdict(int)
        for step, t in m.ledger.journal:
            if t.kind == "opening_balance" or t.payer == "source:national_support":
                continue
            net[(step // 12, t.payee)] += t.pence
            net[(step // 12, t.payer)] -= t.pence
        out = []
        for o in m.organisations:
            for y, pounds in enumerate(o.memory):
                if round(pounds * 100) != net[(y, o.account)]:
                    out.append(Discrepancy("results", 12 * y + 11, o.account, f"result for year {y + 1}", net[(y, o.account)], round(pounds * 100)))
        return out


# the kinds of payment the regimes make (a regime's new kinds are read from the records too)
CONTRACT_KINDS = frozenset({
    "pbr_payment", "block_payment", "alliance_budget", "pooled_budget", "capitation", "capitated_budget",
    "quality_payment", "corridor_settlement", "gain_loss_share", "outcome_payment", "alliance_risk_share",
    "pooled_risk_share",
})


# --- each regime's rule, restated ----------------------------------------------------------------------
def pbr_due(terms: Mapping[str, Any], year: Activity, months: int) -> float:
    """Payment by Results to date, pounds: tariff for each spell and attendance; first emergency
    admissions above the baseline pro-rated to the months run at the marginal rate; readmissions at
    the readmission rate; electives above a plan pro-rated likewise at the over-plan rate."""
    p = terms["prices"]
    part = months / 12.0
    first = year.emergency_spells - year.emergency_readmissions
    baseline = terms["emergency_baseline"] * part
    emergency = p["emergency_spell"] * (min(first, baseline) + terms["marginal_rate"] * max(first - baseline, 0.0)
                                        + terms["readmission_rate"] * year.emergency_readmissions)
    electives = year.elective_spells
    if terms.get("elective_plan") is not None:
        planned = min(electives, terms["elective_plan"] * part)
        electives = planned + terms["over_plan_rate"] * (electives - planned)
    return (emergency + p["elective_spell"] * electives + p["ae_attendance"] * year.ae_attendances
            + p["outpatient_attendance"] * year.outpatient_attendances)


def block_due(terms: Mapping[str, Any], key: str, months: int) -> float:
    """A block's value to date, pounds: the year's sum in twelfths for the months run."""
    return terms[key] * months / 12.0


def full_price(terms: Mapping[str, Any], year: Activity) -> float:
    """The year's acute activity at the contract's full prices, pounds (every emergency spell in full)."""
    p = terms["prices"]
    return (p["elective_spell"] * year.elective_spells + p["emergency_spell"] * year.emergency_spells
            + p["ae_attendance"] * year.ae_attendances + p["outpatient_attendance"] * year.outpatient_attendances)


def corridor(block: float, shadow: float, width: float, rate: float) -> float:
    """Payer to provider, pounds: ``rate`` of the full-price value beyond (1 +/- width) of the block."""
    if shadow > (1 + width) * block:
        return rate * (shadow - (1 + width) * block)
    if shadow < (1 - width) * block:
        return -rate * ((1 - width) * block - shadow)
    return 0.0


def gain_loss(target: float, shadow: float, cap: float, collar: float, loss_share: float) -> float:
    """Payer to provider, pounds: savings beyond ``cap`` of the target repaid; ``loss_share`` of
    losses beyond ``collar`` of it paid."""
    if shadow < target:
        return -max(target - shadow - cap * target, 0.0)
    return loss_share * max(shadow - target - collar * target, 0.0)


def outcomes_met(outcomes: Mapping[str, float], baseline: dict[str, float], improvement: float) -> float:
    """Share of outcomes at or below their target (the first year's value less ``improvement``); an
    outcome seen for the first time sets its baseline and counts as met; none reported: all met."""
    if not outcomes:
        return 1.0
    met = 0
    for name, value in outcomes.items():
        if name not in baseline:
            baseline[name] = float(value)
            met += 1
        else:
            met += value <= baseline[name] * (1.0 - improvement)
    return met / len(outcomes)


class ContractReplay:
    """One contract's payments recomputed from its records: its regime's rule, applied from scratch."""

    def __init__(self, contract: Contract) -> None:
        self.c = contract
        self.regime = contract.regime.name
        self.baseline: dict[str, float] = {}  # an outcome withhold's first-year outcomes

    def run(self) -> list[Discrepancy]:
        c = self.c
        out: list[Discrepancy] = []
        months, year, paid = 0, Activity(), 0
        for r in c.records:
            if r.kind == "month":
                months += 1
                year.add(r.activity)
                cumulative, amount, kind = self.month(r, year, months)
                due = amount if not cumulative else to_pence(amount) - paid
            else:
                if r.activity != year:
                    out.append(Discrepancy("contracts", r.step, c.name, "the year's spells settled on against its months' spells",
                                           year.emergency_spells + year.elective_spells,
                                           r.activity.emergency_spells + r.activity.elective_spells, unit=""))
                due, kind = self.settlement(r, year, months, paid)
            if r.months != months:
                out.append(Discrepancy("contracts", r.step, c.name, f"months run at the {r.kind}", months, r.months))
            out += self.compare(r, due, kind)
            paid += due
            if r.kind == "settlement":
                months, year, paid = 0, Activity(), 0
        return out

    def compare(self, r: PaymentRecord, due: int, kind: str) -> list[Discrepancy]:
        """The record's payments against the rule's: one payment of ``due`` pence (payer to provider;
        negative, back) of ``kind``, or none."""
        c = self.c
        out = []
        net = 0
        for t in r.transfers:
            if c.payer == c.provider:  # a lead's own services: no direction to tell, and no money moves
                net += t.pence if (due >= 0) == (t.pence >= 0) else -t.pence
            elif (t.payer, t.payee) == (c.payer, c.provider):
                net += t.pence
            elif (t.payer, t.payee) == (c.provider, c.payer):
                net -= t.pence
            else:
                out.append(Discrepancy("contracts", r.step, c.name, f"{t.kind} paid {t.payer} -> {t.payee}, not between its parties", 0, t.pence))
            if t.kind != kind:
                out.append(Discrepancy("contracts", r.step, c.name, f"a payment of kind {t.kind}, not {kind}", due, t.pence))
        if net != due or len(r.transfers) > 1:
            out.append(Discrepancy("contracts", r.step, c.name, f"{kind} at the {r.kind} ({len(r.transfers)} payments)", due, net))
        return out

    def month(self, r: PaymentRecord, year: Activity, months: int) -> tuple[bool, float | int, str]:
        """(cumulative?, pounds to date or pence this month, kind) by the regime's monthly rule."""
        t, name = r.terms, self.regime
        if name == "pbr":
            return True, pbr_due(t, year, months), "pbr_payment"
        if name in BLOCKS:
            key, kind = BLOCKS[name]
            return True, block_due(t, key, months), kind
        if name == "outcome_withhold":
            return True, (1.0 - t["withhold"]) * self.withhold_base(t, year, months), f"{t['base']}_payment"
        if name == "capitation":
            return False, to_pence(t["per_patient"] * r.activity.registered_patients / 12.0), "capitation"
        if name == "capitated":
            return False, to_pence(t["per_head"] * r.activity.registered_patients / 12.0), "capitated_budget"
        raise ValueError(f"{self.c.name}: the audit has no rule for regime {name!r}")

    @staticmethod
    def withhold_base(t: Mapping[str, Any], year: Activity, months: int) -> float:
        return pbr_due(t, year, months) if t["base"] == "pbr" else block_due(t, "annual_value", months)

    def settlement(self, r: PaymentRecord, year: Activity, months: int, paid: int) -> tuple[int, str]:
        """(pence payer to provider, kind) at a settlement by the regime's year-end rule."""
        t, name = r.terms, self.regime
        assert r.year_end is not None and r.batch is not None
        if name in ("pbr", "block", "capitated"):
            return 0, "none"
        if name == "capitation":  # quality pay for the part of the year run, on the latest list and achievement
            return to_pence(t["quality_per_patient"] * year.registered_patients * year.quality_achievement * months / 12.0), "quality_payment"
        if name == "block_corridor":
            block = block_due(t, "annual_value", months)
            return to_pence(corridor(block, full_price(t, year), t["corridor"], t["outside_rate"])), "corridor_settlement"
        if name == "gain_loss_share":
            target = block_due(t, "target", months)
            return to_pence(gain_loss(target, full_price(t, year), t["cap"], t["collar"], t["loss_share"])), "gain_loss_share"
        if name == "outcome_withhold":
            share = outcomes_met(r.year_end.outcomes, self.baseline, t["improvement"])
            base = self.withhold_base(t, year, months)
            return to_pence(base * (1.0 - t["withhold"] * (1.0 - share))) - paid, "outcome_payment"
        if name == "alliance":
            results = alliance_results(self.c, r.batch)
            members = t["members"] or {self.c.provider: 1.0}
            whole = sum(results.get(p, 0.0) for p in members)
            return to_pence(members[self.c.provider] * whole - results.get(self.c.provider, 0.0)), "alliance_risk_share"
        if name == "pooled_budget":
            return to_pence(-pooled_result(self.c, r.batch) * t["risk_share"]), "pooled_risk_share"
        raise ValueError(f"{self.c.name}: the audit has no rule for regime {name!r}")


# regimes that pay a block in twelfths: the term holding the year's sum, and the payment's kind
BLOCKS = {"block": ("annual_value", "block_payment"), "alliance": ("annual_value", "alliance_budget"),
          "pooled_budget": ("annual_value", "pooled_budget"), "block_corridor": ("annual_value", "block_payment"),
          "gain_loss_share": ("target", "block_payment")}


def _value(c: Contract, terms: Mapping[str, Any]) -> float:
    return c.basis.annual_value if c.basis is not None else terms.get("annual_value", 0.0)


def alliance_results(c: Contract, batch: SettlementBatch) -> dict[str, float]:
    """Each alliance member's result attributed to ``c``'s alliance, from the contracts as they stood
    when the batch of settlements began: its year-to-date result times the alliance's share of its
    contract income (contracts with itself excluded)."""
    group = [(x, t) for x, t in batch.active if x.payer == c.payer and x.scope == c.scope and t.get("members")]
    results = dict(batch.ytd.results)
    members: Iterable[str] = next((t["members"] for x, t in group if x is c), {})
    for p in members:
        mine = sum(_value(x, t) for x, t in group if x.provider == p)
        total = sum(_value(x, t) for x, t in batch.active if x.provider == p and x.payer != x.provider)
        results[p] = batch.ytd.results.get(p, 0.0) * (mine / total if total else 1.0)
    return results


def pooled_result(c: Contract, batch: SettlementBatch) -> float:
    """The hosting council's year-to-date result, shared among the pooled budgets it hosts by their values."""
    pots = [t["annual_value"] for x, t in batch.active if x.scope == "social_care" and x.provider == c.provider]
    mine = next(t["annual_value"] for x, t in batch.active if x is c)
    total = sum(pots)
    return batch.ytd.results.get(c.provider, 0.0) * (mine / total if total else 1.0)

