"""Scenario files: TOML data, validated once at the edge.

A scenario file is data, never code. Every real-world figure is written as
``{ value = ..., source = "..." }`` so that the number and where it comes from
travel together; a bare number is accepted for figures that are not about the
real world (names, switches, run length). ``extends = "baseline"`` starts from
another scenario and overrides it field by field.

Bad input raises :class:`ScenarioError`, which names the file, the field's path,
the value given and what is allowed.
"""

from __future__ import annotations

import copy
import hashlib
import json
import tomllib
import typing
import unicodedata
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

SCENARIO_DIRS = [
    Path(__file__).resolve().parent.parent / "scenarios",  # a checkout
    Path(__file__).resolve().parent / "_scenarios",  # an installed wheel
]
DEFAULT_SCENARIO = "baseline"

Strategy = Literal["fortress", "collaborative"]
Share = Annotated[float, Field(ge=0.0, le=1.0)]
Rate = Annotated[float, Field(ge=0.0)]
Growth = Annotated[float, Field(ge=-0.5, le=0.5)]
# a rate ratio scales a group's risk against the rest: positive, or the place's rates could not be
# calibrated (a whole population at ratio 0 has no risk to scale up to the scenario's rates)
RateRatio = Annotated[float, Field(ge=0.1, le=20)]
OrganisationKind = Literal["commissioner", "council", "hospital", "gp_federation", "prime_contractor"]
NAME_LENGTH = 100
MAX_STEPS = 1200  # a hundred years of months


def _printable(text: str, keep: str = "") -> str:
    """Refuse control and formatting characters (NUL, newline, right-to-left marks): a name
    appears in tables, file names, charts and messages, where they hide or garble it."""
    bad = sorted({c for c in text if unicodedata.category(c).startswith("C") and c not in keep})
    if bad:
        shown = ", ".join(f"U+{ord(c):04X}" for c in bad)
        raise ValueError(f"printable text is allowed, without control characters (found {shown})")
    return text


def _name(text: str) -> str:
    if not text.strip():
        raise ValueError("a name with at least one visible character is allowed")
    return _printable(text)


# the name of the place or of an organisation
Name = Annotated[str, Field(min_length=1, max_length=NAME_LENGTH), AfterValidator(_name)]
Text = Annotated[str, Field(max_length=2000), AfterValidator(lambda t: _printable(t, keep="\n\t"))]


class FieldError(ValueError):
    """Raised inside a validator to name the offending field (relative to the section) and its value."""

    def __init__(self, field: str, value: Any, message: str) -> None:
        super().__init__(message)
        self.field, self.value = field, value


class ScenarioError(ValueError):
    """A scenario that cannot be used, said in terms of the file (or option), the field, the value and what is allowed."""

    def __init__(self, file: str, field: str, value: Any, allowed: str) -> None:
        self.file, self.field, self.value, self.allowed = file, field, value, allowed
        # a file or scenario name is shown whole (a long temporary path cut short names nothing)
        shown = repr(value) if field in ("(file)", "(name)") and isinstance(value, str) else _show(value)
        super().__init__(f"{file}: {field}: got {shown}; {allowed}")

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuilt from its four parts, so it crosses to and from worker processes intact
        return (type(self), (self.file, self.field, self.value, self.allowed))


