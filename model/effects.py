"""What the organisations' behaviour does to the population's risks this month.

Each organisation's levers and the programmes it has built become per-organisation
multipliers on risk (:class:`~model.population.Effects`), which the population looks
up per person: GP federations' proactive case management (fewer crises and slower
progression for people with 2+ long-term conditions) and referral shedding;
hospitals' specialist outreach (fewer crises and referrals) and admission threshold;
the community services commissioners fund (fewer admissions of frail people);
councils' prevention (fewer new conditions). A programme acts through the capacity
it has embedded, with diminishing returns (:mod:`model.programmes`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.population import Effects

if TYPE_CHECKING:
    from model.economy import LocalHealthEconomy


def behaviour_effects(model: LocalHealthEconomy) -> Effects:
    p = model.params.programmes
    gps, hosp, councils = model.gp_federations, model.hospitals, model.councils
    cut = lambda org, programme, most, half: org.programmes[programme].effect(most, half) if programme in org.programmes else 0.0  # noqa: E731
    gp_crisis = np.array([1 - cut(g, "case_management", p.case_management_effect, p.case_management_half_dose) for g in gps])
    gp_prog = np.array([1 - cut(g, "case_management", p.case_management_progression_effect, p.case_management_half_dose) for g in gps])
    gp_ref = np.array([1 + g.lever("referral_shedding") for g in gps])
    # a patient referred on to shed workload frees the contacts the practice would have given them
    shed = model.delivery.gp_referrals_month * np.array([s / (1 + s) for s in (g.lever("referral_shedding") for g in gps)])
    gp_cap = np.array([g.capacity for g in gps]) + shed * model.params.demand.gp_contacts_saved_per_referral
    h_crisis = np.array([1 - cut(h, "outreach", p.outreach_effect, p.outreach_half_dose) for h in hosp])
    h_ref = np.array([1 - cut(h, "outreach", p.outreach_referral_effect, p.outreach_half_dose) for h in hosp])
    h_adm = np.array([h.admission_ratio for h in hosp])
    community = np.array([1 - cut(h, "community", p.community_admission_effect, p.community_half_dose) for h in hosp])
    incidence = np.array([1 - cut(c, "prevention", p.prevention_effect, p.prevention_half_dose) for c in councils])
    trend = (1 + model.params.demand.unexplained_growth) ** (model.month / 12)
    return Effects(gp_crisis.astype(np.float32), gp_prog.astype(np.float32), gp_ref, gp_cap, h_crisis.astype(np.float32),
                   h_ref, h_adm, community, incidence, trend)
