"""Two `benchgap simulate` runs of the same worlds side by side: 90% coverage of each truth with its exact binomial
95% interval, convergence, and the run's seconds (issue 18: a faster sampler setting must keep the coverage).

    uv run benchgap simulate replicates=200 plots=false hydra.run.dir=outputs/issue18/baseline
    uv run benchgap simulate replicates=200 plots=false sampler=fast hydra.run.dir=outputs/issue18/fast
    uv run python benchmarks/coverage_pair.py outputs/issue18/baseline outputs/issue18/fast
"""

import argparse
import json
from pathlib import Path

from scipy.stats import binomtest

ROWS = (  # estimator, which truth, label
    ("bayes", None, "capability gap, capability truth"),
    ("bayes_suite", "suite", "suite gap, suite truth"),
    ("bayes_latent", None, "latent gap, capability truth"),
)


def coverage_cell(covered: float, worlds: int) -> str:
    count = round(covered * worlds)
    interval = binomtest(count, worlds).proportion_ci(0.95, method="exact")
    return f"{covered:.3f} ({count}/{worlds}; {interval.low:.3f}-{interval.high:.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path, help="run folders holding result.json")
    args = parser.parse_args()
    results = {run.name: json.loads((run / "result.json").read_text()) for run in args.runs}
    print("| run | sampler | seconds | " + " | ".join(label for *_, label in ROWS) + " | converged |")
    print("|---|---|---:|" + "---|" * len(ROWS) + "---:|")
    for name, result in results.items():
        estimators = result["estimators"]
        cells = []
        for estimator, truth, _ in ROWS:
            scored = estimators[estimator] if truth is None else estimators[estimator][truth]
            cells.append(coverage_cell(scored["coverage_90"], estimators[estimator]["replicates"]))
        share = estimators["bayes"]["converged_share"]
        print(
            f"| {name} | {result['inference']} | {result['seconds_this_run']:.0f} | " + " | ".join(cells) + f" | "
            f"{share:.3f} |"
        )


if __name__ == "__main__":
    main()
