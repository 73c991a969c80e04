"""The words of a sweep report: what flips the headline and at what size, the weights, calibration and
inflation, in plain sentences tied to the numbers behind them."""

import numpy as np
import pandas as pd

from benchgap.estimators import Estimator, coverage_name
from benchgap.jobs.report.analysis import WEIGHT_CHANGE, WHO, SweepAnalysis, setting_text, varying
from benchgap.metrics import coverage_text
from benchgap.sensitivity import SURROGATE_WHERE, swing

NAIVE, BAYES = Estimator.composite.value, Estimator.bayes.value
DRAW_SIGNS = (
    "No reweighting of the benchmarks can reverse the sign of any posterior draw of the model's gap: its expected "
    "scores rank the models the same way on every benchmark (one latent capability), so P(a ahead) does not "
    "depend on the weights. Only its size moves, and with it the posterior mean, whose weight change is given."
)


def opening(analysis: SweepAnalysis, *, flip_share: float, level: int) -> tuple[list[str], str | None]:
    """At most three plain sentences a reader can act on: what moved the headline and by how much, whether it
    flipped, and whether the model stayed honest; and the swept parameter whose figure goes with them."""
    results = analysis.results
    naive = results[results["estimator"] == NAIVE] if not results.empty else results
    if naive.empty:
        return ["No job finished, so there is nothing to judge yet; see the failed and missing jobs below."], None
    params = varying(analysis.sweep, results)
    if not params:
        return [f"The finished jobs do not differ in a swept parameter: {len(naive)} job(s), no comparison."], None
    moves = swing(naive, params=params, output="mean_estimate", continuous=analysis.sweep.design is not None)
    top = moves.iloc[0]
    sentences = [
        f"The headline (naive) gap moved most with {top['parameter']}: from {top['low']:+.3f} at "
        f"{top['parameter']}={_short(top['low_at'])} to {top['high']:+.3f} at {_short(top['high_at'])} "
        f"(mean true gap {naive['mean_truth'].mean():+.3f})."
    ]
    flipped = naive[naive["sign_error_rate"] >= flip_share]
    worst = naive["sign_error_rate"].max()
    sentences.append(
        f"Its sign was wrong in at least {flip_share:.0%} of the worlds in {len(flipped)} of {len(naive)} jobs."
        if len(flipped)
        else f"Its sign was wrong in at most {worst:.0%} of the worlds of any job: nothing swept here flips it."
    )
    sentences.append(_honesty_sentence(results, level=level))
    return sentences, str(top["parameter"])


def _honesty_sentence(results: pd.DataFrame, *, level: int) -> str:
    """Whether the model's intervals held: jobs whose coverage is below nominal beyond binomial error."""
    column, nominal = coverage_name(level), level / 100
    model = results[results["estimator"] == BAYES].dropna(subset=[column])
    if model.empty:
        return "The Bayesian model was not fitted in this sweep (bayes=false): only the naive estimators were scored."
    tolerance = 1.96 * np.sqrt(nominal * (1 - nominal) / model["replicates"])
    lost = model[model[column] < nominal - tolerance]
    lowest = model.sort_values(column, kind="stable").iloc[0]
    low_text = coverage_text(lowest[column], int(lowest["replicates"]))
    if lost.empty:
        return (
            f"The model's {level}% intervals stayed within binomial error of nominal in all {len(model)} jobs (lowest "
            f"coverage {low_text})."
        )
    return (
        f"The model's {level}% intervals lost calibration in {len(lost)} of {len(model)} jobs (lowest coverage "
        f"{low_text}, nominal {nominal:.2f}): read its gaps there as over-confident."
    )


def _short(value: object) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def verdict(analysis: SweepAnalysis, *, flip_share: float, level: int) -> list[str]:
    """The report's plain-words findings: what flips the headline and at what size, and calibration."""
    results = analysis.results
    if results.empty:
        return ["No job finished, so there is nothing to judge yet; see the failed and missing jobs below."]
    params = varying(analysis.sweep, results)
    found = _flip_sentences(analysis, params, flip_share=flip_share)
    found += _weight_sentences(analysis)
    found += _calibration_sentences(results, params, level=level)
    found += _inflation_sentences(results, params)
    sens = analysis.sensitivity
    for output in dict.fromkeys(sens["output"]) if not sens.empty else []:
        part = sens[sens["output"] == output].dropna(subset=["total"])
        if part.empty:
            continue
        top = part.loc[part["total"].idxmax()]
        found.append(
            f"The {output} varies most with {top['parameter']} (total index {top['total']:.2f}, 95% interval "
            f"{top['total_low']:.2f} to {top['total_high']:.2f})."
        )
    return found


