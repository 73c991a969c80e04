"""Compare the numbers two runs wrote: every JSON value and CSV cell of two output folders, file by file.

    python benchmarks/same_numbers.py BEFORE_DIR AFTER_DIR

Timings, versions, settings hashes and echoed settings are skipped (they differ between any two runs); every other
number must be equal (to 1e-12 relative, the printing noise of a float), every text identical. Prints each
difference and exits 1 if there is any. Used to check that a refactoring leaves a job's outputs unchanged.
"""

import json
import math
import sys
from pathlib import Path

import pandas as pd

SKIPPED = {"seconds", "seconds_this_run", "fit_seconds", "benchgap_version", "settings_key", "parameters", "config"}
SKIPPED_COLUMNS = {"fit_seconds"}


def differences(before: object, after: object, where: str) -> list[str]:
    if isinstance(before, dict) and isinstance(after, dict):
        out = []
        for key in sorted(set(before) | set(after)):
            if key in SKIPPED:
                continue
            if key not in before or key not in after:
                out.append(f"{where}.{key}: only in {'after' if key in after else 'before'}")
                continue
            out += differences(before[key], after[key], f"{where}.{key}")
        return out
    if isinstance(before, list) and isinstance(after, list):
        if len(before) != len(after):
            return [f"{where}: {len(before)} items before, {len(after)} after"]
        return [
            d for i, (b, a) in enumerate(zip(before, after, strict=True)) for d in differences(b, a, f"{where}[{i}]")
        ]
    if isinstance(before, int | float) and isinstance(after, int | float) and not isinstance(before, bool):
        same = math.isclose(before, after, rel_tol=1e-12, abs_tol=1e-15) or (math.isnan(before) and math.isnan(after))
        return [] if same else [f"{where}: {before!r} -> {after!r}"]
    return [] if before == after else [f"{where}: {before!r} -> {after!r}"]


def csv_differences(before: Path, after: Path, where: str) -> list[str]:
    b, a = pd.read_csv(before), pd.read_csv(after)
    b, a = (
        b.drop(columns=[c for c in SKIPPED_COLUMNS if c in b]),
        a.drop(columns=[c for c in SKIPPED_COLUMNS if c in a]),
    )
    if list(b.columns) != list(a.columns) or b.shape != a.shape:
        return [f"{where}: columns or shape differ ({b.shape} {list(b.columns)} vs {a.shape} {list(a.columns)})"]
    return differences(json.loads(b.to_json(orient="records")), json.loads(a.to_json(orient="records")), where)


def main(before_dir: Path, after_dir: Path) -> int:
    found, compared = [], 0
    for before in sorted(before_dir.rglob("*")):
        relative = before.relative_to(before_dir)
        after = after_dir / relative
        if before.suffix not in {".json", ".csv"} or ".hydra" in relative.parts:
            continue
        if not after.exists():
            found.append(f"{relative}: missing after")
            continue
        compared += 1
        if before.suffix == ".json":
            found += differences(json.loads(before.read_text()), json.loads(after.read_text()), str(relative))
        else:
            found += csv_differences(before, after, str(relative))
    print("\n".join(found) if found else f"same numbers in all {compared} files")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
