"""The leaderboard exports: HELM release files (groups/*.json) and Every Eval Ever records, read into the one
ScoreTable, on small files written in their documented formats; and their bad files' one-line errors.

The formats: HELM's ``summarize.py`` (a JSON list of ``Table``s; null fields dropped when written, the run count in a
cell's description) and Every Eval Ever's ``eval.schema.json`` 0.3.0 (one record per model and source, in
``data/<collection>/<developer>/<model>/<uuid>.json``).
"""

import json
import logging
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from benchgap.config import DataConfig
from benchgap.errors import InputError
from benchgap.lenses import mean_win_rate
from benchgap.table import read_table
from tests.conftest import DATA, ROOT, composed, run_cli


def cells(table) -> dict[tuple[str, str], float]:
    """(model, benchmark) -> score of every observed cell."""
    return {
        (table.models[m], table.benchmarks[b]): float(s)
        for m, b, s in zip(table.model_idx, table.bench_idx, table.score, strict=True)
    }


# --- HELM ------------------------------------------------------------------------------------------------------


def helm_header(name: str, metric: str, lower: bool | None = False) -> dict[str, Any]:
    cell: dict[str, Any] = {
        "value": f"{name} - {metric}",
        "description": f"The {name} scenario.\n\n{metric}: ...",
        "markdown": False,
        "metadata": {"metric": metric, "run_group": name},
    }
    if lower is not None:
        cell["lower_is_better"] = lower
    return cell


def helm_cell(value: float | None, runs: int = 1) -> dict[str, Any]:
    """A cell as HELM writes it: no ``value`` key when it had no runs (None fields are dropped)."""
    if value is None:
        return {"description": "No matching runs", "markdown": False}
    return {
        "value": value,
        "description": f"min={value:.3f}, mean={value:.3f}, max={value:.3f}, sum={value * runs:.3f} ({runs})",
        "style": {},
        "markdown": False,
        "run_spec_names": [f"run{i}" for i in range(runs)],
    }


def helm_file(
    folder: Path, scores: pd.DataFrame, *, win_rate: pd.Series | None = None, model_header: str = "Model"
) -> Path:
    """``scores`` (model x scenario, NaN missing) as ``core_scenarios.json``: an Accuracy table (metric EM, F1 for a
    scenario whose name ends in QA) with the mean win rate, and an Efficiency table in seconds."""
    metrics = {s: "F1" if s.endswith("QA") else "EM" for s in scores.columns}
    win = {"value": "Mean win rate", "description": "How many models ...", "markdown": False}
    accuracy = {
        "title": "Accuracy",
        "header": [
            {"value": model_header, "markdown": False, "metadata": {}},
            {**win, "lower_is_better": False, "metadata": {}},
            *(helm_header(s, metrics[s]) for s in scores.columns),
        ],
        "rows": [
            [
                {"value": model, "description": "", "markdown": False},
                {"markdown": False} if win_rate is None else {"value": float(win_rate[model]), "markdown": False},
                *(helm_cell(None if np.isnan(v) else float(v), runs=5) for v in row),
            ]
            for model, row in scores.iterrows()
        ],
        "links": [{"text": "LaTeX", "href": "x.tex"}, {"text": "JSON", "href": "x.json"}],
        "name": "accuracy",
    }
    efficiency = {
        "title": "Efficiency",
        "header": [accuracy["header"][0], helm_header(scores.columns[0], "Observed inference time (s)", lower=True)],
        "rows": [[{"value": m, "description": "", "markdown": False}, helm_cell(2.5)] for m in scores.index],
        "links": [],
        "name": "efficiency",
    }
    path = folder / "core_scenarios.json"
    path.write_text(json.dumps([accuracy, efficiency], indent=2))
    return path


