"""What the model reports each month (MODEL.md section 8), through Mesa's DataCollector.

The place's figures are computed once a month into ``model.report`` and
collected as scalars; each organisation's figures are its attributes.
Reporters are module-level functions (not lambdas) so a model can be pickled
into a worker process.
"""

from __future__ import annotations

import copy
import functools
from functools import partial
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np
import pandas as pd

from model.delivery import LONG_WAIT_BIN, OLDER_AGE
from model.governance import mean_trust
from model.ledger import AccountType
from model.population import MONTH_DAYS

if TYPE_CHECKING:
    from model.economy import LocalHealthEconomy

PLACE_COLUMNS = [
    "month", "year", "population", "deaths", "births",
    # money (pounds)
    "nhs_allocation", "council_grants", "inflows", "spending", "place_surplus",
    "place_balance", "place_balance_own", "cumulative_inflows", "cumulative_spending", "spending_to_inflows",
    "balance_commissioner", "balance_council", "balance_hospital", "balance_gp_federation",
    "balance_prime_contractor", "contracts_ended", "in_special_measures", "sanctions_paid", "organisations_failed",
    "in_failure_regime", "national_support",
    # activity
    "gp_contacts", "gp_contacts_unmet", "ae_attendances", "emergency_admissions",
    "emergency_admissions_per_1000", "emergency_readmissions", "emergency_admissions_2plus_ltc",
    "emergency_admissions_2plus_ltc_per_1000", "elective_admissions", "outpatient_attendances",
    "waiting_list", "waiting_over_18_weeks", "beds", "bed_days", "bed_occupancy",
    "emergency_bed_days", "emergency_admissions_65plus", "emergency_bed_days_65plus",
    "emergency_bed_days_65plus_per_1000", "population_65plus",
    "delayed_transfer_days", "delayed_transfers", "care_needed_on_discharge", "assessed_on_discharge",
    # population health and social care
    "ltc_2plus_share", "mean_frailty", "social_care_need", "social_care_packages",
    "unmet_social_care_need", "area_gap_emergency_per_1000",
    # the commons
    "share_collaborative", "mean_trust", "spread_of_results",
    # net health (model/health.py): QALYs this month, what the services' gaps cost, what spending
    # outside the model bought, what community services changed since the start give beyond the admissions
    # they avoid, the net monetary benefit; and the totals since the start; the net health benefit (the place's
    # money as the health it would buy at the NHS's margin) and its total
    "qalys", "qalys_per_person_year", "qalys_lost_unmet_need", "qalys_lost_delays", "qalys_lost_waits",
    "qalys_lost_admissions", "other_services", "qalys_outside", "qalys_community", "net_monetary_benefit",
    "qalys_cumulative", "qalys_outside_cumulative", "qalys_community_cumulative", "net_monetary_benefit_cumulative",
    "net_health_benefit", "net_health_benefit_cumulative",
]

ORGANISATION_COLUMNS = [
    "name", "kind", "strategy", "income", "spending", "surplus", "reserves", "maturity",
    "beds", "occupancy", "emergency_admissions", "elective_admissions", "ae_attendances",
    "waiting_list", "delayed_days", "list_size", "contacts_unmet", "packages", "packages_in_use",
    "p_collaborative", "payoff", "in_special_measures", "national_support", "harm", "harm_line", "defected",
]


def _place_metric(name: str, model: LocalHealthEconomy) -> float:
    return model.report[name]


def _org_attr(name: str, agent: Any) -> Any:
    return getattr(agent, name, None)


class _DataCollector(mesa.DataCollector):
    """Mesa's DataCollector, recording what Mesa 3.5 records but for two things. A value that cannot change after
    it is read (None for a figure its kind does not have, a NumPy scalar) is kept as it is, where Mesa deep-copies
    every value that is not a str, int, bool, float or tuple: most cells of the organisations' table are None (a
    council has no beds), and copying them took about a twentieth of a 10,000-person run. Anything mutable is still
    copied. And the place's figures and the organisations' are read from ``model.report`` and as attributes, where
    Mesa calls a reporter for each."""

    def _record_agents(self, model):
        reporters = tuple(self.agent_reporters.values())
        names = _attribute_names(reporters)
        if names is not None:  # the organisations' own figures: read as attributes, without a call each
            def read(agent):
                return [getattr(agent, name, None) for name in names]
        else:
            def read(agent):
                return [rep(agent) for rep in reporters]
        return ((agent.model.time, agent.unique_id, *_kept_or_copied(read(agent))) for agent in model.agents)

    def collect(self, model):
        """As Mesa's, but the place's figures, when every model reporter reads one from ``model.report``, are
        taken from it directly, each kept as it is when it cannot change (else a copy, as Mesa keeps it)."""
        keys = _report_keys(tuple(self.model_reporters.values()))
        if keys is None or not self._validated or self.agenttype_reporters:
            super().collect(model)  # Mesa's own path (and the first month, where it validates its reporters)
            return
        if hasattr(self, "_collection_steps"):
            self._collection_steps.append(model.time)
        values = _kept_or_copied([model.report[key] for key in keys])
        for var, v in zip(self.model_reporters, values, strict=True):
            self.model_vars[var].append(v)
        if self.agent_reporters:
            self._agent_records[model.time] = list(self._record_agents(model))


