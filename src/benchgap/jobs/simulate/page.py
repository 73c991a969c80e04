"""The words of a simulate job: one plain line on what it found (printed, and logged at the end of the job)."""

from benchgap.config import WeightScheme
from benchgap.estimators import Estimator
from benchgap.metrics import coverage_text
from benchgap.records.simulate_result import SimulateResult


def headline_sentence(result: SimulateResult) -> str:
    """One plain line on what the job found: the true gaps (capability and suite), the naive composite's and the
    model's estimates, and each 90% interval's coverage of its truth with its count and binomial interval."""
    est = result.estimators
    composite = est[Estimator.composite.value]
    n = composite.replicates
    text = f"{result.replicates} replicates: true score gap {composite.mean_truth:+.3f} (capability)"
    if composite.suite is not None:
        text += f", {composite.suite.mean_truth:+.3f} (suite)"
    text += (
        f"; naive composite {composite.mean_estimate:+.3f} (bias {composite.bias:+.3f}, wrong sign in "
        f"{composite.sign_error_rate:.0%}; 90% interval coverage of the capability gap "
        f"{coverage_text(composite.coverage_at(90), n)}"
    )
    if composite.suite is not None:
        text += f", of the suite gap {coverage_text(composite.suite.coverage_at(90), n)}"
    text += ")"
    bayes, suite = est.get(Estimator.bayes.value), est.get(Estimator.bayes_suite.value)
    if bayes is not None and bayes.fit is not None:
        text += (
            f"; model capability gap {bayes.mean_estimate:+.3f} (bias {bayes.bias:+.3f}, 90% coverage "
            f"{coverage_text(bayes.coverage_at(90), bayes.replicates)}, converged in {bayes.fit.converged_share:.0%})"
        )
    if suite is not None and suite.suite is not None:
        text += (
            f"; model suite gap {suite.mean_estimate:+.3f} (bias {suite.suite.bias:+.3f}, 90% coverage of the suite "
            f"gap {coverage_text(suite.suite.coverage_at(90), suite.replicates)})"
        )
    if result.inflation is not None:
        found = result.inflation
        auc = "n/a" if found.auc_mean is None else f"{found.auc_mean:.2f}"
        false_positives = "n/a" if found.false_positive_rate is None else f"{found.false_positive_rate:.1%}"
        text += f"; inflation AUC {auc}, clean cells flagged {false_positives}"
    return text + _trend_words(result) + _weighting_words(result)


def _trend_words(result: SimulateResult) -> str:
    """``trend.score=true``: the naive and the model's time-averaged lag against the truth, with coverage."""
    est = result.estimators
    lag, naive = est.get(Estimator.bayes_lag.value), est.get(Estimator.composite_lag.value)
    if naive is None:
        return ""
    text = (
        f"; time-averaged lag: true {naive.mean_truth:.1f} months, naive {naive.mean_estimate:.1f} "
        f"(bias {naive.bias:+.1f})"
    )
    if lag is not None and result.trend is not None:
        pit = result.trend.pit_coverage_90.get(Estimator.bayes_lag.value)
        text += (
            f", model {lag.mean_estimate:.1f} (bias {lag.bias:+.1f} months, 90% coverage "
            f"{coverage_text(lag.coverage_at(90), lag.replicates)}; ties split at random "
            f"{coverage_text(pit, lag.replicates)})"
        )
    return text


def _weighting_words(result: SimulateResult) -> str:
    weighting, text = result.weighting, ""
    if weighting.kind == WeightScheme.mean_win_rate.value:
        helm = result.estimators[Estimator.mean_win_rate.value]
        text += (
            f"; mean win rate gap {helm.mean_estimate:+.3f} (true {helm.mean_truth:+.3f}, wrong sign in "
            f"{helm.sign_error_rate:.0%})"
        )
    if weighting.dirichlet is not None:
        spread = weighting.dirichlet
        text += (
            f"; over random weightings the apparent gap spans {spread.q05:+.3f} to {spread.q95:+.3f} "
            f"(wrong sign in {spread.sign_flip_share:.0%})"
        )
    if weighting.model_suite_dirichlet is not None:
        spread = weighting.model_suite_dirichlet
        text += (
            f", the model's suite gap {spread.q05:+.3f} to {spread.q95:+.3f} (wrong sign in "
            f"{spread.sign_flip_share:.0%})"
        )
    if weighting.kind == WeightScheme.adversarial.value and weighting.flip_distance.median is not None:
        text += (
            f"; moving {weighting.flip_distance.median:.0%} of the weight (median, total variation) flips "
            "the apparent gap's sign"
        )
    return text
