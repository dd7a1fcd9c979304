"""A contract: a payer, a provider, a scope of services, a payment regime and its terms.

A contract carries everything the place knows about it as typed fields: who pays and who
provides (by account, and the organisations themselves once the place lets it), whose
population it serves, the prices in force when it was let, and, for a contract won in a
tender, the tender's terms. The regime's own terms (prices, values, shares) are the
``terms`` mapping its :class:`~model.regimes.base.PaymentRegime` agreed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from model.ledger import Transfer

if TYPE_CHECKING:
    from model.contracting import SettlementBatch
    from model.organisations import Commissioner, Organisation
    from model.regimes.base import ContractBasis, PaymentRegime, YearEnd
    from model.scenario import TenderSpec


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
        for name in _FLOWS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in _LEVELS:
            setattr(self, name, getattr(other, name))


_LEVELS = ("registered_patients", "quality_achievement")  # an Activity's stocks and levels
_FLOWS = tuple(f.name for f in fields(Activity) if f.name not in _LEVELS)


@dataclass
class Tendered:
    """What a contract won in a tender carries: the tender's terms and the winner's reserves at the start
    (it carries losses on the contract while they last, then hands it back), and whether the winner has
    asked for a top-up and what was granted. It stays with the services when the contract is let again
    (a regime switch, a budget handed to a lead provider), so the winner asks once and keeps a top-up."""

    spec: TenderSpec
    start_reserves: float  # pounds
    top_up_asked: bool = False
    top_up: float = 0.0  # pounds a year granted, at the tariff index ``top_up_tariff``
    top_up_tariff: float = 1.0


@dataclass(frozen=True)
class PaymentRecord:
    """One month's activity under a contract, or one settlement, and the payments it made: the audit
    trail a contract keeps while the place's ledger keeps its journal (see :mod:`model.audit`).

    ``activity``: the month's activity (for a settlement: the contract year's); ``months``: months of
    the contract year run, this one included; ``terms``: a copy of the terms in force; ``transfers``:
    the payments the regime made, booked in the ledger unless ``moved_money`` is False (a lead
    provider's own services); for a settlement, ``year_end`` is what the regime read and ``batch`` the
    settlements taken together with it.
    """

    step: int
    kind: str  # "month" or "settlement"
    activity: Activity
    months: int
    terms: dict[str, Any]
    transfers: tuple[Transfer, ...]
    moved_money: bool
    year_end: YearEnd | None = None
    batch: SettlementBatch | None = field(default=None, repr=False, compare=False)


def copy_terms(terms: dict[str, Any]) -> dict[str, Any]:
    """A copy of a contract's terms that later changes to them do not reach (their mappings copied too)."""
    return {k: dict(v) if isinstance(v, dict) else v for k, v in terms.items()}


@dataclass
class Contract:
    """One contract and what has happened under it this financial year."""

    payer: str
    provider: str
    scope: str  # "acute", "community", "primary_care", "whole_population" or "social_care"
    regime: PaymentRegime
    terms: dict[str, Any]
    start_step: int = 0
    term_years: int = 1
    months_this_year: int = 0
    year_activity: Activity = field(default_factory=Activity)
    paid_this_year_pence: int = 0
    paid_total_pence: int = 0
    active: bool = True
    ended_step: int | None = None  # the month it was closed, if it has been
    basis: ContractBasis | None = None  # what it was let on (prices of its first year), for re-letting
    payer_org: Organisation | None = None  # the organisations behind ``payer`` and ``provider``
    provider_org: Organisation | None = None
    population_of: Commissioner | None = None  # the commissioner whose population it serves
    price_indices: tuple[float, float] = (1.0, 1.0)  # the tariff and GP contract indices when it was let
    tendered: Tendered | None = None  # set for a contract won in a tender
    last_year_activity: Activity | None = None  # the activity of its last settled year (what its parties plan on)
    # its audit trail, kept while the ledger keeps its journal
    records: list[PaymentRecord] = field(default_factory=list, repr=False, compare=False)

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