def _kind(annotation: Any) -> str | None:
    """'number' for numeric fields (and lists or tables of numbers), 'switch' for booleans."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _kind(typing.get_args(annotation)[0])
    if origin in (list, dict):
        return "number" if _kind(typing.get_args(annotation)[-1]) == "number" else None
    if annotation is bool:
        return "switch"
    if annotation in (int, float):
        return "number"
    return None


def _items(value: Any) -> list[tuple[str, Any]]:
    """A value's numbers with their place in it: ('', x), ('.0', x), ('.cap', x)."""
    if isinstance(value, list):
        return [(f".{i}", v) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return [(f".{k}", v) for k, v in value.items()]
    return [("", value)]


def _not_a_number(value: Any, info: Any) -> str:
    lo, hi = _range(info)
    kind = "a whole number" if _plain(info.annotation) is int else "a number"
    span = f"{kind} from {_number(lo)} to {_number(hi)}" if lo is not None and hi is not None else kind
    if isinstance(value, bool):
        return f"{span} is allowed, not true or false"
    return f"{span} is allowed, written without quotes"


def _range(info: Any) -> tuple[float | None, float | None]:
    """A field's lower and upper bounds, from its own metadata or its items'."""
    lo = hi = None
    metadata = list(getattr(info, "metadata", []))
    annotation = getattr(info, "annotation", None)
    if typing.get_origin(annotation) in (list, dict):
        item = typing.get_args(annotation)[-1]
        if typing.get_origin(item) is Annotated:
            metadata += [m for a in typing.get_args(item)[1:] for m in getattr(a, "metadata", [a])]
    for m in metadata:
        lo = next((getattr(m, k) for k in ("ge", "gt") if getattr(m, k, None) is not None), lo)
        hi = next((getattr(m, k) for k in ("le", "lt") if getattr(m, k, None) is not None), hi)
    return lo, hi


def _show(value: Any) -> str:
    """A value as the user wrote it, short: TOML's true/false, and a table by its size only
    (a whole table may be a file's contents, which a message never repeats)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return f"a table of {len(value)} field{'s' if len(value) != 1 else ''}"
    if isinstance(value, list) and any(isinstance(v, dict) for v in value):
        return f"a list of {len(value)} table{'s' if len(value) != 1 else ''}"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _number(x: float) -> str:
    """A bound as people write it: 20,000,000 and 0.5."""
    if isinstance(x, int) or (float(x).is_integer() and abs(x) < 1e16):
        return f"{int(x):,}"
    return f"{x:g}"


class _Section(BaseModel):
    # numbers are finite: inf and nan are refused with the field's range
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _types_as_written(cls, data: Any) -> Any:
        """A number where a number is meant and true/false where a switch is: pydantic would
        otherwise read ``true`` as 1, ``"5000"`` as 5000 and ``1`` as true."""
        if not isinstance(data, dict):
            return data
        for name, value in data.items():
            info = cls.model_fields.get(name)
            if info is None:
                continue
            want = _kind(info.annotation)
            if want == "number":
                for key, item in _items(value):
                    if isinstance(item, bool | str):
                        raise FieldError(f"{name}{key}", item, _not_a_number(item, info))
            elif want == "switch" and not isinstance(value, bool):
                raise FieldError(name, value, "true or false is allowed")
        return data


# --- the place's people --------------------------------------------------------
class Run(_Section):
    steps: int = Field(120, ge=1, le=MAX_STEPS, description="months to simulate")
    seed: int = Field(1, le=2**63 - 1, ge=0, description="random seed")
    start_year: int = Field(2015, ge=1948, le=2100, description="financial year of step 0 (April)")


class Population(_Section):
    size: int = Field(ge=100, le=20_000_000, description="people registered in the place")
    spare_capacity: Share = Field(0.1, description="room in the arrays for births and new registrations")
    age_band_edges: list[float] = Field(description="edges of age bands, years, ascending, first 0")
    age_band_shares: list[Share] = Field(description="share of people in each band; sums to 1")
    births_per_1000: Rate = Field(le=100, description="live births a year per 1,000 people")
    net_migration_per_1000: Rate = Field(le=50, description="net new adult registrations a year per 1,000")
    migrant_mean_age: float = Field(30.0, ge=16, le=80)

    @model_validator(mode="after")
    def _bands(self) -> Population:
        e, s = self.age_band_edges, self.age_band_shares
        shown = [int(x) if float(x).is_integer() else x for x in e]
        if len(e) != len(s) + 1:
            raise FieldError("age_band_edges", shown, f"age_band_edges needs one more entry than age_band_shares ({len(e)} edges, {len(s)} shares)")
        if e[0] != 0 or any(b <= a for a, b in zip(e, e[1:], strict=False)) or e[-1] > 120:
            raise FieldError("age_band_edges", shown, "age_band_edges must start at 0, rise strictly and end at most at 120")
        try:
            _sums_to_one("age_band_shares", s)
        except ValueError as e:
            raise FieldError("age_band_shares", s, str(e)) from None
        return self


class Health(_Section):
    ltc_mean_at_50: Rate = Field(le=10, description="mean number of long-term conditions at age 50")
    # at least 1: below it the rate of new conditions, the curve's slope, is infinite at age 0
    ltc_age_power: float = Field(2.0, ge=1.0, le=5, description="how the mean number of LTCs grows with age (power)")
    ltc_baseline: Rate = Field(le=5, description="mean number of LTCs at age 0")
    frailty_age_slope: Rate = Field(le=0.1, description="frailty index gained per year of age over 40")
    frailty_per_ltc: Rate = Field(le=1, description="frailty index added per long-term condition")
    frailty_noise: Rate = Field(0.05, le=1, description="spread of frailty between people of one age and LTC count")
    deaths_per_1000: Rate = Field(le=200, description="crude deaths a year per 1,000 people at the start")
    mortality_age_rate: Rate = Field(le=0.3, description="Gompertz rate: log-mortality rise per year of age")
    mortality_frailty_rr: RateRatio = Field(description="mortality rate ratio at frailty 1 against frailty 0")
    emergency_admission_mortality_rr: RateRatio = Field(description="mortality rate ratio in a month with an emergency admission")
    delayed_deconditioning: Rate = Field(le=1, description="frailty index gained per month spent delayed in hospital")
    unmet_need_frailty_gain: Rate = Field(le=1, description="extra frailty index a year while social care need is unmet")
    stay_decline_share: Share = Field(0.0, description=(
        "share of people admitted as an emergency at ``stay_decline_age`` or older who leave with a decline in what "
        "they can do that the stay brought (hospital-associated disability; 0: none)"))
    stay_decline_age: float = Field(70.0, ge=0.0, le=120.0, description="age from which an emergency stay can bring a decline")
    stay_decline_frailty: Rate = Field(0.0, le=0.5, description="frailty index such a decline adds")
    stay_decline_recovery_months: float = Field(6.0, ge=0.25, le=120.0, description=(
        "mean months for such a decline to wear off (it wears off at a constant rate)"))


class Demand(_Section):
    gp_contacts_per_person: Rate = Field(le=50, description="GP contacts a year per person at the start")
    ae_attendances_per_1000: float = Field(ge=1.0, le=3000, description="A&E attendances a year per 1,000 at the start")
    emergency_admissions_per_1000: float = Field(ge=1.0, le=1000, description="emergency admissions a year per 1,000 at the start")
    referrals_per_1000: float = Field(ge=1.0, le=3000, description="GP referrals to outpatients a year per 1,000 at the start")
    waiting_list_per_1000: Rate = Field(le=1000, description="people on the elective waiting list per 1,000 at the start")
    listed_share: float = Field(ge=0.01, le=1.0, description="share of referrals that join the elective waiting list")
    referral_shedding_at_start: Share = Field(description=(
        "extra referrals from GP workload shedding as the place was before the run: its hospital capacity, "
        "contracts and allocation were sized to them, the same under every strategy mix"))
    age_gradient_per_decade: Rate = Field(le=1.5, description="log risk of admission per decade of age")
    ltc_rate_ratios: list[RateRatio] = Field(description=(
        "the share of A&E attenders admitted with 0, 1, 2 and 3+ long-term conditions, relative to none (the admission "
        "index's factor); attending rises with conditions too (1.3, 1.6 and 1.9 times), so a person's admissions rise "
        "by the product of the two (docs/ODD.md 7.1)"))
    frailty_rate_ratio: RateRatio = Field(description=(
        "the share of A&E attenders admitted at frailty 1 against frailty 0; attending doubles from frailty 0 to 1 "
        "too, so a person's admissions rise by twice this (docs/ODD.md 7.1)"))
    emergency_los_days: float = Field(ge=0.5, le=60, description="mean length of an emergency stay, days")
    marginal_los_days: Rate = Field(le=60, description="length of stay of an admission made only because the threshold was lowered, days")
    elective_day_case_share: Share = Field(description="share of elective spells done as day cases, using no overnight bed")
    elective_los_days: float = Field(ge=0.5, le=60, description="mean length of an elective inpatient stay, days")
    elective_lead_months: int = Field(ge=0, le=6, description=(
        "months from joining the elective waiting list to the first month one can be treated (assessment and booking)"))
    los_frailty_ratio: RateRatio = Field(description="length-of-stay ratio at frailty 1 against frailty 0")
    los_age_ratio_per_decade: RateRatio = Field(1.0, description=(
        "length-of-stay ratio for ten years more of age, beyond what frailty brings: 1, stays the same at every age "
        "(the scenarios' setting), unless a study draws them by age (docs/calibration.md, Older people's emergency "
        "bed use)"))
    readmission_rate_ratio: RateRatio = Field(description="emergency risk in the month after discharge, relative")
    unmet_gp_demand_to_ae: Share = Field(description="share of unmet GP demand that turns up at A&E")
    gp_contacts_saved_per_referral: float = Field(ge=0.0, le=20.0, description=(
        "GP contacts a patient referred on to shed workload no longer needs from the practice"))
    unexplained_growth: Growth = Field(description="yearly demand growth not explained by ageing and LTCs")
    practice_los_change: Growth = Field(0.0, description=(
        "yearly change in every length of stay from clinical practice the place's organisations do not decide (shorter "
        "stays, earlier mobilisation, procedures moved to day cases): 0, stays as at the start, unless a scenario sets "
        "the trend of its years (docs/ODD.md 7.2)"))

    @model_validator(mode="after")
    def _ltc(self) -> Demand:
        if len(self.ltc_rate_ratios) != 4:
            raise FieldError("ltc_rate_ratios", self.ltc_rate_ratios,
                             f"4 entries are allowed, one for 0, 1, 2 and 3+ conditions (got {len(self.ltc_rate_ratios)})")
        return self


class SocialCare(_Section):
    need_threshold: Share = Field(description="frailty index at which a person needs social care")
    package_cost_per_month: float = Field(ge=10.0, le=50_000, description="average cost of a care package, pounds a month")
    packages_per_1000: Rate = Field(le=1000, description="care packages funded per 1,000 people at the start")
    unmet_need_rate_ratio: RateRatio = Field(description="emergency risk of people with unmet need, relative")
    nhs_funded_share: Share = Field(description="share of packages funded as continuing healthcare by the NHS")
    delay_exit_per_month: Share = Field(description=(
        "share of people delayed in hospital who leave each month without a council package "
        "(paying for care themselves, family care, or going home with unmet need)"))
    intermediate_care_months: float = Field(1.4, ge=0.25, le=12.0, description=(
        "mean months a person stays in intermediate care (reablement at home or a step-down bed) after leaving "
        "hospital, waiting at home for long-term care if they still need it"))
    intermediate_care_most_per_1000: float = Field(0.0, ge=0.0, le=2.0, description=(
        "the most intermediate care places per 1,000 residents a council may commission (its lever's top; "
        "0: the place's councils commission none of their own)"))
    intermediate_care_start_per_1000: float = Field(0.0, ge=0.0, le=2.0, description=(
        "intermediate care places per 1,000 residents every council runs at the start, in post, its grant sized to "
        "pay for them; at most intermediate_care_most_per_1000 (0: none to start with)"))
    intermediate_care_cost_per_month: float = Field(3000.0, ge=0.0, le=50_000, description=(
        "a place in intermediate care, pounds a month at the start (paid for whether or not it is full)"))
    intermediate_care_frailty_fall: float = Field(0.0, ge=0.0, le=0.5, description=(
        "frailty index a stay in intermediate care takes off (reablement restoring what a person can do for "
        "themselves); those it takes below their council's eligibility no longer wait for a long-term package "
        "(0: a stay only bridges the wait)"))
    intermediate_care_takes_assessed: bool = Field(False, description=(
        "discharge to assess: the intermediate care places left after those waiting for a package also take "
        "people the council assesses on leaving hospital who are not eligible for one, home to be assessed "
        "there (no assessment days in a bed) and reabled (false: places take only those waiting for a package)"))
    discharge_assessment_frailty: Share = Field(1.0, description=(
        "frailty index from which a person leaving an emergency stay without a care package is assessed by their "
        "council for care before leaving (a request for support on discharge, whatever comes of it)"))
    discharge_assessment_days: float = Field(0.0, ge=0.0, le=28.0, description=(
        "days in a hospital bed, beyond the medical stay, that a person assessed on leaving waits for the assessment "
        "and for what it finds to be arranged (a delayed transfer of care; 0: assessed while the stay lasts)"))
    reviews_per_year: float = Field(0.0, ge=0.0, le=12.0, description=(
        "reviews a year of each council-funded package; a review ends the package of a person no longer at their "
        "council's eligibility (0: packages end only at death)"))
    packages_as_afforded: bool = Field(False, description=(
        "a council that balances its books funds every package its budget affords, those eligible later in the "
        "year taking the rest (a package costs only while in use); false: no more than its residents eligible "
        "when it plans"))
    pooled_reaches_further: bool = Field(True, description=(
        "a council holding a pooled budget lowers its eligibility floor to the need threshold and lets its "
        "threshold follow the packages funded both ways, so the pot is not left unspent for want of residents "
        "eligible to use it; false: it keeps its starting floor and its threshold only rises, as any council's"))
    national_eligibility: bool = Field(False, description=(
        "councils are held to national eligibility criteria (the Care Act 2014, from April 2015): each funds a "
        "package for every resident at or above its starting threshold (plus any tightening) whatever its budget, "
        "and overspends rather than rations; false: a council funds the packages it plans and rations "
        "eligibility to them"))

    @model_validator(mode="after")
    def _places_at_start(self) -> SocialCare:
        if self.intermediate_care_start_per_1000 > self.intermediate_care_most_per_1000:
            raise FieldError("intermediate_care_start_per_1000", self.intermediate_care_start_per_1000,
                             f"at most intermediate_care_most_per_1000 ({self.intermediate_care_most_per_1000:g}), "
                             "the top of the councils' lever, is allowed")
        return self


class Money(_Section):
    allocation_growth: Growth = Field(description="real growth of the NHS allocation a year")
    council_grant_growth: Growth = Field(description="real growth of council money a year")
    prevention_share_of_council: float = Field(ge=0.0, le=0.9, description="share of council money for prevention at the start")
    cost_growth: Growth = Field(description=(
        "yearly real growth of providers' costs per unit of care before any efficiency (pay drift, "
        "new drugs and technology); prices are uplifted by it"))
    efficiency_requirement: float = Field(ge=0.0, le=0.5, description="yearly cut in prices asked of providers, net of the cost uplift (tariff efficiency factor)")
    productivity_growth: Growth = Field(description="yearly fall in providers' unit costs they actually achieve, net of cost growth")
    starting_cost_overrun: Rate = Field(le=1, description="acute providers' costs above their income at the start, share (the mean over hospitals)")
    starting_cost_overrun_spread: float = Field(0.0, ge=0.0, le=0.2, description=(
        "spread (standard deviation) of each hospital's starting overrun about the mean, drawn once per run: some "
        "start in surplus, some in deep deficit"))
    commissioner_planned_surplus: float = Field(ge=0.0, le=0.5, description="surplus commissioners plan at the start, share of allocation")
    commissioner_running_cost_share: float = Field(ge=0.0, le=0.5, description="commissioners' running costs, share of allocation")
    commissioner_headroom_spent: Share = Field(description=(
        "share of the headroom its plan finds (next year's allocation less its planned surplus, running costs and "
        "expected care spending) that a commissioner spends on services outside the model; 0: it banks it"))
    opening_reserves_months: Rate = Field(le=60, description="opening cash reserves, months of expenditure")
    gp_federation_reserves_months: Rate = Field(le=60, description="a GP federation's opening reserves, months of income")

    @property
    def price_change(self) -> float:
        """The yearly factor on prices paid to providers: cost growth passed on, less the efficiency asked."""
        return (1 + self.cost_growth) * (1 - self.efficiency_requirement)

    @property
    def cost_change(self) -> float:
        """The yearly factor on providers' unit costs: cost growth, less the productivity achieved."""
        return (1 + self.cost_growth) * (1 - self.productivity_growth)


class Tariff(_Section):
    elective_spell: Rate = Field(le=100_000, description="national tariff for an elective spell, pounds")
    emergency_spell: Rate = Field(le=100_000, description="national tariff for an emergency spell, pounds")
    ae_attendance: Rate = Field(le=100_000, description="tariff for an A&E attendance, pounds")
    outpatient_attendance: Rate = Field(le=100_000, description="tariff for a first outpatient attendance, pounds")
    emergency_marginal_rate: Share = Field(description="share of tariff paid for emergency admissions above baseline")
    variable_cost_share: Share = Field(description="share of the tariff that is the marginal cost of a spell")


class Capacity(_Section):
    beds_per_1000: Rate = Field(le=20, description="general and acute beds per 1,000 catchment population")
    elective_capacity_margin: Rate = Field(le=5, description="elective spells a month the hospital can do, relative to expected demand")
    gp_capacity_margin: Rate = Field(le=5, description="GP contacts a month the federation can offer, relative to expected demand")
    community_cost_per_head: Rate = Field(le=10_000, description="community services block value a year per head, pounds")
    capitation_per_patient: Rate = Field(le=10_000, description="GP capitation a year per registered patient, pounds")
    qof_per_patient: Rate = Field(le=10_000, description="most QOF pay a year per registered patient, pounds")
    bed_cost_share: Share = Field(description="share of an acute hospital's fixed costs that go with its beds (the rest is overhead)")
    target_occupancy: float = Field(ge=0.3, le=1.0, description="bed occupancy hospitals plan to")
    bed_growth_limit: Share = Field(description="most beds a hospital can add in one year, share")
    bed_change_most: float = Field(ge=0.0, le=0.06, description=(
        "the most a hospital's beds may change in a year either way by its decisions (its bed_change lever, whose "
        "range is at most 6% either way)"))
    strain_los_per_occupancy: Rate = Field(le=10.0, description=(
        "lengthening of frail patients' stays per unit of last month's bed occupancy beyond the beds a hospital has "
        "(0.5: at 110% occupancy, stays 5% longer)"))
    elective_capacity_cost_share: Share = Field(description=(
        "cost a year of a spell a month of elective capacity (theatre sessions, staff), used or not, as a share of the "
        "elective tariff times twelve"))
    escalation_cost_ratio: Rate = Field(le=10, description=(
        "cost of a bed day beyond the hospital's beds (escalation wards, agency staff) against a planned bed day"))
    elective_staff_growth: Rate = Field(1.0, le=1.0, description=(
        "most a hospital's established elective staff (the theatre sessions it runs at their standard cost) can grow "
        "in a year, share; capacity beyond them is bought at elective_premium_ratio (1: as fast as any lever grows it)"))
    elective_premium_ratio: float = Field(1.0, ge=1.0, le=10.0, description=(
        "cost of a spell of elective capacity beyond a hospital's established staff (extra sessions at premium rates, "
        "locums, agency staff) against a spell of established capacity (1: no premium)"))


class Programmes(_Section):
    """Programmes: capacity an organisation builds (recruited, then embedded), and the effect of the
    capacity embedded, ``most * k / (k + half_dose)`` (for a cut below the start, the curve continued: see
    model.programmes)."""

    recruit_months: float = Field(ge=1.0, le=120.0, description="months for capacity in post to close most of the gap to a new dose (a first-order lag)")
    embed_months: float = Field(ge=1.0, le=120.0, description="months for the effect to follow the capacity in post as the service embeds")
    wind_down_months: float = Field(ge=1.0, le=120.0, description="months for capacity (and its effect) to fall to a lower dose")
    setup_months: Rate = Field(le=24.0, description="one-off cost of setting up a unit of capacity, in months of its running cost")
    case_management_effect: Share = Field(description="most cut in crises of people with 2+ LTCs that proactive case management approaches")
    case_management_progression_effect: Share = Field(description="most cut in new LTCs and frailty gain that case management approaches")
    case_management_half_dose: float = Field(gt=0.0, le=1.0, description="share of clinical time in case management that gives half the most effect")
    outreach_effect: Share = Field(description="most cut in crises of people with 2+ LTCs that specialist outreach approaches")
    outreach_referral_effect: Share = Field(description="most cut in referrals that specialist advice in the community approaches")
    outreach_half_dose: float = Field(gt=0.0, le=1.0, description="outreach intensity (0-1) that gives half the most effect")
    outreach_cost_share: Share = Field(description="specialist outreach at full intensity: share of the hospital's elective capacity moved out")
    discharge_los_effect: Share = Field(description="most cut in frail patients' length of stay that early supported discharge approaches")
    discharge_readmission_effect: Share = Field(description="most cut in readmissions that supported discharge approaches")
    discharge_half_dose: float = Field(gt=0.0, le=1.0, description="supported discharge intensity (0-1) that gives half the most effect")
    discharge_cost_per_head: Rate = Field(le=10_000, description="early supported discharge service at full intensity, pounds a year per catchment head")
    prevention_effect: Share = Field(description="most cut (or, for a cut in spending, rise) in new long-term conditions that prevention approaches")
    prevention_half_dose: float = Field(ge=0.01, le=5.0, description=(
        "change in prevention spending (share of the starting spend) that gives half the most effect; at least 0.01, "
        "for a cut's harm grows as most / half_dose * (k - k * k / half_dose) (model.programmes)"))
    community_admission_effect: Share = Field(description="most cut (or, for a cut, rise) in frail people's admissions that community capacity approaches")
    community_half_dose: float = Field(ge=0.01, le=5.0, description=(
        "real growth of community services over the start that gives half the most effect; at least 0.01, for a "
        "cut's harm grows as most / half_dose * (k - k * k / half_dose) (model.programmes)"))
    community_health_at_margin: float = Field(0.0, ge=0.0, le=5.0, description=(
        "the health community services give beyond the admissions they avoid (nursing, therapy, care at home): "
        "their first pound added at the start buys this share of what the NHS's marginal pound buys "
        "(net_health.cost_per_qaly_outside), less for each further pound by the community half dose's curve, and "
        "each pound cut takes more than the last; 0: community services give health only through the admissions "
        "they avoid"))


class HospitalBehaviour(_Section):
    # levers (model.decisions): where they start; their bounds are the range a hospital can set them in
    elective_growth: float = Field(ge=-0.06, le=0.08, description="yearly growth of its elective capacity")
    admission_threshold: float = Field(ge=1.0, le=1.25, description=(
        "A&E attenders admitted relative to the clinical norm (1: no one admitted who need not be)"))
    outreach: Share = Field(description="intensity of specialist outreach into the community (0-1)")
    discharge_support: Share = Field(description="intensity of early supported discharge (0-1)")
    bed_release_share: Share = Field(description="share of surplus beds released each year")
    shares_data: bool = Field(description="shares its activity and finances with partners: they see what it does every year")


class GPFederationBehaviour(_Section):
    # levers (model.decisions): where they start; their bounds are the range a GP federation can set them in
    referral_shedding: float = Field(ge=0.0, le=0.3, description="extra referrals made to shed workload, relative")
    case_management_share: float = Field(ge=0.0, le=0.2, description="share of clinical time moved to proactive care of people with 2+ LTCs")


class CommissionerBehaviour(_Section):
    over_plan_payment_rate: Share = Field(description="share of tariff paid for elective activity above plan (activity cap)")
    community_cut_in_deficit: Share = Field(description="share cut from community block contracts when in deficit")
    # levers (model.decisions): where they start; their bounds are the range a commissioner can set them in
    plan_growth: float = Field(ge=-0.1, le=0.1, description=(
        "growth of the elective plan it pays in full on last year's electives (above it, at the over-plan rate); a "
        "lever only with decisions.plan_lever"))
    community_investment: float = Field(ge=-0.06, le=0.08, description="yearly real growth it gives community block contracts")
    chc_share_ratio: float = Field(ge=0.5, le=1.0, description="NHS-funded share of care packages, relative to the standard")
    pooled_share: Share = Field(description="share of its allocation put into a pooled budget with the council")
    contract_years: int = Field(ge=1, le=15, description="length of the contracts it lets")


class CouncilBehaviour(_Section):
    # levers (model.decisions): where they start; their bounds are the range a council can set them in (the Care
    # Act 2014's national eligibility criteria leave little room to tighten)
    eligibility_tightening: float = Field(ge=-0.05, le=0.03, description="frailty index points added to the starting eligibility threshold")
    balances_books: bool = Field(description="cuts care capacity to balance its budget each year")
    prevention_ratio: float = Field(ge=0.4, le=1.6, description="prevention spending relative to the starting share")
    discharge_priority: Share = Field(description="share of new packages reserved for hospital discharges")
    accepts_pooling: bool = Field(description="pools budgets with the NHS when offered")
    pooled_substitution: Share = Field(description=(
        "share of NHS money paid to it outside a pooled budget contract (a Better Care Fund-sized transfer) that it withdraws from care"))


class HospitalStrategies(_Section):
    fortress: HospitalBehaviour
    collaborative: HospitalBehaviour


class GPFederationStrategies(_Section):
    fortress: GPFederationBehaviour
    collaborative: GPFederationBehaviour


class CommissionerStrategies(_Section):
    fortress: CommissionerBehaviour
    collaborative: CommissionerBehaviour


class CouncilStrategies(_Section):
    fortress: CouncilBehaviour
    collaborative: CouncilBehaviour


class Strategies(_Section):
    """Each kind's behaviour under each strategy: the same knobs, two settings."""

    hospital: HospitalStrategies
    gp_federation: GPFederationStrategies
    commissioner: CommissionerStrategies
    council: CouncilStrategies


# every lever an organisation sets (model.decisions.LEVERS; tests/test_incentives.py checks the two agree)
LeverName = Literal["admission_threshold", "elective_growth", "outreach", "discharge_support", "bed_change",
                    "case_management_share", "referral_shedding", "community_investment", "chc_share_ratio", "plan_growth",
                    "eligibility_tightening", "prevention_ratio", "pooled_substitution", "intermediate_care"]


class Decisions(_Section):
    """How organisations set their levers each year (see model.decisions)."""

    enabled: bool = Field(True, description=(
        "organisations set their levers each year as a best response to what each option earns and costs them; "
        "false: every lever stays where its strategy's bundle puts it (the ablation)"))
    place_weight_collaborative: float = Field(ge=0.0, le=10.0, description=(
        "weight a collaborator puts on the place's net benefit (money and health valued at the threshold) beside its own result"))
    place_weight_fortress: float = Field(ge=0.0, le=10.0, description="weight a fortress puts on the place's net benefit")
    mission_weight: float = Field(ge=0.0, le=10.0, description=(
        "the least weight any organisation puts on the health its own decisions change, valued at the threshold"))
    regulator_weight: float = Field(ge=0.0, le=10.0, description=(
        "what the regulator's judgement adds to each pound below the line it judges: an organisation's own deficit beyond the "
        "special measures threshold (organisation-focused) or the place's deficit (whole-system)"))
    sanction_weight: float = Field(ge=0.0, le=10.0, description=(
        "weight an organisation puts on the graduated sanction it expects next year for the harm a change does (0: it "
        "does not foresee sanctions)"))
    care_duty_weight: float = Field(ge=0.0, le=10.0, description=(
        "what a council counts against itself for each pound of eligible social care need it leaves unmet, beside the pound "
        "(its duty under the Care Act 2014)"))
    council_surplus_value: Share = Field(description=(
        "what a pound of its own is worth to a council while its reserves are forecast above zero (0: money it would spend "
        "on its other services anyway; 1: a pound, as the net monetary benefit counts it); below zero a pound counts in full"))
    horizon_years: float = Field(ge=0.0, le=20.0, description="years ahead an organisation weighs a programme's costs and effects over")
    steps_per_year: int = Field(ge=1, le=10, description="the most steps (each lever's own) a lever can move in a year")
    noise: float = Field(ge=0.0, le=1.0, description=(
        "spread of an organisation's misjudgement of its options, as a share of its income (the scale of a logit choice)"))
    adjustment_cost: float = Field(ge=0.0, le=1.0, description=(
        "what moving a lever one step costs an organisation, as a share of its income (recruiting, re-contracting, "
        "disruption); also what a lead provider counts against switching how it pays a sub-contractor"))
    plan_lever: bool = Field(False, description=(
        "a commissioner that pays electives above its plan at less than the tariff sets the plan's growth each year as "
        "it sets its other levers; false: it holds the plan's growth where its starting strategy's bundle puts it"))
    held_levers: list[LeverName] = Field(default_factory=list, description=(
        "levers no organisation sets itself: each stays where it starts (its starting strategy's bundle); e.g. "
        "prevention_ratio, as a ring-fenced public health grant holds a council's prevention spending"))


class Governance(_Section):
    initial_trust: Share = Field(description="trust between partners at the start (0-1)")
    trust_gain: Share = Field(description="share of the gap to full trust closed in a year a partner collaborates")
    trust_loss: Share = Field(description="share of trust lost in a year a partner defects")
    harm_tolerance: Share = Field(description=(
        "harm to the others in a year (costs shifted, activity pulled in, referrals shed), as a share of an "
        "organisation's income, beyond which its partners count it as defecting"))


class Adaptation(_Section):
    """How organisations choose their strategy each year (MODEL.md section 6).

    ``fixed``: as the scenario (or a user, mid-run) sets it. ``adaptive``:
    experience-weighted attraction learning (Camerer and Ho 1999) on a yearly
    payoff that weighs the organisation's financial result, its regulatory
    standing, the population's outcomes and its relationships, plus proportional
    imitation of better-off partners (Schlag 1998) and reciprocity towards
    trusted partners who collaborate.
    """

    policy: Literal["fixed", "adaptive"] = Field("fixed", description="fixed strategies or adaptive learning")
    memory: Share = Field(0.8, description="weight of past experience in an attraction each year (EWA phi and rho)")
    sensitivity: Rate = Field(4.0, le=100, description="how sharply attractions decide the choice (logit lambda)")
    imitation: Share = Field(0.2, description="chance a year of comparing itself with a partner of its kind and imitating")
    weight_finance: Rate = Field(1.0, le=10, description="weight of its own result (surplus as a share of income, x10)")
    weight_regulation: Rate = Field(1.0, le=10, description="weight of regulatory standing")
    weight_population: Rate = Field(0.5, le=10, description="weight of the population's outcomes (growth in emergency admissions, x10)")
    weight_relationships: Rate = Field(0.5, le=10, description="weight of the trust its partners hold in it")
    reciprocity: Rate = Field(1.0, le=10, description="pull towards collaborating when trusted partners collaborate")


class Commons(_Section):
    """Ostrom's rules for governing a common pool (seed 002), each switched on or off."""

    shared_measures: bool = Field(False, description="one set of shared measures: defection and results are visible")
    graduated_sanctions: bool = Field(False, description="visible defectors pay their collaborating partners, more each time")
    conflict_resolution: bool = Field(False, description="disputes are resolved: trust falls half as fast")
    participation: bool = Field(False, description="organisations take part in setting the rules: collaboration pays a bonus")
    system_leadership: bool = Field(False, description="commissioners lead the system and stay collaborative")
    national_recognition: bool = Field(False, description="national bodies recognise the place: collaborators are not put in special measures")
    visibility_without_measures: Share = Field(0.3, description="chance a partner's behaviour and result are seen in a year without shared measures")
    sanction_per_harm: Rate = Field(1.0, le=10, description=(
        "a seen defector's sanction: pounds per pound of its harm beyond the tolerance, times its score of seen defections"))
    defection_memory: Share = Field(0.5, description="share of an organisation's score of seen defections that it keeps each year (old defections fade)")
    participation_bonus: Rate = Field(0.2, le=10, description="payoff bonus of collaborating when organisations set the rules")


class NetHealth(_Section):
    """Quality-adjusted life from each person's state, and money valued in it (``model/health.py``).

    A person's utility a year is the population norm at their age less a decrement for each
    state they are in; a person-month accrues a twelfth of it. The norm is quadratic in age
    (Ara and Brazier 2010's form)."""

    norm_intercept: float = Field(ge=0.0, le=1.0, description="population norm utility: the constant (at age 0)")
    norm_per_year: float = Field(ge=-0.05, le=0.05, description="population norm utility: change per year of age")
    norm_per_year_squared: float = Field(ge=-0.001, le=0.001, description="population norm utility: change per year of age squared")
    anchor_to_norms: bool = Field(True, description=(
        "the norms describe people as they are, conditions and frailty included: take the condition and frailty "
        "decrements as departures from the place's starting average at each age (a quadratic in age fitted at the "
        "start), so the place starts on the norm; false: subtract them from the norm in full"))
    ltc_decrements: list[Share] = Field(description="utility lost with 0, 1, 2 and 3+ long-term conditions")
    frailty_decrement: Share = Field(description="utility lost per unit of frailty index")
    unmet_need_decrement: Share = Field(description="utility lost while a person's social care need is unmet")
    delayed_decrement: Share = Field(description="utility lost while a person fit to leave waits in a hospital bed")
    long_wait_decrement: Share = Field(description="utility lost while a person has waited more than 18 weeks for elective care")
    emergency_admission_decrement: Share = Field(description="utility lost in the month of an emergency admission")
    qalys_per_death: Rate = Field(le=50, description=(
        "QALYs a death avoided gives the person (for valuing a change; the monthly accrual "
        "simply stops at death)"))
    cost_per_qaly_outside: float = Field(ge=100.0, le=1_000_000.0, description=(
        "pounds NHS spending outside the model costs per QALY it buys; the net health benefit counts every pound of the "
        "place's money as the QALYs it would buy at this price"))
    threshold_per_qaly: Rate = Field(le=1_000_000.0, description="pounds a QALY is worth in the net monetary benefit")
    council_cost_per_qaly: float | None = Field(None, ge=100.0, le=1_000_000.0, description=(
        "pounds a council's money costs per QALY it buys: the net health benefit counts the councils' money at this "
        "price and the NHS organisations' at cost_per_qaly_outside (unset: the councils' priced as the NHS's)"))

    @model_validator(mode="after")
    def _ltc(self) -> NetHealth:
        if len(self.ltc_decrements) != 4:
            raise FieldError("ltc_decrements", self.ltc_decrements, "needs 4 entries (0, 1, 2, 3+ conditions)")
        return self


class Regulation(_Section):
    """Who the regulator judges, and a transformation fund (MODEL.md section 6; seed 001)."""

    focus: Literal["organisation", "system"] = Field("organisation", description="judge each organisation, or the place as one")
    judged_kinds: list[OrganisationKind] = Field(
        default_factory=lambda: list(typing.get_args(OrganisationKind)),
        description=("the kinds of organisation an organisation-focused regulator judges on their own deficit (special"
                     " measures, and its line in their decisions and learning); a kind left out answers to no regulator"))
    special_measures_deficit: Share = Field(0.02, description="a deficit above this share of income puts an organisation in special measures")
    system_health_weight: float = Field(1.0, ge=0.0, le=10.0, description=(
        "a whole-system regulator's weight on the place's health (QALYs at the threshold), against a pound of the place's deficit"))
    special_measures_years: int = Field(2, ge=1, le=10, description="years in special measures")
    special_measures_fortress: bool = Field(True, description=(
        "an organisation in special measures (or in administration, or under government intervention) is run as a"
        " fortress; false: new leadership chooses its strategy as any other organisation does, from nothing learned"))
    transformation_fund_share: Share = Field(0.0, description="share of a collaborative organisation's income paid monthly by a transformation fund")
    transformation_fund_years: int = Field(0, ge=0, le=20, description="years the transformation fund pays")
    distress_months: float = Field(1.0, ge=0.0, le=24.0, description=(
        "a hospital whose reserves at a year end are below this many months of its income (in deficit) gets distress finance"))
    distress_years: int = Field(2, ge=0, le=20, description=(
        "year ends running a hospital can get distress finance before it is put into administration"))
    failure_months: Rate = Field(3.0, le=120, description=(
        "a GP federation or prime contractor whose deficit at a year end exceeds this many months of its income fails"))
    council_failure_regime: bool = Field(False, description=(
        "a council whose reserves run out issues a section 114 notice and, if they stay out, the government intervenes"))
    council_notice_months: float = Field(0.0, ge=0.0, le=24.0, description=(
        "a council whose reserves at a year end are below this many months of its income (0: below zero) is under a"
        " section 114 notice"))
    council_intervention_years: int = Field(2, ge=0, le=20, description=(
        "year ends running a council can be under a section 114 notice before the government intervenes"))


class Switch(_Section):
    """From a step on, a scope of service is paid under another regime."""

    step: int = Field(ge=1, le=MAX_STEPS, description="the month (steps completed) at which the new contracts start")
    scope: Literal["acute", "community", "primary_care"]
    regime: str


class CapitatedBudgetSpec(_Section):
    """A commissioner hands its population's whole budget to a lead provider (PACS or MCP)."""

    commissioner: Name
    lead: Name = Field(description="a hospital (PACS) or a GP federation (MCP)")
    step: int = Field(0, ge=0, le=MAX_STEPS, description="the month from which the budget replaces the commissioner's contracts")


# the most of its allocation for a council's residents a commissioner pays into pooled budgets with it
POOLED_CONTRIBUTION_MAX = 0.5


class PooledBudgetSpec(_Section):
    """A commissioner and a council pool health and social care money (Section 75 / Better Care Fund)."""

    commissioner: Name
    council: Name
    nhs_contribution: float = Field(ge=0.0, le=POOLED_CONTRIBUTION_MAX, description="share of the commissioner's allocation (for the council's residents) paid into the pot")
    step: int = Field(0, ge=0, le=MAX_STEPS, description="the month from which the budget is pooled")


class BidderSpec(_Section):
    """A bidder in a tender: an organisation of the place, or a new prime contractor."""

    name: Name
    cost_bias: float = Field(0.0, ge=-0.9, le=1.0, description="mean error of its estimate of the true cost, as a share of it")
    cost_error: float = Field(0.0, ge=0.0, le=1.0, description="spread (sd) of that error, as a share of the true cost")
    optimism: float = Field(0.0, ge=0.0, le=0.9, description="how far below its estimate it bids, as a share")
    capital: float = Field(0.0, ge=0.0, le=1.0, description=(
        "a new prime contractor's starting reserves, as a share of the tendered services' annual value "
        "at the start (0 for organisations of the place)"))


class TenderSpec(_Section):
    """A commissioner tenders its contracts of one scope to a prime contractor (MODEL.md section 5)."""

    step: int = Field(ge=0, le=MAX_STEPS, description="the month the winner's contract starts")
    commissioner: Name
    scope: Literal["acute", "community"]
    term_years: int = Field(5, ge=1, le=15, description="the contract's term")
    ceiling: float = Field(1.0, gt=0.0, le=3.0, description="the most the commissioner will pay, as a share of today's contract value")
    cost_gap: float = Field(1.0, gt=0.0, le=3.0, description="the true cost of the services as a share of today's contract value")
    top_up: bool = Field(False, description="whether the commissioner pays more when the winner asks")
    termination_cost: float = Field(0.0, ge=0.0, le=1.0, description="the cost of ending the contract early, as a share of its annual value")
    termination_commissioner_share: float = Field(0.5, ge=0.0, le=1.0, description="the commissioner's share of that cost")
    bidders: list[BidderSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _bidders(self) -> TenderSpec:
        names = [b.name for b in self.bidders]
        for j, name in enumerate(names):
            if name in names[:j]:
                raise FieldError(f"bidders.{j}.name", name,
                                 f"bidder {names.index(name)} has this name already; each bidder in a tender needs a name of its own")
        return self


class Contracting(_Section):
    """Which payment regime each scope of service is paid under, its terms, and any switches."""

    acute: str = Field("pbr", description="regime for hospital acute services")
    community: str = Field("block", description="regime for community services")
    primary_care: str = Field("capitation", description="regime for GP federations")
    terms: dict[str, float] = Field(default_factory=dict, description="regime parameters by name (see `lhe regimes`)")
    switches: list[Switch] = Field(default_factory=list, description="regime changes at a given step")
    capitated_budgets: list[CapitatedBudgetSpec] = Field(default_factory=list, description="whole-population budgets to lead providers")
    pooled_budgets: list[PooledBudgetSpec] = Field(default_factory=list, description="health and social care budgets pooled with a council")
    tenders: list[TenderSpec] = Field(default_factory=list, description="contracts put out to tender")

    def regimes_in_use(self) -> set[str]:
        """The regimes this contracting can let: one per scope, those switched to, and pooled budgets."""
        used = {self.acute, self.community, self.primary_care} | {sw.regime for sw in self.switches}
        if self.pooled_budgets:
            used.add("pooled_budget")
        return used

    @model_validator(mode="after")
    def _known(self) -> Contracting:
        from model.regimes import REGIMES

        def check(field: str, scope: str, name: str) -> None:
            if name not in REGIMES:
                raise FieldError(field, name, f"unknown regime for {scope}; known: {', '.join(sorted(REGIMES))}")
            if scope not in REGIMES[name].scopes:
                fits = sorted(r for r, reg in REGIMES.items() if scope in reg.scopes)
                raise FieldError(field, name, f"regime {name!r} cannot pay for {scope} services; these can: {', '.join(fits)}")

        for scope in ("acute", "community", "primary_care"):
            check(scope, scope, getattr(self, scope))
        for i, sw in enumerate(self.switches):
            check(f"switches.{i}.regime", sw.scope, sw.regime)
        used = self.regimes_in_use()
        params = {name: (r, REGIMES[r].parameters[name]) for r in sorted(used) for name in REGIMES[r].parameters}
        for name, value in self.terms.items():
            if name not in params:
                allowed = ", ".join(sorted(params)) or f"none (the regimes in use, {', '.join(sorted(used))}, take no parameters)"
                owners = sorted(r for r, reg in REGIMES.items() if name in reg.parameters)
                hint = f"; {name} is a parameter of {', '.join(owners)}, which this place does not use" if owners else ""
                raise FieldError(f"terms.{name}", value, f"not a parameter of the regimes in use; allowed: {allowed}{hint}")
            regime, p = params[name]
            if not p.low <= value <= p.high:
                raise FieldError(f"terms.{name}", value, f"{regime}'s {name} must be between {p.low:g} and {p.high:g}")
        return self


# --- organisations ---------------------------------------------------------------
class _Org(_Section):
    name: Name
    strategy: Strategy


class CommissionerSpec(_Org):
    pass


class CouncilSpec(_Org):
    share: Share = Field(description="share of the place's residents")


class HospitalSpec(_Org):
    share: Share = Field(description="share of the place in its catchment")


class GPFederationSpec(_Org):
    share: Share = Field(description="share of the place's registered patients")
    commissioner: Name = Field(description="the commissioner its practices belong to")


def _sums_to_one(what: str, shares: list[float]) -> None:
    total = sum(shares)
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"{what} must sum to 1, they sum to {total:.6g}")


class Scenario(_Section):
    """A whole place: people, money, organisations and their strategies."""

    name: Name
    description: Text = ""
    run: Run = Run()
    population: Population
    health: Health
    demand: Demand
    social_care: SocialCare
    money: Money
    tariff: Tariff
    capacity: Capacity
    programmes: Programmes
    strategies: Strategies
    decisions: Decisions
    governance: Governance
    contracting: Contracting = Contracting()
    adaptation: Adaptation = Adaptation()
    commons: Commons = Commons()
    regulation: Regulation = Regulation()
    net_health: NetHealth
    commissioners: list[CommissionerSpec] = Field(min_length=1)
    councils: list[CouncilSpec] = Field(min_length=1)
    hospitals: list[HospitalSpec] = Field(min_length=1)
    gp_federations: list[GPFederationSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _organisations(self) -> Scenario:
        for kind in ("councils", "hospitals", "gp_federations"):
            shares = [o.share for o in getattr(self, kind)]
            try:
                _sums_to_one(f"{kind} shares", shares)
            except ValueError as e:
                raise FieldError(f"{kind}.*.share", shares, str(e)) from None
        names = [o.name for kind in ORG_KINDS for o in getattr(self, kind)]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            kind = [k for k in ORG_KINDS if any(o.name == dupes[0] for o in getattr(self, k))][-1]
            raise FieldError(f"{kind}.*.name", dupes[0], f"organisation names must be unique; repeated: {', '.join(dupes)}")
        commissioners = {c.name for c in self.commissioners}
        leads = {o.name for o in self.hospitals} | {o.name for o in self.gp_federations}
        councils = {c.name for c in self.councils}

        def known(field: str, value: str, allowed: set[str], what: str) -> None:
            if value not in allowed:
                raise FieldError(field, value, f"{what}; known: {', '.join(sorted(allowed))}")

        seen = set()
        for i, cb in enumerate(self.contracting.capitated_budgets):
            known(f"contracting.capitated_budgets.{i}.commissioner", cb.commissioner, commissioners, "no such commissioner")
            known(f"contracting.capitated_budgets.{i}.lead", cb.lead, leads, "a lead provider is a hospital or a GP federation")
            if cb.commissioner in seen:
                raise FieldError(f"contracting.capitated_budgets.{i}.commissioner", cb.commissioner,
                                 "a commissioner can hand its budget to one lead provider only")
            seen.add(cb.commissioner)
        for i, t in enumerate(self.contracting.tenders):
            known(f"contracting.tenders.{i}.commissioner", t.commissioner, commissioners, "no such commissioner")
            for j, b in enumerate(t.bidders):
                if b.name in names and b.name not in leads:
                    raise FieldError(f"contracting.tenders.{i}.bidders.{j}.name", b.name,
                                     "a bidder is a hospital, a GP federation or a new prime contractor")
                if b.name not in names and b.capital <= 0:
                    raise FieldError(f"contracting.tenders.{i}.bidders.{j}.capital", b.capital,
                                     f"{b.name!r} is not an organisation of the place, so it is a new prime contractor: give it capital > 0")
        for i, pb in enumerate(self.contracting.pooled_budgets):
            known(f"contracting.pooled_budgets.{i}.commissioner", pb.commissioner, commissioners, "no such commissioner")
            known(f"contracting.pooled_budgets.{i}.council", pb.council, councils, "no such council")
        for i, g in enumerate(self.gp_federations):
            if g.commissioner not in commissioners:
                raise FieldError(f"gp_federations.{i}.commissioner", g.commissioner,
                    f"GP federation {g.name!r} names commissioner {g.commissioner!r}; "
                    f"known: {', '.join(sorted(commissioners))}"
                )
        return self

    @model_validator(mode="after")
    def _events(self) -> Scenario:
        """Contracting events happen within the run, once each, with money the commissioner has."""
        c, steps = self.contracting, self.run.steps
        events = [(f"switches.{i}.step", e.step, 1, "switch") for i, e in enumerate(c.switches)]
        events += [(f"capitated_budgets.{i}.step", e.step, 0, "capitated budget") for i, e in enumerate(c.capitated_budgets)]
        events += [(f"pooled_budgets.{i}.step", e.step, 0, "pooled budget") for i, e in enumerate(c.pooled_budgets)]
        events += [(f"tenders.{i}.step", e.step, 0, "tender") for i, e in enumerate(c.tenders)]
        months = f"{steps} month{'s' if steps != 1 else ''}"
        for field, step, first, what in events:
            if step >= steps:
                allowed = (f"a month from {first} to {steps - 1} is allowed, or a longer run" if steps - 1 >= first
                           else f"a longer run is needed for any {what}, or remove it")
                raise FieldError(f"contracting.{field}", step,
                                 f"the run ends after {months} (run.steps), so this {what} would never start; {allowed}")
        seen: dict[tuple[str, str, int], int] = {}
        for i, t in enumerate(c.tenders):
            key = (t.commissioner, t.scope, t.step)
            if key in seen:
                raise FieldError(f"contracting.tenders.{i}", f"{t.commissioner}, {t.scope}, month {t.step}",
                                 f"tenders.{seen[key]} already tenders {t.commissioner}'s {t.scope} services in month {t.step}; "
                                 "one tender per commissioner, scope and month is allowed")
            seen[key] = i
        pooled: dict[tuple[str, str], float] = {}
        for i, pb in enumerate(c.pooled_budgets):
            key = (pb.commissioner, pb.council)
            pooled[key] = pooled.get(key, 0.0) + pb.nhs_contribution
            if pooled[key] > POOLED_CONTRIBUTION_MAX + 1e-9:
                raise FieldError(f"contracting.pooled_budgets.{i}.nhs_contribution", pb.nhs_contribution,
                                 f"with this one, the pooled budgets of {pb.commissioner} and {pb.council} would take "
                                 f"{pooled[key]:.3g} of the commissioner's allocation for the council's residents; "
                                 f"together at most {POOLED_CONTRIBUTION_MAX:g} is allowed")
        return self

    # -- identity and change ---------------------------------------------------
    @property
    def sources(self) -> dict[str, str]:
        return getattr(self, "_sources", {})

    @property
    def origin(self) -> str:
        return getattr(self, "_origin", "<memory>")

    def digest(self) -> str:
        """A short hash of the resolved parameters (not of the file's text)."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def with_changes(self, changes: dict[str, Any] | None = None, /, *, given_as: dict[str, str] | None = None,
                     **by_path: Any) -> Scenario:
        """A copy with parameters changed by dotted path, validated again.

        ``given_as`` says how each change was given (``{"population.size": "--set population.size=10"}``):
        an error in a changed field then names that option instead of the scenario's file, and an
        error elsewhere that the changes brought about names the file with the options.

        >>> s.with_changes({"population.size": 30_000, "hospitals.0.strategy": "fortress"})
        """
        all_changes = {**(changes or {}), **by_path}
        given_as = given_as or {}
        data = self.model_dump(mode="python")
        try:
            for path, value in all_changes.items():
                _set_path(data, path, value, self.origin)
            new = _validate(data, self.origin)
        except RecursionError:
            raise _attributed(ScenarioError(self.origin, next(iter(all_changes), "(top)"), "a value nested too deep",
                                            "values nest a few levels deep at most"), given_as, self.origin) from None
        except ScenarioError as e:
            raise _attributed(e, given_as, self.origin) from None
        new._sources = dict(self.sources)
        for path in all_changes:
            new._sources[path] = "changed by the user"
        new._origin = self.origin
        return new


ORG_KINDS = ("commissioners", "councils", "hospitals", "gp_federations")


def _attributed(error: ScenarioError, given_as: dict[str, str], origin: str) -> ScenarioError:
    """The error said in terms of the option that changed the field, if one did."""
    if not given_as:
        return error

    def covers(changed: str, field: str) -> bool:
        a, b = changed.split("."), field.split(".")
        n = min(len(a), len(b))
        return all(x == y or "*" in (x, y) for x, y in zip(a[:n], b[:n], strict=True))

    for path, option in given_as.items():
        if covers(path, error.field):
            return ScenarioError(option, error.field, error.value, error.allowed)
    options = ", ".join(dict.fromkeys(given_as.values()))
    return ScenarioError(f"{origin} with {options}", error.field, error.value, error.allowed)


# --- loading ---------------------------------------------------------------------
MAX_FILE_BYTES = 1_000_000  # a scenario is a page or two of TOML; a bigger file is not one
MAX_EXTENDS = 16  # scenarios extending one another, the file itself included


def scenario_path(name_or_path: str | Path | None) -> Path:
    """Find a scenario by file path (ending in .toml) or by name in the scenario folders."""
    if name_or_path is None:
        name_or_path = DEFAULT_SCENARIO
    p = Path(name_or_path)
    if p.suffix == ".toml" or p.parent != Path(".") or str(name_or_path).startswith("."):
        if p.suffix != ".toml":
            raise ScenarioError(str(p), "(file)", str(p), "a scenario file whose name ends in .toml, or a scenario's name, is allowed")
        if not _is_file(p):
            raise ScenarioError(str(p), "(file)", str(p), "no such scenario file")
        return p
    for d in SCENARIO_DIRS:
        candidate = d / f"{p.name}.toml"
        if _is_file(candidate):
            return candidate
    shown = str(name_or_path) if len(str(name_or_path)) <= 80 else str(name_or_path)[:77] + "..."
    raise ScenarioError(
        shown, "(name)", str(name_or_path),
        f"no scenario of that name; known: {', '.join(list_scenarios()) or 'none'}",
    )


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # a name too long for the file system, or with a NUL in it
        return False


def list_scenarios() -> list[str]:
    names: set[str] = set()
    for d in SCENARIO_DIRS:
        if d.is_dir():
            names.update(p.stem for p in d.glob("*.toml"))
    return sorted(names)


def load_scenario(name_or_path: str | Path | None = None) -> Scenario:
    """Read, merge (``extends``), strip sources and validate a scenario file."""
    path = scenario_path(name_or_path)
    try:
        data, sources = _read_resolved(path, seen=())
        scenario = _validate(data, str(path))
    except RecursionError:
        raise ScenarioError(str(path), "(file)", "lists or tables nested too deep",
                            "a scenario's lists and tables nest a few levels deep at most") from None
    scenario._sources = sources
    scenario._origin = str(path)
    return scenario


def _read_toml(path: Path) -> dict[str, Any]:
    """A file's TOML. Errors say where the file is wrong, never what it holds."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError(str(path), "(file)", f"{size:,} bytes", f"a scenario file of at most {MAX_FILE_BYTES:,} bytes is allowed")
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ScenarioError(str(path), "(file)", str(path), f"cannot be read: {e.strerror}") from None
    except UnicodeDecodeError as e:
        raise ScenarioError(str(path), "(file)", f"byte {e.start}", "a scenario is UTF-8 TOML text") from None
    if not text.strip():
        raise ScenarioError(str(path), "(file)", "", "the file is empty; a scenario needs at least a name")
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise ScenarioError(str(path), "(TOML syntax)", "lists or tables nested too deep",
                            "a scenario's lists and tables nest a few levels deep at most") from None
    except tomllib.TOMLDecodeError as e:
        import re

        found = re.search(r"\(at (line \d+, column \d+|end of document)\)", str(e))
        where = found.group(1) if found else "the file"
        raise ScenarioError(str(path), "(TOML syntax)", where, f"not valid TOML: {e}") from None


def _read_resolved(path: Path, seen: tuple[tuple[Path, str], ...]) -> tuple[dict[str, Any], dict[str, str]]:
    """A file's data merged over the scenarios it extends; ``seen`` is the chain so far (each file
    with the name it extends), so a circle or a chain too long is reported against the first file."""
    if path.resolve() in {p.resolve() for p, _ in seen}:
        raise ScenarioError(str(path), "extends", path.stem, "scenarios must not extend each other in a circle")
    raw = _read_toml(path)
    parent_name = raw.pop("extends", None)
    data, sources = _strip_sources(raw, str(path))
    if parent_name is None:
        return data, sources
    if not isinstance(parent_name, str):
        raise ScenarioError(str(path), "extends", parent_name, "the name of another scenario")
    chain = (*seen, (path, parent_name))
    if len(chain) >= MAX_EXTENDS:
        first, first_parent = chain[0]
        raise ScenarioError(str(first), "extends", first_parent,
                            f"a chain of at most {MAX_EXTENDS} scenarios extending one another is allowed; "
                            f"this one is longer (it reaches {path.name} and goes on)")
    try:
        relative = Path(parent_name)
        if relative.suffix == ".toml" and not relative.is_absolute():
            relative = path.parent / relative  # a file path is read from the extending file's folder
        parent_path = scenario_path(relative if relative.suffix == ".toml" else parent_name)
    except ScenarioError:
        raise ScenarioError(str(path), "extends", parent_name, f"a known scenario: {', '.join(list_scenarios())}") from None
    base, base_sources = _read_resolved(parent_path, chain)
    _merge(base, data)
    base_sources.update(sources)
    return base, base_sources


def _strip_sources(node: Any, file: str, path: str = "") -> tuple[Any, dict[str, str]]:
    """Turn ``{value, source}`` tables into their values, collecting the sources by path."""
    sources: dict[str, str] = {}
    if isinstance(node, dict):
        if "value" in node and set(node) <= {"value", "source"}:
            if "source" not in node or not isinstance(node["source"], str) or not node["source"].strip():
                raise ScenarioError(file, path or "(top)", node["value"],
                                    "a figure written as a table needs a non-empty 'source' string: { value = ..., source = \"...\" }")
            sources[path] = node["source"].strip()
            value, inner = _strip_sources(node["value"], file, path)
            sources.update(inner)
            return value, sources
        out = {}
        for k, v in node.items():
            out[k], inner = _strip_sources(v, file, f"{path}.{k}" if path else k)
            sources.update(inner)
        return out, sources
    if isinstance(node, list):
        out_list = []
        for i, v in enumerate(node):
            item, inner = _strip_sources(v, file, f"{path}.{i}")
            out_list.append(item)
            sources.update(inner)
        return out_list, sources
    return node, sources


def _merge(base: dict[str, Any], over: dict[str, Any]) -> None:
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(base.get(k), dict):
            _merge(base[k], v)
        else:
            base[k] = copy.deepcopy(v)


def _set_path(data: dict[str, Any], path: str, value: Any, file: str) -> None:
    """Set ``value`` at a dotted path of the scenario's data, or say which part of the path is wrong."""
    parts = path.split(".")
    if not all(parts):
        raise ScenarioError(file, path, value, "a dotted path to a field is allowed, e.g. population.size")
    node: Any = data
    for i, part in enumerate(parts):
        here = ".".join(parts[:i]) or "the scenario"
        last = i == len(parts) - 1
        if isinstance(node, list):
            if not node:
                raise ScenarioError(file, path, value, f"{here} is an empty list; set the whole list at once ({here} = [...])")
            if not part.isdigit() or int(part) >= len(node):
                items = "item 0" if len(node) == 1 else f"items 0 to {len(node) - 1}"
                raise ScenarioError(file, path, value, f"{here} has {items}")
            key: Any = int(part)
        elif isinstance(node, dict):
            if part not in node:
                if _is_table_of_any(parts[:i]):
                    key = part  # a table whose keys are free (contracting.terms): the validator names what is allowed
                elif node:
                    raise ScenarioError(file, path, value, f"no field {part!r} in {here}; known: {', '.join(node)}")
                else:
                    raise ScenarioError(file, path, value, f"{here} has no fields")
            else:
                key = part
        else:
            raise ScenarioError(file, path, value, f"{here} is a single value ({_show(node)}) with no fields inside; set {here} itself")
        if last:
            node[key] = value
        else:
            node = node[key]


def _annotation_at(parts: list[str] | tuple[Any, ...]) -> Any:
    """The schema's type at a path of the data (list items and table keys pass through)."""
    ann: Any = Scenario
    for part in parts:
        ann = _plain(ann)
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            info = ann.model_fields.get(str(part))
            if info is None:
                return None
            ann = info.annotation
        elif typing.get_origin(ann) in (list, dict):
            ann = typing.get_args(ann)[-1]
        else:
            return None
    return _plain(ann)


def _plain(annotation: Any) -> Any:
    return typing.get_args(annotation)[0] if typing.get_origin(annotation) is Annotated else annotation


def _is_table_of_any(parts: list[str]) -> bool:
    return typing.get_origin(_annotation_at(parts)) is dict


def _field_info(loc: tuple[Any, ...]) -> Any:
    """The pydantic field at an error's location (for a list item or table entry: its list's or table's)."""
    for n in range(len(loc), 0, -1):
        if isinstance(loc[n - 1], int):
            continue
        owner = _annotation_at(loc[: n - 1])
        while typing.get_origin(owner) in (list, dict):
            owner = _plain(typing.get_args(owner)[-1])
        if isinstance(owner, type) and issubclass(owner, BaseModel) and str(loc[n - 1]) in owner.model_fields:
            return owner.model_fields[str(loc[n - 1])]
    return None


_BOUND_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal", "finite_number",
                 "int_parsing", "int_from_float", "float_parsing", "int_type", "float_type"}


def _validate(data: dict[str, Any], file: str) -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        loc = tuple(err["loc"])
        field = ".".join(str(p) for p in loc) or "(top)"
        value = err.get("input")
        msg = err["msg"]
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, FieldError):
            field = ".".join(p for p in (field if field != "(top)" else "", cause.field) if p)
            value = cause.value
        if err["type"] == "extra_forbidden":
            owner = _annotation_at(loc[:-1])
            known = ", ".join(owner.model_fields) if isinstance(owner, type) and issubclass(owner, BaseModel) else ""
            msg = "no such field here (check the spelling)" + (f"; known: {known}" if known else "")
        elif err["type"] == "missing":
            value = "(nothing)"
            msg = "this field is required"
        elif err["type"] in ("model_type", "model_attributes_type", "dict_type"):
            msg = f"a table of fields is allowed here ([{field}] or {{ ... }})"
        elif err["type"] == "list_type":
            msg = "a list is allowed here ([...])"
        elif err["type"] in _BOUND_ERRORS:
            lo, hi = _range(_field_info(loc))
            if lo is not None and hi is not None:
                msg = f"{msg} (allowed: {_number(lo)} to {_number(hi)})"
        elif msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        raise ScenarioError(file, field, value, _allowed(msg)) from None


def _allowed(msg: str) -> str:
    """Lower-case a message's first letter, unless it starts an acronym (GP, NHS)."""
    if len(msg) > 1 and msg[0].isupper() and not msg[1].isupper():
        return msg[0].lower() + msg[1:]
    return msg


def resolved_parameters(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain data (for run.json and `lhe show`)."""
    return scenario.model_dump(mode="json")
