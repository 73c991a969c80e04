"""Every Eval Ever records (the EvalEval coalition's shared schema, ``eval.schema.json`` 0.3.0; the datastore
``data/<collection>/<developer>/<model>/<uuid>.json``) as the long frame :func:`benchgap.table.read.read_table`
assembles.

A record is one model's results from one source: ``model_info`` (``id``, ``developer``,
``additional_details.model_availability``), ``source_metadata`` (``source_organization_name`` and
``evaluator_relationship``: first_party | third_party | collaborative | other, relative to the model's developer) and
``evaluation_results`` (per result ``evaluation_name``, ``metric_config`` with ``lower_is_better`` and the score's
range, ``score_details`` with ``score`` and optional ``uncertainty.standard_error``).

What the reader decides:
- A model is named by ``model_info.id`` (``meta-llama/Llama-3.1-8B-Instruct``); its ``organization`` (the developer,
  for ``data.organizations``) and ``weights`` (open | closed, for ``gap.by=weights``) come along.
- Scores are put on [0, 1] with the record's own ``min_score`` / ``max_score`` (or its unit, percent or proportion);
  a score without a range cannot be compared and is an error naming the file.
- The same evaluation reported by the developer and by others is not one benchmark: self-reported numbers come from
  other prompts, harnesses and selection. An evaluation reported by more than one provenance (first-party, or each
  other source organization) becomes one benchmark per provenance, ``"MMLU-Pro [first-party]"``, so the model gives
  each its own difficulty. ``data.evaluators`` keeps only some relationships (e.g. ``[third_party]``).
- A model's repeated records of one benchmark from one provenance (re-scrapes) keep the latest ``retrieved_timestamp``.
"""

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchgap.data_settings import RELATIONSHIPS
from benchgap.errors import InputError

log = logging.getLogger("benchgap")

WEIGHTS = {"open_weights": "open", "closed_weights": "closed"}
UNIT_RANGES = {"proportion": (0.0, 1.0), "percent": (0.0, 100.0), "percentage": (0.0, 100.0)}
ITEM_SHARES = frozenset({"accuracy", "exact_match", "pass_rate"})  # metric kinds that are shares of test items


def is_record(data: Any) -> bool:
    """A parsed JSON value shaped like one Every Eval Ever record."""
    return isinstance(data, dict) and {"evaluation_results", "model_info", "source_metadata"} <= data.keys()


def record_files(folder: Path) -> list[Path]:
    """The record files under ``folder`` (the datastore's ``data/`` or any part of it), in path order; the per-sample
    ``*_samples.jsonl`` files beside them are not scores."""
    files = sorted(p for p in folder.rglob("*.json") if p.is_file())
    if not files:
        raise InputError(
            f"data.path: the folder '{folder}' holds no .json records; give an Every Eval Ever datastore folder "
            "(data/<collection>/<developer>/<model>/<uuid>.json) or one score file"
        )
    return files


def records_long(records: list[tuple[Path, Any]], evaluators: list[str], drop: set[str]) -> pd.DataFrame:
    """The results of ``records`` ((file, parsed JSON) pairs) whose ``evaluator_relationship`` is in ``evaluators``,
    as a long frame of text cells: model, benchmark, score, stderr, n_items and the benchmark's and model's
    metadata. Evaluations named in ``drop`` (``data.drop``) are left out before they are read."""
    unknown = [e for e in evaluators if e not in RELATIONSHIPS]
    if unknown or not evaluators:
        raise InputError(
            f"data.evaluators={evaluators}: allowed values are {list(RELATIONSHIPS)}; list one or more of them"
        )
    rows = [row for path, record in records for row in _record_rows(path, record, set(evaluators), drop)]
    if not rows:
        raise InputError(
            f"data.path: none of the {len(records)} records has results from evaluators {evaluators} "
            f"(data.evaluators); allowed are {list(RELATIONSHIPS)}"
        )
    long = pd.DataFrame.from_records(rows)
    long["_row"] = np.arange(len(long))
    provenances = long.groupby("evaluation")["provenance"].transform("nunique")
    long["benchmark"] = np.where(
        provenances > 1, long["evaluation"] + " [" + long["provenance"] + "]", long["evaluation"]
    )
    long = long.sort_values("retrieved", kind="stable")
    repeated = long.duplicated(subset=["model", "benchmark"], keep="last")
    if repeated.any():
        log.info("Every Eval Ever: %d older repeats of a (model, benchmark) dropped; the latest kept", repeated.sum())
    long = long[~repeated].sort_values("_row", kind="stable")
    return long.drop(columns=["evaluation", "provenance", "retrieved"]).reset_index(drop=True)