def _inflation_sentences(results: pd.DataFrame, params: list[str]) -> list[str]:
    """Jobs fitted with ``model=contamination_aware``: how well it found the injected inflation, and false alarms."""
    if "inflation_false_positive_rate" not in results:
        return []
    rows = results[(results["estimator"] == BAYES) & results["inflation_false_positive_rate"].notna()]
    out = []
    for _, row in rows.iterrows():
        auc = row["inflation_auc_mean"]
        found = (
            "no inflated cells to find"
            if pd.isna(auc)
            else f"inflation AUC {auc:.2f} (worst world {row['inflation_auc_min']:.2f})"
        )
        specialists = row.get("inflation_specialist_false_positive_rate")
        out.append(
            f"Contamination-aware model where {setting_text(row, params)}: {found}; "
            f"{row['inflation_false_positive_rate']:.1%} of clean cells flagged"
            + ("" if specialists is None or pd.isna(specialists) else f", {specialists:.1%} of the specialists' ones")
            + "."
        )
    return out


def _flip_sentences(analysis: SweepAnalysis, params: list[str], *, flip_share: float) -> list[str]:
    """Measured first (jobs past the flip share), then the breakdown points along each numeric parameter."""
    out = []
    share = f"{flip_share:.0%}"
    table, results = analysis.breakdowns, analysis.results
    for estimator, who in WHO.items():
        rows = results[results["estimator"] == estimator]
        if rows.empty:
            continue
        past = rows[rows["sign_error_rate"] >= flip_share].sort_values("sign_error_rate", ascending=False)
        worst = rows.iloc[int(np.argmax(rows["sign_error_rate"].to_numpy(float)))]
        if past.empty:
            out.append(
                f"In no job does {who} have the wrong sign in {share} of the worlds: at most "
                f"{worst['sign_error_rate']:.0%}, where {setting_text(worst, params)}."
            )
        else:
            named = "; ".join(
                f"{setting_text(r, params)} ({r['sign_error_rate']:.0%})" for _, r in past.head(3).iterrows()
            )
            more = f"; and {len(past) - 3} more" if len(past) > 3 else ""
            out.append(
                f"{who.capitalize()} has the wrong sign in at least {share} of the worlds in {len(past)} of "
                f"{len(rows)} jobs: {named}{more}."
            )
        if table.empty:
            continue
        mine = table[(table["estimator"] == estimator) & (table["parameter"] != WEIGHT_CHANGE)]
        for param, part in mine.groupby("parameter", sort=False):
            out.append(_breakdown_sentence(str(param), part, who=who, share=share))
    return out


def _breakdown_sentence(param: str, part: pd.DataFrame, *, who: str, share: str) -> str:
    """One parameter's breakdown for one estimator, over the settings of the other parameters."""
    span = f"from {part['swept_from'].min():g} to {part['swept_to'].max():g}"
    surrogate = part["where"].str.startswith(SURROGATE_WHERE).all()
    condition = f" ({part['where'].iloc[0]})" if surrogate else ""
    flips = part[part["breakdown"].notna()]
    if flips.empty:
        text = (
            f"Along {param} {span}{condition}, {who} never has the wrong sign in {share} of the worlds "
            f"(at most {part['max_flip'].max():.0%})"
        )
    else:
        pieces = []
        for _, row in flips.sort_values("interpolated").head(3).iterrows():
            piece = f"{row['breakdown']:.3g}"
            if row["breakdown"] == row["swept_from"]:
                piece += " (already the smallest value swept)"
            elif row["interpolated"] != row["breakdown"]:
                piece += f" (interpolated {row['interpolated']:.3g})"
            if not surrogate and row["where"] != "all jobs":
                piece += f" where {row['where']}"
            pieces.append(piece)
        text = f"Along {param}{condition}, {who} has the wrong sign in {share} of the worlds from " + ", and ".join(
            pieces
        )
        if len(flips) > 3:
            text += f", and in {len(flips) - 3} more settings (breakdown.csv)"
        steady = part[part["breakdown"].isna()]
        if not steady.empty:
            never = "; ".join(steady["where"].head(3)) + ("; ..." if len(steady) > 3 else "")
            text += f"; never where {never} (up to {part['swept_to'].max():g})"
    crossing = part.dropna(subset=["mean_gap_flips_at"]).sort_values("mean_gap_flips_at")
    if not crossing.empty:
        first = crossing.iloc[0]
        where = "" if surrogate or first["where"] == "all jobs" else f" where {first['where']}"
        text += f". Its gap averaged over the worlds reaches zero at {param} = {first['mean_gap_flips_at']:.3g}{where}"
    return text + "."