@pytest.fixture(scope="module")
def helm_lite_as_json(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    """The shared HELM Lite table written back as the release file HELM's website serves."""
    table = pd.read_csv(DATA / "helm_lite_240829.csv", index_col="model", na_values=["-", ""])
    scores = table.drop(columns="helm_lite").rename(columns=lambda c: c.removeprefix("HELM_Lite_"))
    path = helm_file(tmp_path_factory.mktemp("helm"), scores, win_rate=table["helm_lite"], model_header="Model/adapter")
    return path, table


def test_helm_release_file_reads_as_the_same_table_as_its_csv(helm_lite_as_json):
    path, _ = helm_lite_as_json
    from_json = read_table(DataConfig(path=str(path), models=str(DATA / "helm_lite_240829_models.csv")))
    from_csv = read_table(
        DataConfig(
            path=str(DATA / "helm_lite_240829.csv"),
            models=str(DATA / "helm_lite_240829_models.csv"),
            aggregate_column="helm_lite",
        )
    )
    assert from_json.models == from_csv.models and from_json.groups == from_csv.groups
    assert from_json.benchmarks == tuple(b.removeprefix("HELM_Lite_") for b in from_csv.benchmarks)
    assert cells(from_json) == {(m, b.removeprefix("HELM_Lite_")): s for (m, b), s in cells(from_csv).items()}
    assert from_json.published == pytest.approx(from_csv.published)
    # HELM's published mean win rate is recomputed from the JSON's cells within its rounding (3 decimals).
    recomputed = dict(zip(from_json.models, mean_win_rate(from_json), strict=True))
    assert max(abs(recomputed[m] - v) for m, v in from_json.published.items()) < 0.005
    # The metric names come from the header; F1 is not a share of items, exact match is.
    shares = dict(zip(from_json.benchmarks, from_json.proportion, strict=True))
    assert not shares["NarrativeQA"] and shares["MMLU"]


def test_helm_cells_without_runs_are_missing_and_partial_runs_are_warned(tmp_path, caplog):
    scores = pd.DataFrame({"NarrativeQA": [0.7, 0.6, 0.5], "MMLU": [0.8, np.nan, 0.4]}, index=["A", "B", "C"])
    path = helm_file(tmp_path, scores)
    data = json.loads(path.read_text())
    data[0]["rows"][2][3] = helm_cell(0.4, runs=2)  # C's MMLU merges 2 of the 5 subjects
    path.write_text(json.dumps(data))
    with caplog.at_level(logging.WARNING, logger="benchgap"):
        table = read_table(DataConfig(path=str(path)))
    assert table.n_cells == 5 and table.published == {}
    assert "1 cells average fewer runs than most of their column" in caplog.text and "C on MMLU" in caplog.text


@pytest.mark.parametrize(
    ("change", "overrides", "expected"),
    [
        (None, {"helm_table": "robustness"}, "no table named 'robustness' (data.helm_table); its tables are"),
        (None, {"helm_table": "efficiency"}, "is outside [0, 1]"),
        (lambda d: d[0]["header"][0].update(value="Name"), {}, "starts with the column 'Name', not one of"),
        (lambda d: d[0]["rows"][1].pop(), {}, "table 'Accuracy' row 2 has 3 cells and the header 4"),
        (lambda d: d[0]["rows"][0][2].update(value="0.7"), {}, "row 1: the cell value '0.7' is not a number"),
        (lambda d: [h.pop("lower_is_better", None) for h in d[0]["header"]], {}, "has no score column"),
        (None, {"rows": {"group": "US"}}, "data.rows filters the rows of CSV and Parquet tables"),
        (None, {"scale": 100.0}, "read on its own stated scale: remove data.scale"),
    ],
)
def test_bad_helm_files_get_one_line_errors(tmp_path, change, overrides, expected):
    path = helm_file(tmp_path, pd.DataFrame({"NarrativeQA": [0.7, 0.6], "MMLU": [0.8, 0.5]}, index=["A", "B"]))
    if change is not None:
        data = json.loads(path.read_text())
        change(data)
        path.write_text(json.dumps(data))
    with pytest.raises(InputError, match=None) as err:
        read_table(DataConfig(path=str(path), **overrides))
    assert expected in str(err.value) and "\n" not in str(err.value)


# --- Every Eval Ever -------------------------------------------------------------------------------------------


def eee_record(
    model_id: str,
    results: dict[str, float],
    *,
    relationship: str = "third_party",
    source: str = "Example Eval Lab",
    availability: str = "open_weights",
    percent: bool = False,
    retrieved: float = 1767700000.0,
) -> dict[str, Any]:
    """One record of the schema 0.3.0: ``results`` benchmark -> score (a proportion, or a percent with its range)."""
    top = 100.0 if percent else 1.0
    return {
        "schema_version": "0.3.0",
        "evaluation_id": f"{source}/{model_id.replace('/', '_')}/{retrieved:.0f}",
        "retrieved_timestamp": f"{retrieved}",
        "source_metadata": {
            "source_name": source,
            "source_type": "documentation" if relationship == "first_party" else "evaluation_run",
            "source_organization_name": source,
            "evaluator_relationship": relationship,
        },
        "eval_library": {"name": "lm-evaluation-harness", "version": "0.4.9"},
        "model_info": {
            "name": model_id.split("/")[1],
            "id": model_id,
            "developer": model_id.split("/")[0],
            "additional_details": {"deployment_type": "self_deployed", "model_availability": availability},
        },
        "evaluation_results": [
            {
                "evaluation_result_id": f"{name}/overall",
                "evaluation_name": name,
                "source_data": {"dataset_name": name, "source_type": "hf_dataset", "samples_number": 1000},
                "metric_config": {
                    "metric_id": "accuracy",
                    "metric_name": "Accuracy",
                    "metric_kind": "accuracy",
                    "metric_unit": "percent" if percent else "proportion",
                    "lower_is_better": False,
                    "score_type": "continuous",
                    "min_score": 0.0,
                    "max_score": top,
                },
                "score_details": {
                    "score": score * top,
                    "uncertainty": {"standard_error": {"value": 0.01 * top, "method": "analytic"}},
                },
            }
            for name, score in results.items()
        ],
    }


def write_record(root: Path, collection: str, record: dict[str, Any], model_id: str = "") -> Path:
    developer, model = (model_id or record["model_info"]["id"]).split("/", 1)
    folder = root / "data" / collection / developer / model.replace("/", "_")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4()}.json"
    path.write_text(json.dumps(record, indent=2))
    return path


