"""The double-entry ledger: exact pence, balanced postings, and the conservation check.

The ledger is what lets the model claim that no money appears or vanishes, so
these tests pin down its rules on small, hand-checkable books.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.ledger import (
    AccountType,
    ConservationError,
    Ledger,
    Transfer,
    UnbalancedPosting,
    to_pence,
)

ORGS = ["org:a", "org:b", "org:c"]


def small_books() -> Ledger:
    """A source, a sink and three organisations, all at zero."""
    led = Ledger(keep_journal=True)
    led.open("source:grant", AccountType.SOURCE)
    led.open("sink:care", AccountType.SINK)
    for name in ORGS:
        led.open(name)
    return led


def snapshot(led: Ledger) -> dict[str, int]:
    return {a: led.balance(a) for a in led.accounts()}


# --- transfers ------------------------------------------------------------------------


def test_transfer_moves_exact_pence_between_two_accounts():
    """A transfer takes exactly the amount from the payer and gives it to the payee,
    leaving every other account alone (no rounding, no fees)."""
    led = small_books()
    led.transfer("source:grant", "org:a", 1_000_001, "grant")
    led.transfer("org:a", "org:b", 333_333, "payment")
    led.transfer("org:b", "sink:care", 1, "care")
    assert snapshot(led) == {
        "source:grant": -1_000_001,
        "sink:care": 1,
        "org:a": 1_000_001 - 333_333,
        "org:b": 333_333 - 1,
        "org:c": 0,
    }
    led.check()


def test_transfer_returns_amount_and_journals_it():
    """`transfer` returns the pence moved and, with a journal, records who paid whom."""
    led = small_books()
    led.step = 7
    assert led.transfer("source:grant", "org:a", 250, "grant") == 250
    assert led.journal == [(7, Transfer("source:grant", "org:a", 250, "grant"))]


def test_zero_transfer_is_a_no_op():
    """A zero transfer posts nothing: no balance, flow or journal entry changes."""
    led = small_books()
    assert led.transfer("org:a", "org:b", 0, "nothing") == 0
    assert all(v == 0 for v in snapshot(led).values())
    assert led.journal == []
    assert not led.period_by_kind


def test_negative_transfer_moves_money_back():
    """A negative amount moves money from payee to payer (a refund or clawback)."""
    led = small_books()
    led.transfer("source:grant", "org:a", 500, "grant")
    led.transfer("org:a", "org:b", -120, "clawback")
    assert led.balance("org:a") == 620
    assert led.balance("org:b") == -120
    led.check()


def test_period_flows_record_money_in_and_out_and_reset():
    """Period flows count money in and out per account and per kind, and
    `start_period` forgets them while balances carry over."""
    led = small_books()
    led.transfer("source:grant", "org:a", 900, "grant")
    led.transfer("org:a", "sink:care", 400, "care")
    assert led.period_in["org:a"] == 900
    assert led.period_out["org:a"] == 400
    assert led.period_out["source:grant"] == 900
    assert led.period_by_kind[("org:a", "care")] == -400
    led.start_period(1)
    assert led.step == 1
    assert not led.period_in and not led.period_out and not led.period_by_kind
    assert led.balance("org:a") == 500


def test_apply_posts_every_transfer():
    """`apply` posts a list of transfers as if each were made with `transfer`."""
    led = small_books()
    led.apply([Transfer("source:grant", "org:a", 10, "g"), Transfer("org:a", "org:c", 4, "p")])
    assert (led.balance("org:a"), led.balance("org:c")) == (6, 4)


# --- postings that must be refused ---------------------------------------------------------


def test_unbalanced_posting_raises_and_changes_nothing():
    """Entries that do not sum to zero would create or destroy money, so the
    whole posting is refused and no balance or flow moves."""
    led = small_books()
    led.transfer("source:grant", "org:a", 1_000, "grant")
    before = snapshot(led)
    flows_before = dict(led.period_in), dict(led.period_out), dict(led.period_by_kind)
    with pytest.raises(UnbalancedPosting, match="sum to 1 pence"):
        led.post([("org:a", -500), ("org:b", 501)], "leaky")
    with pytest.raises(UnbalancedPosting):
        led.post([("org:a", -1)], "vanishing")
    assert snapshot(led) == before
    assert (dict(led.period_in), dict(led.period_out), dict(led.period_by_kind)) == flows_before
    led.check()


def test_unbalanced_posting_is_a_value_error():
    """UnbalancedPosting is a ValueError, so callers catching bad values catch it."""
    assert issubclass(UnbalancedPosting, ValueError)


def test_balanced_multi_entry_posting_is_accepted():
    """A posting may have more than two entries as long as they sum to zero."""
    led = small_books()
    led.post([("source:grant", -300), ("org:a", 100), ("org:b", 200)], "split grant")
    assert (led.balance("org:a"), led.balance("org:b")) == (100, 200)
    led.check()


@pytest.mark.parametrize("amount", [1.0, 0.5, "100", Decimal("1"), np.float64(2.0), None, True])
def test_non_integer_amounts_raise_type_error_and_change_nothing(amount):
    """Money is integer pence only: floats, strings, Decimals, NumPy floats or bools are
    refused (even whole-valued ones) before anything is posted."""
    led = small_books()
    led.transfer("source:grant", "org:a", 100, "grant")
    before = snapshot(led)
    with pytest.raises(TypeError, match="integer pence"):
        led.post([("org:a", -1), ("org:b", amount)], "bad amount")
    with pytest.raises(TypeError):
        led.transfer("org:a", "org:b", amount, "bad amount")
    assert snapshot(led) == before


def test_unknown_account_raises_key_error_and_changes_nothing():
    """Paying into an account that was never opened is refused, not silently created."""
    led = small_books()
    led.transfer("source:grant", "org:a", 100, "grant")
    before = snapshot(led)
    with pytest.raises(KeyError, match="org:nowhere"):
        led.transfer("org:a", "org:nowhere", 50, "lost")
    with pytest.raises(KeyError):
        led.balance("org:nowhere")
    assert snapshot(led) == before
    assert "org:nowhere" not in led.accounts()


def test_opening_an_account_twice_raises():
    """Re-opening an account would silently reset its balance, so it is refused."""
    led = small_books()
    with pytest.raises(ValueError, match="already open"):
        led.open("org:a")


# --- opening balances --------------------------------------------------------------------


def test_opening_balances_are_funded_from_a_source():
    """An opening balance is money entering the place, so it comes from the
    `source:opening_balances` account and the books balance from the start."""
    led = Ledger()
    led.open("org:a", balance_pence=12_345)
    led.open("org:b", balance_pence=655)
    led.open("org:c")
    assert led.balance("org:a") == 12_345
    assert led.balance("source:opening_balances") == -13_000
    assert "source:opening_balances" in led.accounts(AccountType.SOURCE)
    assert led.totals() == {"organisations": 13_000, "inflows": 13_000, "spending": 0}
    led.check()


def test_accounts_can_be_listed_by_type():
    """`accounts(kind)` lists only the accounts of that type, in opening order."""
    led = small_books()
    assert led.accounts(AccountType.ORGANISATION) == ORGS
    assert led.accounts(AccountType.SOURCE) == ["source:grant"]
    assert led.accounts(AccountType.SINK) == ["sink:care"]


# --- the conservation check ------------------------------------------------------------


ACCOUNTS = ["source:grant", "source:other", "sink:care", *ORGS]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(ACCOUNTS),
            st.sampled_from(ACCOUNTS),
            st.integers(min_value=-10**12, max_value=10**12),
        ),
        max_size=60,
    )
)
def test_check_passes_after_many_random_transfers(moves):
    """Any sequence of transfers between any accounts keeps the invariant
    organisations == inflows - spending, and the totals equal the sums of the
    balances by account type."""
    led = Ledger()
    led.open("source:grant", AccountType.SOURCE)
    led.open("source:other", AccountType.SOURCE)
    led.open("sink:care", AccountType.SINK)
    for name in ORGS:
        led.open(name, balance_pence=1_000)
    for payer, payee, pence in moves:
        led.transfer(payer, payee, pence, "random")
        led.check()
    t = led.totals()
    assert t["organisations"] == sum(led.balance(a) for a in ORGS)
    assert t["inflows"] == -sum(led.balance(a) for a in led.accounts(AccountType.SOURCE))
    assert t["spending"] == led.balance("sink:care")
    assert t["organisations"] == t["inflows"] - t["spending"]
    assert sum(led.balance(a) for a in led.accounts()) == 0


@pytest.mark.parametrize("account", ["org:b", "source:grant", "sink:care"])
@pytest.mark.parametrize("delta", [1, -1])
def test_check_raises_when_a_balance_is_tampered_with(account, delta):
    """Changing one balance without a posting (money from nowhere) is caught by
    `check()` as a ConservationError, whichever account it touches."""
    led = small_books()
    led.transfer("source:grant", "org:a", 10_000, "grant")
    led.transfer("org:a", "org:b", 2_500, "payment")
    led.transfer("org:b", "sink:care", 1_000, "care")
    led.check()
    led._balances[account] += delta
    with pytest.raises(ConservationError, match="do not balance"):
        led.check()


def test_conservation_error_is_an_assertion_error():
    """ConservationError is an AssertionError: a broken invariant, not bad input."""
    assert issubclass(ConservationError, AssertionError)


# --- rounding pounds to pence ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("pounds", "pence"),
    [
        (0.0, 0),
        (1.0, 100),
        (12.34, 1234),
        (-12.34, -1234),
        (0.004, 0),  # 0.4p rounds down
        (0.006, 1),  # 0.6p rounds up
        (-0.004, 0),  # -0.4p rounds towards zero, not to -1
        (-0.006, -1),
        (1_234_567.891, 123_456_789),
        (-1_234_567.891, -123_456_789),
    ],
)
def test_to_pence_rounds_to_nearest_penny(pounds, pence):
    """Pounds become the nearest whole penny, for positive and negative amounts."""
    assert to_pence(pounds) == pence


@pytest.mark.parametrize(
    ("pounds", "pence"),
    [
        # these are exact in binary, so pounds * 100 is exactly x.5
        (0.125, 13),  # 12.5p -> 13p
        (0.375, 38),  # 37.5p -> 38p
        (0.625, 63),  # 62.5p -> 63p (not 62, as banker's rounding would give)
        (-0.125, -13),  # -12.5p -> -13p: away from zero, not towards +inf
        (-0.375, -38),
        (-0.625, -63),
        (0.005, 1),  # 0.005 * 100 == 0.5 in floating point
        (-0.005, -1),
    ],
)
def test_to_pence_rounds_half_pennies_away_from_zero(pounds, pence):
    """Half pennies round away from zero symmetrically, so refunds round like
    payments (x and -x give opposite pence)."""
    assert to_pence(pounds) == pence
    assert to_pence(-pounds) == -pence


@pytest.mark.parametrize("pounds", [1.5, np.float64(1.5), np.float32(1.5), -0.001])
def test_to_pence_returns_a_python_int(pounds):
    """to_pence gives a plain int (also from NumPy floats), so its result can be
    posted: the ledger refuses anything that is not an int."""
    result = to_pence(pounds)
    assert type(result) is int
    led = small_books()
    led.transfer("source:grant", "org:a", result, "grant")
    led.check()
