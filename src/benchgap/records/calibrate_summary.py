"""``summary.json`` of ``benchgap calibrate`` as a typed record: what its page and the CLI read."""

from dataclasses import dataclass
from typing import Any

from benchgap.config import ConvergenceConfig
from benchgap.records.files import fields_from_plain, fields_to_plain


@dataclass(frozen=True)
class FamilyCheck:
    """The checks of one family of ranked variables (capabilities, intercepts, ..., gaps): per-variable uniformity,
    and the pooled spread check (``benchgap.calibration.spread_checks``)."""

    variables: int
    passed: bool  # every check of the family passed
    failed_variables: tuple[str, ...]
    min_p_value: float
    ecdf_envelope_exits: int  # variables whose PIT-ECDF leaves its 99% envelope: shown, not a check
    histogram_band_violations: int
    spread_passed: bool = True
    coverage_50: float | None = None  # pooled over the family's variables and simulations
    coverage_90: float | None = None
    spread_p_value: float | None = None  # the smaller of the two levels' z-test p-values


@dataclass(frozen=True)
class CalibrateSummary:
    """A finished calibration run (``summary.json``, written last)."""

    benchgap_version: str
    simulations: int
    draws_kept: int
    alpha: float  # false-alarm rate of the whole run's checks
    passed: bool
    families: dict[str, FamilyCheck]
    gap_coverage: dict[str, dict[str, float]]  # estimand -> coverage_50 ... of its central intervals
    converged_share: float  # fits that met every threshold of `convergence`
    max_rhat: float
    rhat_above_limit_share: float  # fits with an R-hat above convergence.max_rhat
    ess_below_limit_share: float  # fits with a bulk ESS below convergence.min_ess_bulk
    divergent_share: float  # fits with divergent transitions
    convergence: ConvergenceConfig  # the thresholds
    table: dict[str, Any]
    parameters: dict[str, Any]  # every setting, as plain JSON
    inference: str
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return fields_to_plain(self)

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> "CalibrateSummary":
        return fields_from_plain(cls, values)