@pytest.fixture
def datastore(tmp_path) -> Path:
    """Two open models and a closed one evaluated by a lab (one record in percent), and one self-report."""
    write_record(tmp_path, "lab", eee_record("meta-llama/Llama-3.1-8B", {"MMLU-Pro": 0.45, "GPQA": 0.30}))
    write_record(tmp_path, "lab", eee_record("Qwen/Qwen2.5-7B", {"MMLU-Pro": 0.54, "GPQA": 0.33}, percent=True))
    write_record(
        tmp_path, "lab", eee_record("openai/gpt-4o", {"MMLU-Pro": 0.72, "GPQA": 0.50}, availability="closed_weights")
    )
    card = eee_record("Qwen/Qwen2.5-7B", {"MMLU-Pro": 0.56}, relationship="first_party", source="Qwen model card")
    write_record(tmp_path, "card", card)
    (tmp_path / "data" / "card" / "notes.txt").write_text("not a record")
    return tmp_path / "data"


def test_records_become_one_table_with_self_reports_apart(datastore):
    table = read_table(DataConfig(path=str(datastore), organizations=str(ROOT / "conf/data/organizations.csv")))
    assert set(table.models) == {"meta-llama/Llama-3.1-8B", "Qwen/Qwen2.5-7B", "openai/gpt-4o"}
    # MMLU-Pro comes from the lab and from a model card: two benchmarks, each with its own difficulty.
    assert set(table.benchmarks) == {"MMLU-Pro [Example Eval Lab]", "MMLU-Pro [first-party]", "GPQA"}
    got = cells(table)
    assert got["Qwen/Qwen2.5-7B", "MMLU-Pro [Example Eval Lab]"] == pytest.approx(0.54)  # 54 of [0, 100]
    assert got["Qwen/Qwen2.5-7B", "MMLU-Pro [first-party]"] == pytest.approx(0.56)
    np.testing.assert_allclose(table.stderr, 0.01)  # the standard error rescaled with its score
    assert dict(zip(table.models, table.groups, strict=True)) == {
        "meta-llama/Llama-3.1-8B": "US",
        "Qwen/Qwen2.5-7B": "China",
        "openai/gpt-4o": "US",
    }


def test_evaluators_and_open_weights_grouping(datastore):
    third = read_table(DataConfig(path=str(datastore), evaluators=["third_party"]), group_by="weights")
    assert set(third.benchmarks) == {"MMLU-Pro", "GPQA"} and third.n_cells == 6
    assert dict(zip(third.models, third.groups, strict=True))["openai/gpt-4o"] == "closed"
    assert third.group_counts() == {"open": 2, "closed": 1}


def test_a_re_scraped_record_keeps_the_latest(datastore):
    newer = eee_record("meta-llama/Llama-3.1-8B", {"MMLU-Pro": 0.47, "GPQA": 0.31}, retrieved=1800000000.0)
    write_record(datastore.parent, "lab", newer)
    table = read_table(DataConfig(path=str(datastore), evaluators=["third_party"]))
    assert cells(table)["meta-llama/Llama-3.1-8B", "MMLU-Pro"] == pytest.approx(0.47) and table.n_cells == 6


