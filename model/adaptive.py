"""Adaptive strategies: learning from experience and from partners, and reciprocity.

Each year every organisation scores the strategy it followed with a payoff that
weighs (MODEL.md section 6):

* its own financial result, as a share of its income (x10);
* its regulatory standing: under an organisation-focused regulator, how far its
  deficit went beyond the special measures threshold, as a share of its income
  (x10), and -1 in a year it is in special measures; under a whole-system regulator, which judges
  the place as one on its shared measures, the place's result as a share of the
  place's income less the harm it did to the others as a share of its own (x10);
* the outcomes of the people it serves: the fall in their emergency admissions
  over the year (x10): a hospital's patients, a GP federation's list, a council's
  residents, a commissioner's population;
* its relationships: the trust its partners hold in it, less one half;
* with the commons rule of participation, a bonus for collaborating.

It learns by experience-weighted attraction (Camerer and Ho 1999): the
attraction of the strategy it played moves towards the payoff it got; the
other strategy's attraction moves towards the payoff its peers (its own kind,
working with its partners) got with it when those results can be seen (always
with shared measures, otherwise with the scenario's visibility), and otherwise
only fades. It chooses by a logit on the two attractions, pulled towards
collaborating by the share of its partners it pictures
collaborating (reciprocity): each knows the stance the others start with, and
the picture changes only when a partner's behaviour is seen
(model.governance). With a small chance a year it
instead compares itself with one peer and copies that peer's
strategy with a probability proportional to how much better it did
(proportional imitation, Schlag 1998). Every weight is a scenario parameter
(``[adaptation]``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from model.governance import partners, peers, perceived_collaborating
from model.strategies import STRATEGIES

if TYPE_CHECKING:
    from model.economy import LocalHealthEconomy
    from model.organisations import Organisation

PAYOFF_SCALE = 10.0  # results and growth rates are a few per cent: scale them to order one


class AdaptiveStrategies:
    """Experience-weighted attraction, proportional imitation and reciprocity."""

    def observe(self, model: LocalHealthEconomy) -> None:
        """At a year end, before any choice: score last year and update every attraction."""
        a = model.params.adaptation
        payoffs = {o.name: self.payoff(o, model) for o in model.organisations}
        # payoffs are judged against an aspiration level, the place's mean this year (Macy and Flache
        # 2002): doing better than the others reinforces, doing worse discourages, and an attraction
        # that gets no news fades towards "as good as the rest" rather than towards an arbitrary zero
        aspiration = float(np.mean(list(payoffs.values()))) if payoffs else 0.0
        for o in model.organisations:
            o.payoff = payoffs[o.name] - aspiration
        for o in model.organisations:
            if o.in_special_measures:
                continue  # its strategy was imposed this year: nothing to learn about its own choice
            played = o.strategy
            other = "fortress" if played == "collaborative" else "collaborative"
            forgone = self._forgone(o, other, model)
            n_old = o.experience
            o.experience = a.memory * n_old + 1.0
            o.attraction[played] = (a.memory * n_old * o.attraction[played] + o.payoff) / o.experience
            if forgone is not None:
                o.attraction[other] = (a.memory * n_old * o.attraction[other] + forgone) / o.experience
            else:
                o.attraction[other] = a.memory * n_old * o.attraction[other] / o.experience

    def choose(self, org: Organisation, model: LocalHealthEconomy) -> str:
        forced = model.forced_strategy(org)
        if forced is not None:
            org.p_collaborative = 1.0 if forced == "collaborative" else 0.0
            return forced
        a = model.params.adaptation
        rng = model.rng_strategy
        if rng.random() < a.imitation:
            copied = self._imitate(org, model)
            if copied is not None:
                return copied
        pull = a.reciprocity * (perceived_collaborating(model, org) - 0.5)
        diff = a.sensitivity * (org.attraction["collaborative"] + pull - org.attraction["fortress"])
        org.p_collaborative = 1.0 / (1.0 + math.exp(-max(min(diff, 50.0), -50.0)))
        return "collaborative" if rng.random() < org.p_collaborative else "fortress"

    # --- the parts ------------------------------------------------------------------------
    def payoff(self, org: Organisation, model: LocalHealthEconomy) -> float:
        a = model.params.adaptation
        finance = org.last_result / org.last_income if org.last_income > 0 else 0.0
        reg = model.params.regulation
        if reg.focus == "system":
            harm = org.harm / org.last_income if org.last_income > 0 else 0.0
            regulation = PAYOFF_SCALE * (model.place_margin - harm)
        elif model.regulator.judges_own_deficit(org):
            beyond = max(-finance - reg.special_measures_deficit, 0.0)
            regulation = -PAYOFF_SCALE * beyond - (1.0 if model.in_special_measures(org) else 0.0)
        else:
            regulation = 0.0  # answers to no regulator: its standing neither rises nor falls
        population = -PAYOFF_SCALE * model.admissions_growth_of(org)
        trust_in = [model.network.edges[p, org.name]["trust"] for p in partners(model, org)]
        relationships = (float(np.mean(trust_in)) if trust_in else 0.5) - 0.5
        bonus = model.params.commons.participation_bonus if model.params.commons.participation and org.strategy == "collaborative" else 0.0
        return (a.weight_finance * PAYOFF_SCALE * finance + a.weight_regulation * regulation
                + a.weight_population * population + a.weight_relationships * relationships + bonus)

    def _visible(self, model: LocalHealthEconomy) -> bool:
        c = model.params.commons
        return c.shared_measures or model.rng_strategy.random() < c.visibility_without_measures

    def _forgone(self, org: Organisation, strategy: str, model: LocalHealthEconomy) -> float | None:
        """What peers (its own kind, see model.governance.peers) who played ``strategy`` got, as far
        as it can be seen: an organisation of another kind is no guide to what it would have got."""
        pool = [p for p in map(model.organisation, peers(model, org)) if p.strategy == strategy]
        visible = [p.payoff for p in pool if self._visible(model)]
        return float(np.mean(visible)) if visible else None

    def _imitate(self, org: Organisation, model: LocalHealthEconomy) -> str | None:
        """Copy a peer that did better, with a chance in proportion to the gap."""
        names = peers(model, org)
        if not names:
            return None
        other = model.organisation(names[int(model.rng_strategy.integers(len(names)))])
        if not self._visible(model) or other.payoff <= org.payoff:
            return None
        gap = other.payoff - org.payoff
        if model.rng_strategy.random() < min(gap / 2.0, 1.0):
            org.p_collaborative = 1.0 if other.strategy == "collaborative" else 0.0
            return other.strategy
        return None


assert set(STRATEGIES) == {"fortress", "collaborative"}