def _weight_sentences(analysis: SweepAnalysis) -> list[str]:
    out: list[str] = []
    table = analysis.breakdowns
    if table.empty:
        return out
    weights = table[table["parameter"] == WEIGHT_CHANGE]
    for estimator, what in ((NAIVE, "the naive apparent gap"), (BAYES, "the model's posterior-mean gap")):
        mine = weights[weights["estimator"] == estimator]
        if mine.empty:
            continue
        finite = mine[np.isfinite(mine["breakdown"].to_numpy(float))]
        text = f"Reweighting the benchmarks, adversarially per world, reverses the sign of {what} in half of the "
        text += "worlds "
        if finite.empty:
            text += "in no job: in every job more than half of the worlds cannot be reversed by any weights."
        else:
            low = finite.iloc[int(np.argmin(finite["breakdown"].to_numpy(float)))]
            low_share, high_share = f"{finite['breakdown'].min():.0%}", f"{finite['breakdown'].max():.0%}"
            span = low_share if low_share == high_share else f"{low_share} to {high_share}"
            text += f"once {span} of the weight moves (total variation, per job; smallest where {low['where']})"
            if len(finite) < len(mine):
                text += f"; in {len(mine) - len(finite)} job(s) more than half of the worlds cannot be reversed"
            text += "."
        out.append(text)
        if estimator == BAYES:
            out.append(DRAW_SIGNS)
    return out


def _calibration_sentences(results: pd.DataFrame, params: list[str], *, level: int) -> list[str]:
    out = []
    column, nominal = coverage_name(level), level / 100
    for estimator, name in ((BAYES, "Bayesian model's"), (NAIVE, "naive composite's binomial")):
        rows = results[(results["estimator"] == estimator)].dropna(subset=[column])
        if rows.empty:
            continue
        tolerance = 1.96 * np.sqrt(nominal * (1 - nominal) / rows["replicates"])
        lost = rows[rows[column] < nominal - tolerance]
        ordered = rows.sort_values(column, kind="stable")
        low, high = ordered.iloc[0], ordered.iloc[-1]
        span = (
            f"coverage of the true score gap from {coverage_text(low[column], int(low['replicates']))} to "
            f"{coverage_text(high[column], int(high['replicates']))} against nominal {nominal:.2f}"
        )
        if lost.empty:
            out.append(f"The {name} {level}% intervals stay calibrated in every job ({span}).")
        else:
            worst = lost.sort_values(column).head(4)
            where = "; ".join(
                f"{setting_text(r, params)}: {coverage_text(r[column], int(r['replicates']))}"
                for _, r in worst.iterrows()
            )
            out.append(
                f"The {name} {level}% intervals lose calibration in {len(lost)} of {len(rows)} jobs ({span}; "
                f"coverage below {nominal:.2f} minus two binomial standard errors, about 2.5% of calibrated jobs "
                f"would be too). Worst: {where}."
            )
        if estimator == BAYES and "converged_share" in rows and (rows["converged_share"] < 1).any():
            out.append(
                f"Some model fits did not converge (lowest converged share {rows['converged_share'].min():.0%}); "
                "the 90% coverage over converged fits alone is in results.csv (coverage_90_converged)."
            )
    return out