def test_one_record_file_reads_alone(datastore):
    file = next((datastore / "lab" / "openai").rglob("*.json"))
    assert read_table(DataConfig(path=str(file))).n_cells == 2


def bad_record(change) -> dict[str, Any]:
    record = eee_record("meta-llama/Llama-3.1-8B", {"MMLU-Pro": 0.45, "GPQA": 0.30})
    change(record)
    return record


def unbounded(record: dict[str, Any]) -> None:
    record["evaluation_results"][0]["metric_config"].update(min_score=None, max_score="Infinity", metric_unit="elo")


@pytest.mark.parametrize(
    ("change", "overrides", "expected"),
    [
        (
            lambda r: r["source_metadata"].update(evaluator_relationship="self"),
            {},
            "evaluator_relationship is 'self'; allowed values are ['first_party', 'third_party'",
        ),
        (unbounded, {}, "the score has no finite range"),
        (unbounded, {"drop": ["MMLU-Pro"]}, None),  # the fix the message names works
        (
            lambda r: r["evaluation_results"][1]["score_details"].update(score=1.5),
            {},
            "evaluation_results[1] ('GPQA'): score 1.5 is outside its range [0, 1]",
        ),
        (lambda r: r.pop("model_info"), {}, "not an Every Eval Ever record"),
        (lambda r: None, {"evaluators": ["second_party"]}, "data.evaluators=['second_party']: allowed values are"),
        (lambda r: None, {"evaluators": ["collaborative"]}, "none of the 1 records has results from evaluators"),
    ],
)
def test_bad_records_get_one_line_errors(tmp_path, change, overrides, expected):
    path = write_record(tmp_path, "lab", bad_record(change), "meta-llama/Llama-3.1-8B")
    settings = DataConfig(path=str(tmp_path / "data"), **overrides)
    if expected is None:
        assert read_table(settings).benchmarks == ("GPQA",)
        return
    with pytest.raises(InputError) as err:
        read_table(settings)
    message = str(err.value)
    assert expected in message and "\n" not in message
    assert str(path) in message or "data.evaluators" in message


def test_bad_json_and_empty_folders(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"model_info": ')
    with pytest.raises(InputError, match=r"broken.json' is not valid JSON \(line 1"):
        read_table(DataConfig(path=str(broken)))
    other = tmp_path / "other.json"
    other.write_text('{"model": "A"}')
    with pytest.raises(InputError, match=r"neither a HELM groups file .* nor an Every Eval Ever record"):
        read_table(DataConfig(path=str(other)))
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"holds no \.json records"):
        read_table(DataConfig(path=str(tmp_path / "empty")))


def test_the_cli_reports_a_bad_record_in_one_line(tmp_path):
    write_record(tmp_path, "lab", bad_record(unbounded))
    result = run_cli("fit", f"data.path={tmp_path / 'data'}", f"hydra.run.dir={tmp_path / 'run'}", timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "the score has no finite range" in result.stderr and not (tmp_path / "run" / "summary.json").exists()


# --- model metadata: open or closed weights --------------------------------------------------------------------


def test_more_models_adds_columns_and_later_files_win(tmp_path):
    scores = tmp_path / "scores.csv"
    scores.write_text("model,MMLU,GSM8K\nA,0.5,0.6\nB,0.4,0.3\nC,0.7,0.8\n")
    first = tmp_path / "models.csv"
    first.write_text("model,group,weights\nA,US,closed\nB,China,\nC,US,open\n")
    later = tmp_path / "weights.csv"
    later.write_text("model,weights\nA,open\nB,open\n")
    settings = DataConfig(path=str(scores), models=str(first), more_models=[str(later)])
    assert read_table(settings).groups == ("US", "China", "US")  # the first file's groups stay
    assert read_table(settings, group_by="weights").groups == ("open", "open", "open")  # A's later value wins


def test_the_shipped_helm_lite_weights_split_its_models_open_and_closed():
    table = read_table(composed("fit", "data=helm_lite").data, group_by="weights")
    assert table.group_counts() == {"closed": 35, "open": 37}
    weights = dict(zip(table.models, table.groups, strict=True))
    assert weights["GPT-4o (2024-05-13)"] == "closed" and weights["Llama 3.1 Instruct Turbo (405B)"] == "open"
