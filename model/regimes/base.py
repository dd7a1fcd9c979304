"""The one interface every payment regime implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from model.contracts import Activity
from model.ledger import Transfer, to_pence

if TYPE_CHECKING:
    from model.contracts import Contract


@dataclass(frozen=True)
class ContractBasis:
    """What a new contract is priced from: the expected year and the prices in force."""

    expected: Activity  # a year's expected activity for the payer's population
    prices: dict[str, float]  # tariff prices, pounds (deflated to the current year)
    annual_value: float  # the expected year's value at those prices, pounds
    per_patient: float = 0.0  # capitation a year per registered patient, pounds
    quality_per_patient: float = 0.0  # most quality pay a year per patient, pounds
    marginal_rate: float = 1.0  # share of tariff above the emergency baseline


@dataclass(frozen=True)
class Parameter:
    """A term of a regime that a scenario may set (under ``[contracting.terms]``)."""

    default: float
    description: str
    low: float = 0.0  # allowed range, inclusive
    high: float = 1.0


@dataclass(frozen=True)
class YearEnd:
    """What a regime may read when it settles a contract's year.

    ``shadow_value``: the year's activity under the contract priced at the
    contract's full prices (no marginal rate, nothing withheld), pounds.
    ``outcomes``: the payer population's outcomes over the year, by name
    (see ``OUTCOMES``). ``results``: each organisation's surplus (+) or
    deficit (-) for the year before any settlement, pounds, by account.
    """

    shadow_value: float = 0.0
    outcomes: Mapping[str, float] = field(default_factory=dict)
    results: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Outlook:
    """What an organisation expects of a contract's year, when it asks a regime what one more unit earns.

    ``activity``: the year's activity under the contract it expects (a full year).
    ``outcomes``: the payer population's outcomes it expects for the year (see ``OUTCOMES``).
    ``people``: the payer population, for turning a unit into a rate per 1,000.
    """

    activity: Activity
    outcomes: Mapping[str, float] = field(default_factory=dict)
    people: int = 0


# the units of activity a regime prices at the margin
UNITS = {
    "elective_spell": "one more elective spell",
    "emergency_spell": "one more emergency admission (a first admission, not a readmission)",
    "emergency_readmission": "one more emergency readmission within a month of a discharge",
    "ae_attendance": "one more A&E attendance",
    "outpatient_attendance": "one more outpatient attendance",
}

# the outcome each unit moves, and by how much per unit and per 1,000 of the payer population
UNIT_OUTCOMES = {"emergency_spell": "emergency_admissions_per_1000", "emergency_readmission": "emergency_admissions_per_1000"}

# the tariff price each unit is valued at (a readmission is an emergency spell)
PRICE_OF = {"elective_spell": "elective_spell", "emergency_spell": "emergency_spell",
            "emergency_readmission": "emergency_spell", "ae_attendance": "ae_attendance",
            "outpatient_attendance": "outpatient_attendance"}


def shadow_value(prices: Mapping[str, float], a: Activity) -> float:
    """A year's activity at full tariff prices: no marginal rate, nothing withheld."""
    return (prices["elective_spell"] * a.elective_spells + prices["emergency_spell"] * a.emergency_spells
            + prices["ae_attendance"] * a.ae_attendances + prices["outpatient_attendance"] * a.outpatient_attendances)


# outcomes a regime may set targets on; lower is better for each
OUTCOMES = {
    "emergency_admissions_per_1000": "emergency admissions a year per 1,000 of the payer's population",
    "delayed_transfer_days_per_1000": "delayed transfer days a year per 1,000 of the payer's population",
    "waiting_over_18_weeks_share": "share of the payer's waiting list waiting over 18 weeks at year end",
    "unmet_social_care_need_per_1000": "people with unmet social care need per 1,000 of the payer's population at year end",
}


class PaymentRegime(ABC):
    """Turns a contract's activity into payments (monthly) and a settlement (year end).

    A regime holds no state: everything it needs is in the contract's terms and
    its year-to-date activity and payments, so one instance serves every contract.
    """

    name: ClassVar[str]
    description: ClassVar[str]
    scopes: ClassVar[frozenset[str]]  # the scopes of service it can pay for
    parameters: ClassVar[Mapping[str, Parameter]] = {}  # terms a scenario may set, with defaults

    @abstractmethod
    def terms(self, basis: ContractBasis, options: Mapping[str, float] | None = None) -> dict[str, Any]:
        """The contract terms this regime would agree from a basis (``options``: scenario-set parameters)."""

    def option(self, options: Mapping[str, float] | None, name: str) -> float:
        """A parameter's value from the scenario's options, or its default."""
        return float(options[name]) if options and name in options else self.parameters[name].default

    @abstractmethod
    def monthly(self, contract: Contract, activity: Activity) -> list[Transfer]:
        """Payments due for this month (``contract.year_activity`` already includes it)."""

    def due_to_date(self, contract: Contract) -> float | None:
        """For regimes that pay the year's value to date in instalments: that value, pounds.

        None for regimes that pay otherwise (capitation pays on each month's list).
        Wrappers (an outcome withhold) build on it.
        """
        return None

    def settle_year(self, contract: Contract, year: YearEnd) -> list[Transfer]:
        """Year-end settlement; none unless the regime says otherwise."""
        return []

    # --- prices at the margin: what the regime tells the parties before they decide -------------
    def marginal(self, contract: Contract, unit: str, outlook: Outlook) -> float:
        """Pounds the payer pays the provider, over the year and its settlement, for one more ``unit``
        (see ``UNITS``) in a year the parties expect to look like ``outlook``; negative: the provider
        pays. From the contract's terms alone. Default: nothing (the pay does not follow activity)."""
        return 0.0

    def year_value(self, contract: Contract, activity: Activity) -> float:
        """What a full year of ``activity`` is worth under the contract before any settlement, pounds
        (regimes that pay otherwise than in instalments of a year's value: 0)."""
        return 0.0

    def cost_share(self, contract: Contract) -> float:
        """The share of each extra pound of the provider's own costs that the payer bears through the
        year's settlement (a risk share). Default: none."""
        return 0.0

    @staticmethod
    def pay(contract: Contract, pounds_due_to_date: float, kind: str) -> list[Transfer]:
        """Pay what is due to date less what has already been paid this year."""
        due = to_pence(pounds_due_to_date) - contract.paid_this_year_pence
        if due == 0:
            return []
        return [Transfer(contract.payer, contract.provider, due, kind)]

    @staticmethod
    def settle(contract: Contract, pounds: float, kind: str) -> list[Transfer]:
        """A settlement of ``pounds`` from payer to provider: positive is paid by the payer,
        negative is paid back by the provider (a positive transfer the other way), zero is none."""
        pence = to_pence(pounds)
        if pence > 0:
            return [Transfer(contract.payer, contract.provider, pence, kind)]
        if pence < 0:
            return [Transfer(contract.provider, contract.payer, -pence, kind)]
        return []
