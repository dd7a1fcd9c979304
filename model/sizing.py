"""Sizing the place at the start: capacity, money and the first contracts, from the people it serves.

Councils' care packages and eligibility come from their residents' frailty; the
population's base rates are calibrated to the scenario's targets; hospitals' beds and
elective capacity, GP federations' capacity, the contracts' values and the allocation
are sized to the expected first year's demand. The place is sized the same under every
strategy mix (GP workload shedding as it was before the run,
``demand.referral_shedding_at_start``), so strategy mixes are compared on the same
place and money. Providers' costs are set to their expected income (hospitals with the
starting overrun); every organisation opens with reserves of a few months.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from model.contracts import Activity
from model.ledger import to_pence
from model.organisations import Commissioner, Council
from model.programmes import Programme
from model.regimes import ContractBasis

if TYPE_CHECKING:
    from model.economy import LocalHealthEconomy


@dataclass(frozen=True)
class Catchments:
    """How commissioners' registered populations and councils' residents overlap, at the start."""

    commissioner_council_share: np.ndarray  # a council's residents split by commissioner (columns sum to 1)
    residents_by_council: np.ndarray  # a commissioner's registered population split by council (rows sum to 1)

    def resident_share(self, cm: Commissioner, co: Council) -> float:
        """Share of the commissioner's registered population who live in the council's area."""
        return self.residents_by_council[cm.index, co.index]


def size_place(model: LocalHealthEconomy) -> Catchments:
    """Size capacity and money from the population, let the baseline contracts and open the accounts.

    Capacity is sized to expected first-year demand; providers' costs to their
    expected income (with the acute starting overrun); the allocation to what
    commissioners are expected to spend plus their planned surplus; council
    money to their care and prevention spending.
    """
    m = model
    s = m.params
    pop = m.population
    book = m.contracting
    # councils: packages and eligibility from the frailty of their residents
    sc = s.social_care
    residents = np.bincount(pop.council[pop.alive], minlength=len(m.councils))
    for co in m.councils:
        mine = pop.alive & (pop.council == co.index)
        co.packages = int(round(sc.packages_per_1000 * residents[co.index] / 1000))
        co.residents_at_start = int(residents[co.index])
        if sc.intermediate_care_start_per_1000 > 0:  # a service it runs from the start, in post
            start = sc.intermediate_care_start_per_1000
            co.levers["intermediate_care"] = start
            co.programmes["intermediate"] = Programme(dose=start, in_post=start, embedded=start)
        co.base_eligibility = co.start_eligibility = m.delivery.ration_threshold(co, co.packages)
        if co.behaviour.balances_books:
            co.packages = min(co.packages, m.delivery.eligible_count(co))
        eligible = np.flatnonzero(mine & (pop.frailty >= co.eligibility))
        take = pop.rng.choice(eligible, size=min(co.packages, eligible.size), replace=False)
        pop.sc_met[take] = True
        co.packages_in_use = take.size
    pop.calibrate(pop.sc_met)
    pop.calibrate_los()
    exp = pop.expected_year()
    alive = pop.alive
    nc, nh, nco = len(m.commissioners), len(m.hospitals), len(m.councils)
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
    catchments = Catchments(commissioner_council_share=cm_co / np.maximum(cm_co.sum(axis=0, keepdims=True), 1),
                            residents_by_council=cm_co / np.maximum(cm_co.sum(axis=1, keepdims=True), 1))
    t = s.tariff
    prices = {"elective_spell": t.elective_spell, "emergency_spell": t.emergency_spell,
              "ae_attendance": t.ae_attendance, "outpatient_attendance": t.outpatient_attendance}
    cap = s.capacity
    months = s.money.opening_reserves_months

    m.delivery.start_waiting_list(electives)

    commissioner_spend = np.zeros(nc)
    # hospitals start from different financial positions: each one's overrun drawn about the mean
    money = s.money
    draws = m.rng_start.normal(0.0, 1.0, len(m.hospitals))
    for h, z in zip(m.hospitals, draws, strict=True):
        h.starting_overrun = max(money.starting_cost_overrun + money.starting_cost_overrun_spread * float(z), -0.5)
    for h in m.hospitals:
        j = h.index
        h.catchment = int(catch[j])
        h.beds = int(round(cap.beds_per_1000 * catch[j] / 1000))
        h.elective_capacity = electives[:, j].sum() / 12 * cap.elective_capacity_margin
        h.elective_established = h.elective_capacity  # staffed as it stands
        acute_income = (adm[:, j].sum() * t.emergency_spell + electives[:, j].sum() * t.elective_spell
                        + att[:, j].sum() * t.ae_attendance + ref[:, j].sum() * t.outpatient_attendance)
        variable = acute_income * t.variable_cost_share
        community = cap.community_cost_per_head * catch[j]
        h.community_base_value = h.community_value = community
        overrun = h.starting_overrun
        # costs at the start: the expected income plus the overrun, less what goes with activity and with
        # the elective capacity, split between beds and overheads
        fixed = acute_income * (1 + overrun) - variable - h.elective_capacity_cost_month() * 12
        h.cost_per_bed_month = fixed * cap.bed_cost_share / 12 / max(h.beds, 1)
        h.overhead_month = fixed * (1 - cap.bed_cost_share) / 12
        for cm in m.commissioners:
            i = cm.index
            value = adm[i, j] * t.emergency_spell + electives[i, j] * t.elective_spell + att[i, j] * t.ae_attendance + ref[i, j] * t.outpatient_attendance
            basis = ContractBasis(
                expected=Activity(elective_spells=round(electives[i, j]), emergency_spells=round(adm[i, j]),
                                  ae_attendances=round(att[i, j]),
                                  outpatient_attendances=round(ref[i, j])),
                prices=prices, annual_value=value, marginal_rate=t.emergency_marginal_rate,
            )
            book.let(cm, h, "acute", basis)
            share = catch_share = (pair == i * nh + j).sum() / max(catch[j], 1)
            cbasis = ContractBasis(expected=Activity(), prices=prices, annual_value=community * catch_share)
            book.let(cm, h, "community", cbasis)
            commissioner_spend[i] += value + community * share
        m.ledger.open(h.account, balance_pence=to_pence(acute_income * months / 12))

    lists = np.bincount(pop.gp[alive], minlength=len(m.gp_federations))
    # referrals a month as the place was before the run (the first month's freed GP time)
    m.delivery.gp_referrals_month = np.bincount(pop.gp[alive], weights=exp["referrals"][alive], minlength=len(m.gp_federations)
                                                ) / 12 * (1 + s.demand.referral_shedding_at_start)
    gp_contacts = np.bincount(pop.gp[alive], weights=exp["gp_contacts"][alive], minlength=len(m.gp_federations))
    for g in m.gp_federations:
        g.list_size = int(lists[g.index])
        g.capacity_per_patient = gp_contacts[g.index] / 12 * cap.gp_capacity_margin / max(g.list_size, 1)
        income = (cap.capitation_per_patient + cap.qof_per_patient) * g.list_size
        g.cost_per_contact = income / 12 / max(g.capacity_per_patient * g.list_size, 1e-9)
        basis = ContractBasis(expected=Activity(registered_patients=g.list_size), prices=prices, annual_value=income,
                              per_patient=cap.capitation_per_patient, quality_per_patient=cap.qof_per_patient)
        book.let(g.commissioner, g, "primary_care", basis)
        commissioner_spend[g.commissioner.index] += income
        m.ledger.open(g.account, balance_pence=to_pence(income * s.money.gp_federation_reserves_months / 12))

    for co in m.councils:
        care = co.packages * sc.package_cost_per_month * 12
        council_share = care * (1 - sc.nhs_funded_share)
        co.base_prevention = council_share * s.money.prevention_share_of_council / (1 - s.money.prevention_share_of_council)
        co.prevention_spend = co.base_prevention  # its prevention programme changes it from here
        co.grant = council_share + co.base_prevention + co.intermediate_care_year()  # places it runs from the start
        commissioner_spend += care * sc.nhs_funded_share * catchments.commissioner_council_share[:, co.index]
        m.ledger.open(co.account, balance_pence=to_pence(co.grant * months / 12))

    for cm in m.commissioners:
        spend = commissioner_spend[cm.index] / (1 - s.money.commissioner_running_cost_share)
        cm.allocation = spend / (1 - s.money.commissioner_planned_surplus)
        cm.running_costs = cm.allocation * s.money.commissioner_running_cost_share
        m.ledger.open(cm.account, balance_pence=to_pence(cm.allocation * months / 12))
    for pc in m.prime_contractors:
        m.ledger.open(pc.account, balance_pence=to_pence(m.procurement.opening_capital(pc.name)))
    for org in m.organisations:
        org.reserves = m.ledger.balance(org.account) / 100
    return catchments
