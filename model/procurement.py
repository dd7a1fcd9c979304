"""Procurement: tenders, bids, the winner's sub-contracts, top-ups and hand-backs (MODEL.md section 5).

A commissioner puts its contracts of one scope out to tender at the step a scenario
names. Each bidder estimates the services' true cost with its own bias and error and
bids below its estimate by its optimism, at most the commissioner's ceiling; the lowest
bid wins (UnitingCare bid £726m against a £752m ceiling, seed 004). The winner becomes
a prime contractor: paid its bid as a block for the term, it pays the incumbents, now
its sub-contractors, what the services truly cost. Running at a loss, it asks once for a
top-up; refused, it carries the loss while its reserves last and then hands the contract
back: the services return to the commissioner and the cost of ending the contract is
shared between them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.contracting import ContractBook
from model.contracts import Activity, Tendered
from model.regimes import ContractBasis

if TYPE_CHECKING:
    from model.economy import LocalHealthEconomy


class Procurement:
    """The place's tenders and what becomes of the contracts they let."""

    def __init__(self, model: LocalHealthEconomy, book: ContractBook, rng: np.random.Generator) -> None:
        self.model = model
        self.book = book
        self.rng = rng  # bidders' estimates: a stream of its own

    def opening_capital(self, prime_contractor_name: str) -> float:
        """A new entrant starts with capital in proportion to the services it bids for (the most over
        its tenders), pounds."""
        m = self.model
        capital = 0.0
        for t in m.params.contracting.tenders:
            for b in (b for b in t.bidders if b.name == prime_contractor_name):
                cm = m.organisation(t.commissioner)
                value = sum(c.basis.annual_value for c in self.book.contracts if c.payer == cm.account and c.scope == t.scope)
                capital = max(capital, b.capital * value)
        return capital

    def run_tenders(self) -> None:
        """Tenders whose contracts start this month: bids, the lowest wins, the winner sub-contracts.

        The services' true cost is ``cost_gap`` times today's contract value; each bidder
        estimates it with its own bias and error and bids ``optimism`` below its estimate,
        at most the commissioner's ceiling. The winner is paid its bid as a block for the
        term and pays the incumbents, now its sub-contractors, what the services truly cost.
        """
        m, book = self.model, self.book
        for t in (t for t in m.params.contracting.tenders if t.step == m.month):
            cm = m.organisation(t.commissioner)
            current = book.serving(cm, (t.scope,))
            value = sum(book.current_basis(c).annual_value for c in current)
            if value <= 0:
                continue
            true_cost = value * t.cost_gap
            ceiling = value * t.ceiling
            bids = {}
            for b in t.bidders:
                estimate = true_cost * max(1.0 + b.cost_bias + b.cost_error * self.rng.normal(), 0.0)
                bids[b.name] = float(min(estimate * (1.0 - b.optimism), ceiling))
            winner_name = min(bids, key=lambda n: (bids[n], n))
            winner = m.organisation(winner_name)
            ytd = m.year_to_date()
            for old in current:
                book.close(old, ytd)
                book.relet(old, winner, basis=book.scaled_basis(book.current_basis(old), t.cost_gap))
            # the winner's contract: a block at its bid, on the services' expected activity and prices
            expected = Activity()
            for old in current:
                expected.add(old.basis.expected)
            basis = ContractBasis(expected=expected, prices=book.current_basis(current[0]).prices, annual_value=bids[winner_name])
            tendered = Tendered(spec=t, start_reserves=max(m.ledger.balance(winner.account) / 100, 0.0))
            book.let(cm, winner, t.scope, basis, regime_name="block", start_step=m.month, term_years=t.term_years,
                     tendered=tendered)
            m.record("tender_won", winner=winner_name, commissioner=cm.name, scope=t.scope, bids=bids,
                     value=float(value), true_cost=float(true_cost))
        book.form_alliances()

    def review_tendered_contracts(self) -> None:
        """A winner whose losses on a tendered contract exceed its reserves asks for more money;
        refused, it hands the contract back: the services return to the commissioner and the
        cost of ending the contract is shared between them."""
        m, book = self.model, self.book
        for c in [c for c in book.contracts if c.active and c.tendered is not None]:
            # the payer is the commissioner, or a lead provider it has since handed its budget to
            t, cm, winner = c.tendered.spec, c.payer_org, c.provider_org
            # every sub-contract it has let for the services since the tender, closed ones included: a
            # sub-contract it re-let under another regime (choose_subcontracts) keeps what it paid under it
            subs = [x for x in book.contracts if x.payer == winner.account and x.population_of is c.population_of
                    and x.scope == t.scope and x.start_step >= t.step]
            # what it was paid for them since the tender: under this contract and those it replaced (a regime
            # switch or a budget handed to a lead provider re-lets it, carrying its tender)
            paid = sum(x.paid_total_pence for x in book.contracts if x.tendered is c.tendered)
            # the winner's loss on this contract: what it paid its sub-contractors less what it was paid
            # (its own services, kept in-house, cost it their share of the block: no payment)
            loss = (sum(x.paid_total_pence for x in subs if x.payer != x.provider) - paid) / 100
            if loss <= 0:
                continue
            if not c.tendered.top_up_asked:  # the first month it runs at a loss, it asks for the year's shortfall
                months = max(m.month + 1 - c.start_step, 1)
                shortfall = float(loss * 12 / months)
                # a top-up raises the contract's annual value: one paid by activity (after a switch) has none
                granted = t.top_up and "annual_value" in c.terms
                m.record("top_up", contract=c.name, pounds=shortfall, granted=granted)
                c.tendered.top_up_asked = True
                if granted:
                    c.terms["annual_value"] += shortfall
                    c.tendered.top_up, c.tendered.top_up_tariff = shortfall, m.prices.tariff
                continue
            if loss <= c.tendered.start_reserves:  # it carries the loss while its reserves last
                continue
            ytd = m.year_to_date()
            running = [x for x in subs if x.active]
            for x in (c, *running):
                book.close(x, ytd)
            for x in running:
                book.relet(x, cm)  # the services go back to whoever paid the winner
            value = c.terms["annual_value"] if "annual_value" in c.terms else book.current_basis(c).annual_value
            cost = float(t.termination_cost * value)
            cm.spend(cost * t.termination_commissioner_share, "termination_costs")
            winner.spend(cost * (1 - t.termination_commissioner_share), "termination_costs")
            m.record("contract_ended", contract=c.name, winner=winner.name, loss=loss, termination_cost=cost,
                     winner_reserves=m.ledger.balance(winner.account) / 100)
            book.form_alliances()