_KEPT = (str, int, bool, float, tuple, type(None), np.generic)  # values that cannot change once read
_EXACT = frozenset({str, int, bool, float, tuple, type(None), np.float64, np.int64, np.bool_})  # the same, checked first: faster


def _kept_or_copied(values: list) -> list:
    """Each value kept as it is when it cannot change after it is read, else a deep copy (as Mesa keeps every value)."""
    return [v if type(v) in _EXACT or isinstance(v, _KEPT) else copy.deepcopy(v) for v in values]


def _read_by(func, reporters: tuple) -> tuple[str, ...] | None:
    """The name each reporter passes to ``func``, when every one is ``partial(func, name)`` (else None)."""
    if all(isinstance(r, partial) and r.func is func and not r.keywords and len(r.args) == 1 for r in reporters):
        return tuple(r.args[0] for r in reporters)
    return None


@functools.lru_cache(maxsize=8)
def _attribute_names(reporters: tuple) -> tuple[str, ...] | None:
    """The attribute each reporter reads, when every one is ``_org_attr`` (else None)."""
    return _read_by(_org_attr, reporters)


@functools.lru_cache(maxsize=8)
def _report_keys(reporters: tuple) -> tuple[str, ...] | None:
    """The figure of ``model.report`` each reporter reads, when every one is ``_place_metric`` (else None)."""
    return _read_by(_place_metric, reporters)


def make_datacollector() -> mesa.DataCollector:
    return _DataCollector(
        model_reporters={c: partial(_place_metric, c) for c in PLACE_COLUMNS},
        agent_reporters={c: partial(_org_attr, c) for c in ORGANISATION_COLUMNS},
    )


def place_report(model: LocalHealthEconomy, demand: Any, activity: dict[str, Any]) -> dict[str, float]:
    pop = model.population
    led = model.ledger
    n = pop.size
    per_1000_year = 12_000 / max(n, 1)
    adm = demand.admitted
    flows_in = sum(led.period_in[a] for a in led.accounts(AccountType.SINK)) / 100
    inflow_accounts = led.accounts(AccountType.SOURCE)
    inflows = sum(led.period_out[a] for a in inflow_accounts) / 100
    totals = led.totals()
    by_kind = {k: 0.0 for k in ("commissioner", "council", "hospital", "gp_federation", "prime_contractor")}
    for o in model.organisations:
        by_kind[o.kind] += o.reserves
    margins = [o.surplus / o.income for o in model.organisations if o.income > 0]
    need, packages, unmet = pop.social_care_counts()
    residents = pop.living_by("council", len(model.councils))
    adm_by_council = np.bincount(pop.council[adm], minlength=len(model.councils)) * 12_000 / np.maximum(residents, 1)
    adm_multi = int((pop.ltc[adm] >= 2).sum())
    multi = pop.living_multimorbid()
    beds = sum(h.beds for h in model.hospitals)  # at the month's end (a year end's decision may have changed them)
    room = sum(h.beds_in_month for h in model.hospitals) * MONTH_DAYS  # the beds the month's bed days were spent in
    bed_days = sum(h.bed_days for h in model.hospitals)
    older = pop.living_aged_at_least(OLDER_AGE)
    older_bed_days = model.delivery.older_bed_days
    place_balance = totals["organisations"] / 100
    # the place's own money: its balance less the national support its organisations drew so far from outside it
    # (distress finance, write-offs), which would otherwise rank higher a place where more of them fail
    own_balance = place_balance - model.regulator.national_support
    return {
        "month": model.month,
        "year": (model.month - 1) // 12,
        "population": n,
        "deaths": model.month_counts["deaths"],
        "births": model.month_counts["births"],
        "nhs_allocation": led.period_out["source:nhs_allocation"] / 100,
        "council_grants": led.period_out["source:council_grants"] / 100,
        "inflows": inflows,
        "spending": flows_in,
        "place_surplus": inflows - flows_in,
        "place_balance": place_balance,
        "place_balance_own": own_balance,
        "cumulative_inflows": totals["inflows"] / 100,
        "cumulative_spending": totals["spending"] / 100,
        "spending_to_inflows": flows_in / inflows if inflows else 0.0,
        **{f"balance_{k}": v for k, v in by_kind.items()},
        "contracts_ended": len(model.events_of("contract_ended")),
        "in_special_measures": sum(o.in_special_measures for o in model.organisations),
        "sanctions_paid": model.sanctions_paid,
        "organisations_failed": len(model.events_of("failed")) + len(model.events_of("administration")),
        "in_failure_regime": sum(o.in_failure_regime for o in model.organisations),
        "national_support": model.regulator.national_support,
        "gp_contacts": float(demand.gp_demand.sum() - demand.gp_unmet.sum()),
        "gp_contacts_unmet": float(demand.gp_unmet.sum()),
        "ae_attendances": int(activity["ae"].sum()),
        "emergency_admissions": int(adm.size),
        "emergency_admissions_per_1000": adm.size * per_1000_year,
        "emergency_readmissions": int(activity["readmissions"].sum()),
        "emergency_admissions_2plus_ltc": adm_multi,
        "emergency_admissions_2plus_ltc_per_1000": adm_multi * 12_000 / max(multi, 1),
        "elective_admissions": int(activity["electives"].sum()),
        "outpatient_attendances": int(activity["outpatients"].sum()),
        "waiting_list": int(model.delivery.waiting.sum()),
        "waiting_over_18_weeks": int(model.delivery.waiting[:, :, LONG_WAIT_BIN:].sum()),
        "beds": beds,
        "bed_days": bed_days,
        "bed_occupancy": bed_days / room if room else 0.0,
        # emergency stays and the delayed days in the month's beds (bed_days adds the elective inpatients')
        "emergency_bed_days": float(activity["emergency_bed_days"].sum() + activity["delayed_days"].sum()),
        "emergency_admissions_65plus": model.delivery.older_admissions,
        "emergency_bed_days_65plus": older_bed_days,
        "emergency_bed_days_65plus_per_1000": older_bed_days * 12_000 / max(older, 1),
        "population_65plus": older,
        "delayed_transfer_days": float(activity["delayed_days"].sum()),
        "delayed_transfers": int(np.count_nonzero(pop.delayed)),
        "care_needed_on_discharge": model.delivery.care_needed_on_discharge,
        "assessed_on_discharge": model.delivery.assessed_on_discharge,
        "ltc_2plus_share": multi / max(n, 1),
        "mean_frailty": pop.mean_frailty(),
        "social_care_need": need,
        "social_care_packages": packages,
        "unmet_social_care_need": unmet,
        "area_gap_emergency_per_1000": float(adm_by_council.max() - adm_by_council.min()),
        "share_collaborative": sum(o.strategy == "collaborative" for o in model.organisations) / len(model.organisations),
        "mean_trust": mean_trust(model),
        "spread_of_results": float(np.std(margins)) if margins else 0.0,
        # net monetary benefit counts the place's own money: not the national support a failing provider draws
        # from outside it (counting it would reward failure)
        **model.net_health.report(inflows - flows_in - led.period_out["source:national_support"] / 100, own_balance,
                                  sum(led.balance(c.account) / 100 - c.national_support for c in model.councils)),
    }