def _record_rows(path: Path, record: Any, evaluators: set[str], drop: set[str]) -> list[dict[str, Any]]:
    if not is_record(record):
        raise InputError(
            f"{path}: not an Every Eval Ever record (it needs model_info, source_metadata and evaluation_results); "
            "remove it from the folder or fix it"
        )
    source, model = record["source_metadata"], record["model_info"]
    relationship = source.get("evaluator_relationship") if isinstance(source, dict) else None
    if relationship not in RELATIONSHIPS:
        raise InputError(
            f"{path}: source_metadata.evaluator_relationship is {relationship!r}; allowed values are "
            f"{list(RELATIONSHIPS)}: fix the record"
        )
    if not isinstance(model, dict) or not model.get("id"):
        raise InputError(f"{path}: model_info.id is missing; every record names its model (e.g. 'org/model')")
    if relationship not in evaluators:
        return []
    details = model.get("additional_details") or {}
    provenance = "first-party" if relationship == "first_party" else str(source.get("source_organization_name", ""))
    base = {
        "model": str(model["id"]),
        "organization": str(model.get("developer") or str(model["id"]).split("/")[0]),
        "weights": WEIGHTS.get(str(details.get("model_availability", "")), ""),
        "provenance": provenance or "unnamed source",
        "retrieved": _timestamp(record.get("retrieved_timestamp")),
    }
    results = record["evaluation_results"]
    if not isinstance(results, list):
        raise InputError(f"{path}: evaluation_results is not a list; fix the record")
    return [
        {**base, **_result(path, i, result)}
        for i, result in enumerate(results)
        if not (isinstance(result, dict) and str(result.get("evaluation_name")) in drop)
    ]


def _result(path: Path, i: int, result: Any) -> dict[str, Any]:
    where = f"{path}: evaluation_results[{i}]"
    if not isinstance(result, dict) or not {"evaluation_name", "metric_config", "score_details"} <= result.keys():
        raise InputError(f"{where} needs evaluation_name, metric_config and score_details; fix the record")
    metric, details = result["metric_config"], result["score_details"]
    name = str(result["evaluation_name"])
    score = details.get("score") if isinstance(details, dict) else None
    if not isinstance(score, int | float) or not np.isfinite(score):
        raise InputError(f"{where} ('{name}'): score_details.score {score!r} is not a finite number; fix the record")
    low, high = _range(metric, where, name)
    if not low <= score <= high:
        raise InputError(f"{where} ('{name}'): score {score:g} is outside its range [{low:g}, {high:g}]; fix it")
    stderr = ((details.get("uncertainty") or {}).get("standard_error") or {}).get("value")
    items = (result.get("source_data") or {}).get("samples_number") or (details.get("uncertainty") or {}).get(
        "num_samples"
    )
    share = str(metric.get("metric_kind", metric.get("metric_id", ""))).lower() in ITEM_SHARES
    return {
        "evaluation": name,
        "score": repr((score - low) / (high - low)),
        "stderr": repr(stderr / (high - low)) if isinstance(stderr, int | float) and stderr > 0 else "",
        "n_items": str(int(items)) if share and isinstance(items, int) and items > 0 and not stderr else "",
        "higher_is_better": "false" if metric.get("lower_is_better") else "true",
        "metric": str(metric.get("metric_name") or metric.get("metric_id") or ""),
        "proportion": "true" if share else "",
    }


def _range(metric: Any, where: str, name: str) -> tuple[float, float]:
    """The score's range: ``min_score`` / ``max_score`` when both are finite numbers, else its unit's."""
    if not isinstance(metric, dict):
        raise InputError(f"{where} ('{name}'): metric_config is not an object; fix the record")
    low, high = metric.get("min_score"), metric.get("max_score")
    if isinstance(low, int | float) and isinstance(high, int | float) and np.isfinite([low, high]).all() and high > low:
        return float(low), float(high)
    unit = str(metric.get("metric_unit", "")).lower()
    if unit in UNIT_RANGES:
        return UNIT_RANGES[unit]
    raise InputError(
        f"{where} ('{name}'): the score has no finite range (min_score {low!r}, max_score {high!r}, metric_unit "
        f"{unit or 'unset'!r}), so it cannot be put on [0, 1]; leave the benchmark out with data.drop=['{name}']"
    )


def _timestamp(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("-inf")
