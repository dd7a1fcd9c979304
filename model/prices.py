"""The place's price and cost indices, which move once a year (MODEL.md section 3a)."""

from __future__ import annotations

from dataclasses import dataclass

from model.scenario import Money, Scenario


@dataclass
class Prices:
    """Real-terms indices, 1.0 at the start."""

    tariff: float = 1.0  # prices paid to providers (efficiency deflator)
    unit_cost: float = 1.0  # providers' unit costs (realised productivity)
    allocation: float = 1.0
    council_index: float = 1.0
    gp_contract: float = 1.0  # GP contract pay per patient
    package_cost: float = 0.0  # pounds a month

    def bed_day_cost(self, params: Scenario) -> float:
        """The variable cost of an emergency bed day at today's unit costs: an emergency spell's variable
        share of the tariff over its mean stay (what a marginal stay costs a hospital; a delayed transfer's day
        costs it nothing of its own beyond its beds, but its partners value the bed day at this, model.governance)."""
        t = params.tariff
        return t.emergency_spell * t.variable_cost_share / params.demand.emergency_los_days * self.unit_cost

    def advance_year(self, money: Money) -> None:
        """Prices pass on cost growth less the efficiency asked; costs grow less what is achieved."""
        price_change, cost_change = money.price_change, money.cost_change
        self.tariff *= price_change
        self.unit_cost *= cost_change
        self.gp_contract *= cost_change
        self.allocation *= 1 + money.allocation_growth
        self.council_index *= 1 + money.council_grant_growth