def place_table(model: LocalHealthEconomy) -> pd.DataFrame:
    """One row per month."""
    df = model.datacollector.get_model_vars_dataframe()
    return df.reset_index(drop=True)


def organisation_table(model: LocalHealthEconomy) -> pd.DataFrame:
    """One row per organisation per month."""
    df = model.datacollector.get_agent_vars_dataframe().reset_index()
    df = df.rename(columns={"Step": "step", "AgentID": "agent_id"})
    months = model.datacollector.get_model_vars_dataframe()["month"].to_numpy()
    df["month"] = months[df["step"].astype(int).to_numpy() - int(df["step"].min())] if len(df) else []
    return df[["month", *ORGANISATION_COLUMNS]]


def support_drawn(orgs: pd.DataFrame) -> pd.Series:
    """The national support each organisation drew in each month of an organisation table (its
    ``national_support`` column runs from the start): financing from outside the place, which the table's
    ``income`` and ``surplus`` hold as cash and the organisations' results leave out (model.organisations)."""
    return orgs.groupby("name")["national_support"].diff().fillna(orgs["national_support"])


def yearly_figures(model: LocalHealthEconomy) -> dict[str, np.ndarray]:
    """A run's figures by completed financial year: each kind's result (pounds, its organisations
    summed: ``commissioner``, ``council``, ``hospital``, ``gp_federation``), the ``place``'s result
    (every organisation's), the year's ``emergency_admissions`` and ``delayed_transfer_days``, and
    its net health: the population's ``qalys``, the ``qalys_outside`` that spending outside the
    model bought, the ``qalys_community`` that community services changed since the start give beyond the
    admissions they avoid, the ``net_monetary_benefit`` (their QALYs at the threshold plus the place's
    result) and the ``net_health_benefit`` (their QALYs plus the place's result over the NHS's marginal cost of
    a QALY; see model.health). Results leave out the ``national_support`` drawn that year, which is
    financing from outside the place, not income (model.organisations)."""
    years = model.month // 12
    out = {k: np.zeros(years) for k in ("commissioner", "council", "hospital", "gp_federation")}
    for o in model.organisations:
        if o.kind in out:
            out[o.kind] += np.array(o.memory[:years])
    out["place"] = np.sum([o.memory[:years] for o in model.organisations], axis=0)
    table = model.place_table().iloc[: years * 12]
    by_year = table.groupby(np.arange(len(table)) // 12)
    for column in ("emergency_admissions", "delayed_transfer_days", "qalys", "qalys_outside", "qalys_community",
                   "net_monetary_benefit", "net_health_benefit"):
        out[column] = by_year[column].sum().to_numpy()
    # national support drawn each year (the column is cumulative): in neither the place's result nor its NMB
    ends = table["national_support"].to_numpy()[11::12]
    out["national_support"] = np.diff(np.concatenate([[0.0], ends]))
    return out
