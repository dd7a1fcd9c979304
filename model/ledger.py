"""Double-entry accounts in integer pence.

Every movement of money is a posting whose entries sum to zero: what leaves one
account enters another. The only ways money enters the place are postings from
a *source* account (the NHS allocation, council grants); the only way it leaves
is a posting into a *sink* account (spending on care: staff, beds, packages).
So at every moment

    sum of organisations' balances == inflows from sources - spending into sinks

which :meth:`Ledger.check` verifies (MODEL.md section 7).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum


class UnbalancedPosting(ValueError):
    """A posting whose entries do not sum to zero."""


class ConservationError(AssertionError):
    """The books do not balance: money appeared or vanished."""


class AccountType(Enum):
    ORGANISATION = "organisation"
    SOURCE = "source"  # money entering the place (allocations, grants)
    SINK = "sink"  # money leaving the place as spending on care


@dataclass(frozen=True, slots=True)
class Transfer:
    """A payment from one account to another, in pence, with what it is for."""

    payer: str
    payee: str
    pence: int
    kind: str


def to_pence(pounds: float) -> int:
    """Round an amount in pounds to whole pence (half away from zero)."""
    p = pounds * 100.0
    return int(p + 0.5) if p >= 0 else -int(-p + 0.5)


class Ledger:
    """Balances in integer pence, changed only by balanced postings."""

    def __init__(self, keep_journal: bool = False) -> None:
        self._balances: dict[str, int] = {}
        self._types: dict[str, AccountType] = {}
        self.keep_journal = keep_journal
        self.journal: list[tuple[int, Transfer]] = []
        self.step = 0
        # flows this period, keyed (account, kind): + money in, - money out
        self.period_in: defaultdict[str, int] = defaultdict(int)
        self.period_out: defaultdict[str, int] = defaultdict(int)
        self.period_by_kind: defaultdict[tuple[str, str], int] = defaultdict(int)

    # accounts -----------------------------------------------------------------
    def open(self, name: str, kind: AccountType = AccountType.ORGANISATION, balance_pence: int = 0) -> None:
        """Open an account. An opening organisation balance is funded from the
        ``source:opening_balances`` account, so the books balance from the start."""
        if name in self._balances:
            raise ValueError(f"account {name!r} already open")
        self._balances[name] = 0
        self._types[name] = kind
        if balance_pence:
            if "source:opening_balances" not in self._balances:
                self.open("source:opening_balances", AccountType.SOURCE)
            self.transfer("source:opening_balances", name, balance_pence, "opening_balance")

    def balance(self, name: str) -> int:
        return self._balances[name]

    def accounts(self, kind: AccountType | None = None) -> list[str]:
        return [a for a, t in self._types.items() if kind is None or t is kind]

    # postings -----------------------------------------------------------------
    def post(self, entries: Sequence[tuple[str, int]], kind: str) -> None:
        """Apply entries (account, signed pence); they must sum to exactly zero."""
        balances = self._balances
        total = 0
        for account, pence in entries:
            if account not in balances:
                raise KeyError(f"no account {account!r}")
            if not isinstance(pence, int) or isinstance(pence, bool):
                raise TypeError(f"amounts are integer pence, got {pence!r} for {account!r}")
            total += pence
        if total != 0:
            raise UnbalancedPosting(f"posting {kind!r} does not balance: entries sum to {total} pence")
        period_in, period_out, by_kind = self.period_in, self.period_out, self.period_by_kind
        for account, pence in entries:
            balances[account] += pence
            if pence > 0:
                period_in[account] += pence
            else:
                period_out[account] -= pence
            by_kind[(account, kind)] += pence

    def transfer(self, payer: str, payee: str, pence: int, kind: str) -> int:
        """Move ``pence`` from payer to payee; a negative amount moves it back."""
        if pence == 0:
            return 0
        self.post(((payer, -pence), (payee, pence)), kind)
        if self.keep_journal:
            self.journal.append((self.step, Transfer(payer, payee, pence, kind)))
        return pence

    def apply(self, transfers: list[Transfer]) -> None:
        for t in transfers:
            self.transfer(t.payer, t.payee, t.pence, t.kind)

    def start_period(self, step: int) -> None:
        """Forget this period's flows (balances carry over)."""
        self.step = step
        self.period_in.clear()
        self.period_out.clear()
        self.period_by_kind.clear()

    # the invariant ------------------------------------------------------------
    def totals(self) -> dict[str, int]:
        by_type = {t: 0 for t in AccountType}
        for a, b in self._balances.items():
            by_type[self._types[a]] += b
        return {
            "organisations": by_type[AccountType.ORGANISATION],
            "inflows": -by_type[AccountType.SOURCE],
            "spending": by_type[AccountType.SINK],
        }

    def check(self) -> None:
        """Raise :class:`ConservationError` unless every penny is accounted for."""
        t = self.totals()
        if sum(self._balances.values()) != 0 or t["organisations"] != t["inflows"] - t["spending"]:
            raise ConservationError(
                f"books do not balance: organisations hold {t['organisations']} pence, "
                f"inflows {t['inflows']} minus spending {t['spending']} = "
                f"{t['inflows'] - t['spending']}"
            )
