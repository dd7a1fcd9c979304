"""A contract: a payer, a provider, a scope of services, a payment regime and its terms."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from model.ledger import Transfer

if TYPE_CHECKING:
    from model.regimes.base import PaymentRegime, YearEnd


@dataclass
class Activity:
    """What a provider did for one payer's population in a period (counts)."""

    elective_spells: int = 0
    emergency_spells: int = 0
    emergency_readmissions: int = 0  # of which: within a month of a discharge
    ae_attendances: int = 0
    outpatient_attendances: int = 0
    registered_patients: int = 0  # a stock: the latest count, not a sum
    quality_achievement: float = 0.0  # share of quality points achieved (a level)

    def add(self, other: Activity) -> None:
        """Accumulate flows; take stocks and levels from ``other``."""
        for f in fields(self):
            if f.name in ("registered_patients", "quality_achievement"):
                setattr(self, f.name, getattr(other, f.name))
            else:
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass
class Contract:
    """One contract and what has happened under it this financial year."""

    payer: str
    provider: str
    scope: str  # "acute", "community" or "primary_care"
    regime: PaymentRegime
    terms: dict[str, Any]
    start_step: int = 0
    term_years: int = 1
    months_this_year: int = 0
    year_activity: Activity = field(default_factory=Activity)
    paid_this_year_pence: int = 0
    paid_total_pence: int = 0
    active: bool = True
    basis: Any = None  # the ContractBasis it was let on (prices of its first year), for re-letting

    @property
    def name(self) -> str:
        return f"{self.scope}:{self.payer}->{self.provider}"

    def month(self, activity: Activity) -> list[Transfer]:
        """Record a month's activity and return the payments the regime makes for it."""
        self.months_this_year += 1
        self.year_activity.add(activity)
        return self._book(self.regime.monthly(self, activity))

    def settle_year(self, year: YearEnd | None = None) -> list[Transfer]:
        """Year-end reconciliation; then start a new contract year."""
        from model.regimes.base import YearEnd

        transfers = self._book(self.regime.settle_year(self, year if year is not None else YearEnd()))
        self.months_this_year = 0
        self.year_activity = Activity()
        self.paid_this_year_pence = 0
        return transfers

    def _book(self, transfers: list[Transfer]) -> list[Transfer]:
        for t in transfers:
            signed = t.pence if t.payer == self.payer else -t.pence
            self.paid_this_year_pence += signed
            self.paid_total_pence += signed
        return transfers
