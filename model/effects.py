"""What the organisations' behaviour does to the population's risks this month.

Each organisation's programmes and policies become per-organisation multipliers on
risk (:class:`~model.population.Effects`), which the population looks up per person:
GP federations' proactive case management (fewer crises and slower progression for
people with 2+ long-term conditions) and referral shedding; hospitals' specialist
outreach (fewer crises and referrals) and admission threshold; the community capacity
commissioners fund (fewer admissions of frail people); councils' prevention (fewer new
conditions). A programme's effect grows with its maturity (:mod:`model.organisations`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.population import Effects

if TYPE_CHECKING:
    from model.economy import LocalHealthEconomy

COMMUNITY_ADMISSION_FLOOR = 0.2  # assumption: community capacity cuts frail admissions at most to a fifth


def behaviour_effects(model: LocalHealthEconomy) -> Effects:
    prog = model.params.programmes
    gps, hosp, councils = model.gp_federations, model.hospitals, model.councils
    tariff = model.prices.tariff
    gp_crisis = np.array([1 - prog.case_management_effect * g.maturity * _unit(g.behaviour.case_management_share) for g in gps])
    gp_prog = np.array([1 - prog.case_management_progression_effect * g.maturity * _unit(g.behaviour.case_management_share) for g in gps])
    gp_ref = np.array([1 + g.behaviour.referral_shedding for g in gps])
    gp_cap = np.array([g.capacity for g in gps])
    h_crisis = np.array([1 - prog.outreach_effect * h.behaviour.outreach * h.maturity for h in hosp])
    h_ref = np.array([1 - prog.outreach_referral_effect * h.behaviour.outreach * h.maturity for h in hosp])
    h_adm = np.array([h.admission_ratio for h in hosp])
    community = np.array([
        max(COMMUNITY_ADMISSION_FLOOR, 1 - prog.community_admission_effect * (h.community_value / h.community_base_value / tariff - 1))
        if h.community_base_value else 1.0 for h in hosp
    ])
    incidence = np.array([max(0.0, 1 - prog.prevention_effect * c.prevention_change * c.maturity) for c in councils])
    trend = (1 + model.params.demand.unexplained_growth) ** (model.month / 12)
    return Effects(gp_crisis.astype(np.float32), gp_prog.astype(np.float32), gp_ref, gp_cap, h_crisis.astype(np.float32),
                   h_ref, h_adm, community, incidence, trend)


def _unit(x: float) -> float:
    """A behaviour intensity as a 0-1 switch for effects that need a programme at all."""
    return 1.0 if x > 0 else 0.0
