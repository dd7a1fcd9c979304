"""Outcome-linked payment: a share of a base regime's payment withheld and paid
at year end on outcome targets (a CQUIN-style withhold).

The base regime is Payment by Results for acute services and a block contract
for community services (community services have no national tariff). Each
month the provider is paid ``1 - withhold`` of what the base regime would have
paid to date. At year end, with D the base regime's value for the full year,
it is paid ``withhold * D * achievement``, where achievement is the share of
the payer population's outcomes (``YearEnd.outcomes``, see ``OUTCOMES``; lower
is better for each) that met their target. The year's total is therefore
``D * (1 - withhold * (1 - achievement))``, exactly D when every target is met.

Targets: an outcome's target is its value in the first year the contract
settles with that outcome, times ``1 - improvement``. The first year sets the
baseline (stored in ``terms["baseline_outcomes"]``) and counts as met: there is
nothing yet to improve on. A year with no outcomes reported counts as fully
achieved.

Source: MODEL.md section 5 and seed 004 (The King's Fund on the new care
models): Dudley's commissioners "may make 10% of payments dependent on meeting
targets"; Mid-Nottinghamshire's new CQUIN targets put "around 1.8 per cent of
their annual income" at stake.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from model.contracts import Activity, Contract
from model.ledger import Transfer
from model.regimes.base import (
    UNIT_OUTCOMES,
    ContractBasis,
    Outlook,
    Parameter,
    PaymentRegime,
    YearEnd,
)
from model.regimes.block import BlockContract
from model.regimes.pbr import PaymentByResults

# the base regime for each scope this regime can pay for
BASES: dict[str, PaymentRegime] = {"acute": PaymentByResults(), "community": BlockContract()}


def achievement(outcomes: Mapping[str, float], baseline: dict[str, float], improvement: float) -> float:
    """Share of ``outcomes`` that met their target (lower is better).

    An outcome with no baseline yet sets it now (into ``baseline``) and counts as met.
    """
    if not outcomes:
        return 1.0
    met = 0
    for name, value in outcomes.items():
        if name not in baseline:
            baseline[name] = float(value)
            met += 1
        elif value <= baseline[name] * (1.0 - improvement):
            met += 1
    return met / len(outcomes)


class OutcomeWithhold(PaymentRegime):
    name = "outcome_withhold"
    description = "Outcome-linked payment: a share of PbR (acute) or block (community) pay withheld, paid on outcome targets"
    scopes = frozenset(BASES)
    parameters = {
        "withhold": Parameter(
            0.1,
            "share of the base regime's payment withheld and paid on outcome targets "
            "(seed 004: Dudley considered 10% of payment on targets; Mid-Nottinghamshire's CQUIN about 1.8%)",
            0.0,
            0.5,
        ),
        "target_uncertainty": Parameter(
            0.05,
            "how uncertain the parties are of next year's outcome, as a share of the target: the chance of "
            "meeting a target falls smoothly (a logistic) as the expected outcome passes it "
            "(assumption)",
            0.001,
            0.5,
        ),
        "improvement": Parameter(
            0.0,
            "improvement on the first year's outcomes each target asks for "
            "(assumption: targets are to be no worse than the first year)",
            0.0,
            0.5,
        ),
    }

    def terms(self, basis: ContractBasis, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The base regime's terms plus the withhold; ``options["scope"]`` (default
        "acute") chooses the base, since the basis does not say the scope."""
        scope = str(options.get("scope", "acute")) if options else "acute"
        if scope not in BASES:
            raise ValueError(f"outcome_withhold pays for {', '.join(sorted(BASES))}, not {scope!r}")
        base = BASES[scope]
        return {
            **base.terms(basis, options),
            "base": base.name,
            "withhold": self.option(options, "withhold"),
            "improvement": self.option(options, "improvement"),
            "target_uncertainty": self.option(options, "target_uncertainty"),
        }

    @staticmethod
    def base(contract: Contract) -> PaymentRegime:
        """The base regime of a contract, checked against its scope."""
        base = BASES.get(contract.scope)
        if base is None or base.name != contract.terms["base"]:
            raise ValueError(
                f"{contract.name}: outcome_withhold terms are on a {contract.terms['base']!r} base, "
                f"which does not pay for {contract.scope!r} services (let the terms with options['scope'])"
            )
        return base

    def due_to_date(self, contract: Contract) -> float:
        due = self.base(contract).due_to_date(contract)
        assert due is not None  # PbR and block both pay in instalments
        return (1.0 - contract.terms["withhold"]) * due

    def year_value(self, contract: Contract, activity: Activity) -> float:
        """What the instalments of a full year of ``activity`` pay before the year-end outcome payment:
        the base regime's year value less the withhold (``due_to_date`` after twelve months)."""
        return (1.0 - contract.terms["withhold"]) * self.base(contract).year_value(contract, activity)

    def monthly(self, contract: Contract, activity: Activity) -> list[Transfer]:
        return self.pay(contract, self.due_to_date(contract), f"{contract.terms['base']}_payment")

    def settle_year(self, contract: Contract, year: YearEnd) -> list[Transfer]:
        t = contract.terms
        full_year = self.base(contract).due_to_date(contract)
        assert full_year is not None
        baseline = t.setdefault("baseline_outcomes", {})
        share = achievement(year.outcomes, baseline, t["improvement"])
        # pay up to the year's total to date, so the pennies add up exactly to the base when all is met
        return self.pay(contract, full_year * (1.0 - t["withhold"] * (1.0 - share)), "outcome_payment")

    def marginal(self, contract: Contract, unit: str, outlook: Outlook) -> float:
        """The base regime's price less the withhold, plus what one more unit does to the chance of
        earning the withheld pay back: a unit that worsens an outcome with a target lowers the chance
        of meeting it (a logistic in the gap to the target, scaled by ``target_uncertainty``)."""
        t = contract.terms
        base = self.base(contract)
        price = (1.0 - t["withhold"]) * base.marginal(contract, unit, outlook)
        outcome = UNIT_OUTCOMES.get(unit)
        baseline = t.get("baseline_outcomes", {})
        if outcome is None or outcome not in baseline or outcome not in outlook.outcomes or outlook.people <= 0:
            return price  # no target on what this unit moves (yet): the first year sets the baseline
        year_value = base.year_value(contract, outlook.activity)
        at_stake = t["withhold"] * year_value / max(len(outlook.outcomes), 1)
        target = baseline[outcome] * (1.0 - t["improvement"])
        scale = max(t.get("target_uncertainty", 0.05) * target, 1e-9)
        z = max(min((target - outlook.outcomes[outcome]) / scale, 50.0), -50.0)
        p_met = 1.0 / (1.0 + math.exp(-z))
        per_unit = 1000.0 / outlook.people  # one more unit raises the rate per 1,000 by this much
        return price - at_stake * p_met * (1.0 - p_met) / scale * per_unit
