"""The one interface every payment regime implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from model.ledger import Transfer, to_pence

if TYPE_CHECKING:
    from model.contracts import Activity, Contract


@dataclass(frozen=True)
class ContractBasis:
    """What a new contract is priced from: the expected year and the prices in force."""

    expected: Activity  # a year's expected activity for the payer's population
    prices: dict[str, float]  # tariff prices, pounds (deflated to the current year)
    annual_value: float  # the expected year's value at those prices, pounds
    per_patient: float = 0.0  # capitation a year per registered patient, pounds
    quality_per_patient: float = 0.0  # most quality pay a year per patient, pounds
    marginal_rate: float = 1.0  # share of tariff above the emergency baseline


class PaymentRegime(ABC):
    """Turns a contract's activity into payments (monthly) and a settlement (year end).

    A regime holds no state: everything it needs is in the contract's terms and
    its year-to-date activity and payments, so one instance serves every contract.
    """

    name: ClassVar[str]
    description: ClassVar[str]
    scopes: ClassVar[frozenset[str]]  # the scopes of service it can pay for
    rewards_activity: ClassVar[bool]  # does the provider earn more by doing more?

    @abstractmethod
    def terms(self, basis: ContractBasis) -> dict[str, Any]:
        """The contract terms this regime would agree from a basis."""

    @abstractmethod
    def monthly(self, contract: Contract, activity: Activity) -> list[Transfer]:
        """Payments due for this month (``contract.year_activity`` already includes it)."""

    def settle_year(self, contract: Contract) -> list[Transfer]:
        """Year-end settlement; none unless the regime says otherwise."""
        return []

    @staticmethod
    def pay(contract: Contract, pounds_due_to_date: float, kind: str) -> list[Transfer]:
        """Pay what is due to date less what has already been paid this year."""
        due = to_pence(pounds_due_to_date) - contract.paid_this_year_pence
        if due == 0:
            return []
        return [Transfer(contract.payer, contract.provider, due, kind)]
