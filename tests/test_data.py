"""Reading score tables and the published-aggregate lenses, without fitting anything.

Covers ``benchgap.data.read_table`` on long and wide CSV, TSV and Parquet tables (missing-cell markers,
``data.scale``, ``higher_is_better`` flips, groups from a column or ``data.models``, ``n_items`` from
``data.benchmarks``, an aggregate column kept aside in ``table.published``); every bad input raising a
one-line :class:`InputError` that names the file, the line or key, and the fix; ``benchgap.lenses`` on a
hand-computed table with ties and a missing cell; and both on the real HELM Lite and Epoch tables in
``shared/data`` beside the repository.
"""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchgap.config import DataConfig
from benchgap.errors import InputError
from benchgap.lenses import lens_gap, mean_score, mean_win_rate
from benchgap.table import UNKNOWN_GROUP, read_table
from tests.conftest import DATA, composed, write

HELM = DataConfig(
    path=str(DATA / "helm_lite_240829.csv"),
    models=str(DATA / "helm_lite_240829_models.csv"),
    aggregate_column="helm_lite",
)
NAN = np.nan


def table_from(path: Path, **kwargs):
    return read_table(DataConfig(path=str(path), **kwargs))


def input_error(cfg: DataConfig, match: str, *, names: Path) -> str:
    """Read ``cfg`` expecting an InputError matching ``match``; the message is one line naming the file."""
    with pytest.raises(InputError, match=match) as info:
        read_table(cfg)
    message = str(info.value)
    assert "\n" not in message
    assert names.name in message
    return message


# --- reading good tables --------------------------------------------------------------------------------


def test_long_csv(tmp_path):
    path = write(
        tmp_path,
        "long.csv",
        "model,benchmark,score,group\nA,MMLU,0.5,US\nA,GSM8K,0.7,US\nB,MMLU,0.6,China\nC,GSM8K,0.25,\n",
    )
    table = table_from(path)
    assert table.models == ("A", "B", "C")
    assert table.benchmarks == ("MMLU", "GSM8K")
    assert table.groups == ("US", "China", UNKNOWN_GROUP)
    np.testing.assert_allclose(table.matrix(), [[0.5, 0.7], [0.6, NAN], [NAN, 0.25]])
    assert (table.n_cells, table.n_missing) == (4, 2)
    assert np.isnan(table.n_items).all() and np.isnan(table.stderr).all()
    assert table.categories == ("all", "all")
    np.testing.assert_array_equal(table.chance, [0.0, 0.0])
    assert table.published == {}
    assert table.source == str(path)


def test_select_keeps_the_chosen_models_and_benchmarks_with_their_cells(tmp_path):
    path = write(
        tmp_path,
        "long.csv",
        "model,benchmark,score,group\nA,MMLU,0.5,US\nA,GSM8K,0.7,US\nB,MMLU,0.6,China\nC,GSM8K,0.25,\n",
    )
    table = table_from(path).select(np.array([2, 0]), np.array([1]))
    assert table.models == ("C", "A") and table.groups == (UNKNOWN_GROUP, "US")
    assert table.benchmarks == ("GSM8K",)
    np.testing.assert_allclose(table.matrix(), [[0.25], [0.7]])


def test_long_csv_with_cell_n_items_and_stderr(tmp_path):
    path = write(
        tmp_path,
        "long.csv",
        "Model,Benchmark,Score,n_items,stderr\nA,MMLU,0.5,1000,0.02\nB,MMLU,0.6,,\nB,GSM8K,0.7,200,-\n",
    )
    table = table_from(path)
    assert table.models == ("A", "B")
    np.testing.assert_allclose(table.score, [0.5, 0.6, 0.7])
    # a cell without its own n_items takes its benchmark's (the first given in the table)
    np.testing.assert_array_equal(table.n_items, [1000, 1000, 200])
    np.testing.assert_allclose(table.stderr, [0.02, NAN, NAN])


def test_wide_csv_missing_markers_and_aggregate(tmp_path):
    path = write(
        tmp_path,
        "wide.csv",
        "model,average,MMLU,GSM8K,MATH\nA,0.6,0.5,-,0.7\nB,0.5,0.1,0.4,\nC,0.3,0.2,N/A,n/a\n",
    )
    table = table_from(path)
    assert table.models == ("A", "B", "C")
    assert table.benchmarks == ("MMLU", "GSM8K", "MATH")  # `average` is not a benchmark
    np.testing.assert_allclose(table.matrix(), [[0.5, NAN, 0.7], [0.1, 0.4, NAN], [0.2, NAN, NAN]])
    assert (table.n_cells, table.n_missing) == (5, 4)
    assert table.published == {"A": 0.6, "B": 0.5, "C": 0.3}
    assert table.groups == (UNKNOWN_GROUP,) * 3


def test_wide_tsv_first_text_column_is_model_and_group_column(tmp_path):
    path = write(
        tmp_path,
        "wide.tsv",
        "name\tgroup\tMMLU\tGSM8K\nA\tUS\t0.5\t0.9\nB\tChina\t0.3\t-\nC\t\t0.1\t\n",
    )
    table = table_from(path)
    assert table.models == ("A", "B", "C")
    assert table.groups == ("US", "China", UNKNOWN_GROUP)
    assert table.group_names == ("US", "China", UNKNOWN_GROUP)
    np.testing.assert_array_equal(table.group_idx, [0, 1, 2])
    assert table.benchmarks == ("MMLU", "GSM8K")
    np.testing.assert_allclose(table.matrix(), [[0.5, 0.9], [0.3, NAN], [0.1, NAN]])


def test_wide_table_keeps_row_order_of_models(tmp_path):
    path = write(tmp_path, "wide.csv", "model,group,MMLU,GSM8K\nA,US,0.5,0.9\nB,China,-,0.8\nC,Other,0.1,0.2\n")
    table = table_from(path)
    assert table.models == ("A", "B", "C")
    assert table.group_names == ("US", "China", "Other")


def test_long_parquet(tmp_path):
    path = tmp_path / "long.parquet"
    pd.DataFrame(
        {"model": ["A", "A", "B"], "benchmark": ["MMLU", "GSM8K", "MMLU"], "score": [0.5, 0.75, 0.25]}
    ).to_parquet(path)
    table = table_from(path)
    assert table.models == ("A", "B")
    assert table.benchmarks == ("MMLU", "GSM8K")
    np.testing.assert_allclose(table.matrix(), [[0.5, 0.75], [0.25, NAN]])


def test_wide_parquet_nulls_are_missing(tmp_path):
    path = tmp_path / "wide.parquet"
    pd.DataFrame({"model": ["A", "B"], "group": ["US", "China"], "MMLU": [0.5, None], "GSM8K": [0.9, 0.8]}).to_parquet(
        path
    )
    table = table_from(path)
    assert table.groups == ("US", "China")
    np.testing.assert_allclose(table.matrix(), [[0.5, 0.9], [NAN, 0.8]])
    assert table.n_cells == 3


def test_scale_100_divides_percentages(tmp_path):
    path = write(tmp_path, "pct.csv", "model,MMLU,GSM8K\nA,74.2,100\nB,0,55.5\n")
    table = table_from(path, scale=100)
    np.testing.assert_allclose(table.matrix(), [[0.742, 1.0], [0.0, 0.555]])


def test_benchmarks_metadata_flips_and_counts_items(tmp_path):
    scores = write(tmp_path, "wide.csv", "model,MMLU,ErrorRate,Other\nA,0.5,0.3,0.9\nB,0.6,0.1,-\n")
    meta = write(
        tmp_path,
        "benchmarks.csv",
        "benchmark,higher_is_better,n_items,category,chance\n"
        "MMLU,true,1000,knowledge,0.25\nErrorRate,false,200,safety,\n",
    )
    table = table_from(scores, benchmarks=str(meta))
    assert table.benchmarks == ("MMLU", "ErrorRate", "Other")
    np.testing.assert_allclose(table.matrix(), [[0.5, 0.7, 0.9], [0.6, 0.9, NAN]])  # ErrorRate -> 1 - score
    np.testing.assert_allclose(table.matrix(table.n_items), [[1000, 200, NAN], [1000, 200, NAN]])
    assert table.categories == ("knowledge", "safety", "all")
    np.testing.assert_allclose(table.chance, [0.25, 0.0, 0.0])


def test_metrics_that_are_not_shares_are_marked_and_take_no_item_counts(tmp_path):
    scores = write(tmp_path, "wide.csv", "model,QA,WMT\nA,0.5,0.2\nB,0.6,0.25\n")
    meta = write(tmp_path, "benchmarks.csv", "benchmark,metric,proportion\nQA,exact match,true\nWMT,BLEU-4,false\n")
    table = table_from(scores, benchmarks=str(meta))
    assert table.not_shares == {"WMT": "BLEU-4"} and table.select(np.arange(2), np.array([1])).not_shares
    counted = write(tmp_path, "counted.csv", "benchmark,proportion,n_items\nWMT,false,3000\n")
    message = input_error(
        DataConfig(path=str(scores), benchmarks=str(counted)), "marked proportion=false", names=scores
    )
    assert "remove its n_items or set proportion=true" in message


def test_presets_carry_chance_floors_and_metrics():
    """The HELM Lite and Epoch presets ship their benchmarks' chance floors and mark F1, BLEU and ratings."""
    helm = read_table(composed("fit", "data=helm_lite", f"data.path={HELM.path}", f"data.models={HELM.models}").data)
    chance = dict(zip(helm.benchmarks, helm.chance, strict=True))
    assert chance["HELM_Lite_MMLU"] == 0.25 and chance["HELM_Lite_GSM8K"] == 0.0
    assert helm.not_shares["HELM_Lite_WMT2014"] == "BLEU-4" and "HELM_Lite_MMLU" not in helm.not_shares
    epoch = read_table(composed("fit", "data=epoch", f"data.path={DATA / 'epoch_long.csv'}").data)
    chance = dict(zip(epoch.benchmarks, epoch.chance, strict=True))
    assert chance["Winogrande"] == 0.5 and chance["GPQA diamond"] == 0.25 and chance["GSM8K"] == 0.0


def test_groups_from_models_file(tmp_path):
    scores = write(tmp_path, "wide.csv", "model,MMLU\nA,0.5\nB,0.6\nC,0.7\n")
    models = write(tmp_path, "models.csv", "model,organization,group\nA,OpenAI,US\nB,Alibaba,China\nZ,X,Other\n")
    table = table_from(scores, models=str(models))
    assert table.groups == ("US", "China", UNKNOWN_GROUP)  # C is not in the file; Z is not in the table
    assert table.group_counts() == {"US": 1, "China": 1, UNKNOWN_GROUP: 1}


def test_explicit_aggregate_and_model_columns(tmp_path):
    path = write(tmp_path, "wide.csv", "rank,who,score_total,MMLU\n1,A,0.9,0.5\n2,B,0.1,0.4\n")
    table = table_from(path, model_column="who", aggregate_column="score_total", drop=["rank"])
    assert table.models == ("A", "B")
    assert table.benchmarks == ("MMLU",)
    assert table.published == {"A": 0.9, "B": 0.1}


# --- bad input: one line naming the file and where, with a fix ------------------------------------------


def test_missing_file(tmp_path):
    path = tmp_path / "nope.csv"
    input_error(DataConfig(path=str(path)), r"data\.path: file .*nope\.csv' not found; check the path", names=path)


def test_missing_models_file(tmp_path):
    scores = write(tmp_path, "wide.csv", "model,MMLU\nA,0.5\n")
    missing = tmp_path / "models.csv"
    input_error(
        DataConfig(path=str(scores), models=str(missing)),
        r"data\.models: file .* not found; check",
        names=missing,
    )


def test_unknown_extension(tmp_path):
    path = write(tmp_path, "scores.xlsx", "model,MMLU\nA,0.5\n")
    input_error(DataConfig(path=str(path)), r"unknown extension '\.xlsx'; use \.csv, \.tsv or \.parquet", names=path)


def test_garbage_parquet(tmp_path):
    path = tmp_path / "scores.parquet"
    path.write_bytes(b"this is not parquet\x00\x01\x02\xff")
    input_error(DataConfig(path=str(path)), r"data\.path: cannot read .* check the format", names=path)


def test_no_model_column(tmp_path):
    path = write(tmp_path, "numbers.csv", "a,b\n0.1,0.2\n0.3,0.4\n")
    input_error(
        DataConfig(path=str(path)),
        r"no model column; name it 'model' or set data\.model_column=NAME",
        names=path,
    )


def test_no_benchmark_columns(tmp_path):
    path = write(tmp_path, "models_only.csv", "model,group,average\nA,US,0.5\n")
    input_error(DataConfig(path=str(path)), r"no benchmark columns besides 'model'; a wide table needs", names=path)


def test_non_numeric_score_names_line(tmp_path):
    path = write(tmp_path, "long.csv", "model,benchmark,score\nA,MMLU,0.5\nB,MMLU,abc\n")
    message = input_error(
        DataConfig(path=str(path)),
        r"line 3 \(model 'B', benchmark 'MMLU'\): score 'abc' is not a number",
        names=path,
    )
    assert "mark a missing cell with '-'" in message


def test_non_numeric_score_in_wide_table_names_line(tmp_path):
    path = write(tmp_path, "wide.csv", "model,MMLU,GSM8K\nA,0.5,0.6\nB,0.4,0.3\nC,0.2,x\n")
    input_error(DataConfig(path=str(path)), r"line 4 \(model 'C', benchmark 'GSM8K'\): score 'x'", names=path)


def test_score_above_one_suggests_scale(tmp_path):
    path = write(tmp_path, "wide.csv", "model,MMLU\nA,0.5\nYi (34B),74.2\n")
    input_error(
        DataConfig(path=str(path)),
        r"line 3 \(model 'Yi \(34B\)', benchmark 'MMLU'\): score 74\.2 is outside \[0, 1\]"
        r".*set data\.scale=100",
        names=path,
    )


def test_score_above_scale(tmp_path):
    path = write(tmp_path, "wide.csv", "model,MMLU\nA,50\nB,120\n")
    input_error(DataConfig(path=str(path), scale=100), r"line 3 .*score 120 is outside \[0, 1\]", names=path)


def test_negative_score_does_not_suggest_percentages(tmp_path):
    path = write(tmp_path, "wide.csv", "model,MMLU\nA,0.5\nB,-0.1\n")
    message = input_error(DataConfig(path=str(path)), r"line 3 .*score -0\.1 is outside \[0, 1\]", names=path)
    assert "data.scale=100" not in message


def test_duplicate_rows(tmp_path):
    path = write(tmp_path, "long.csv", "model,benchmark,score\nA,MMLU,0.5\nB,MMLU,0.4\nA,MMLU,0.6\n")
    input_error(
        DataConfig(path=str(path)),
        r"line 2 and line 4 both score \(model 'A', benchmark 'MMLU'\); keep one row per model and benchmark",
        names=path,
    )


def test_duplicate_model_in_wide_table(tmp_path):
    path = write(tmp_path, "wide.csv", "model,MMLU\nA,0.5\nA,0.6\n")
    input_error(DataConfig(path=str(path)), r"line 2 and line 3 both score", names=path)


def test_fractional_cell_n_items(tmp_path):
    path = write(tmp_path, "long.csv", "model,benchmark,score,n_items\nA,MMLU,0.5,100\nB,MMLU,0.5,12.5\n")
    input_error(DataConfig(path=str(path)), r"line 3 .*n_items 12\.5 must be a positive whole number", names=path)


@pytest.mark.parametrize("bad", ["0", "-5"])
def test_non_positive_cell_n_items(tmp_path, bad):
    path = write(tmp_path, "long.csv", f"model,benchmark,score,n_items\nA,MMLU,0.5,{bad}\n")
    input_error(DataConfig(path=str(path)), rf"n_items {bad} must", names=path)


@pytest.mark.parametrize("bad", ["0", "-5"])
def test_non_positive_benchmark_n_items(tmp_path, bad):
    scores = write(tmp_path, "wide.csv", "model,MMLU\nA,0.5\n")
    meta = write(tmp_path, "benchmarks.csv", f"benchmark,n_items\nMMLU,{bad}\n")
    input_error(DataConfig(path=str(scores), benchmarks=str(meta)), rf"benchmark 'MMLU'.*n_items {bad}", names=meta)


def test_non_positive_benchmark_n_items_is_an_input_error(tmp_path):
    scores = write(tmp_path, "wide.csv", "model,MMLU\nA,0.5\n")
    meta = write(tmp_path, "benchmarks.csv", "benchmark,n_items\nMMLU,0\n")
    with pytest.raises(InputError, match=r"benchmark 'MMLU'.*n_items 0 must"):
        read_table(DataConfig(path=str(scores), benchmarks=str(meta)))


def test_fractional_benchmark_n_items_names_metadata_file(tmp_path):
    scores = write(tmp_path, "wide.csv", "model,MMLU\nA,0.5\n")
    meta = write(tmp_path, "benchmarks.csv", "benchmark,n_items\nMMLU,12.5\n")
    input_error(DataConfig(path=str(scores), benchmarks=str(meta)), r"n_items 12\.5", names=meta)


def test_header_only_table(tmp_path):
    path = write(tmp_path, "empty.csv", "model,benchmark,score\n")
    input_error(DataConfig(path=str(path)), r"holds no rows; it needs a header line", names=path)


def test_zero_byte_file(tmp_path):
    path = write(tmp_path, "blank.csv", "")
    input_error(DataConfig(path=str(path)), r"cannot read .* as CSV .*check the format", names=path)


def test_every_score_missing(tmp_path):
    path = write(tmp_path, "wide.csv", "model,MMLU,GSM8K\nA,-,\nB,n/a,--\n")
    input_error(DataConfig(path=str(path)), r"has no scores \(every cell is missing\); check the file", names=path)


def test_duplicate_model_in_models_file(tmp_path):
    scores = write(tmp_path, "wide.csv", "model,MMLU\nA,0.5\n")
    models = write(tmp_path, "models.csv", "model,group\nA,US\nB,China\nA,China\n")
    input_error(
        DataConfig(path=str(scores), models=str(models)),
        r"data\.models: .* line 4: model 'A' appears twice; keep one row per model",
        names=models,
    )


def test_line_numbers_count_blank_lines(tmp_path):
    path = write(tmp_path, "long.csv", "model,benchmark,score\n\nA,MMLU,0.5\nB,MMLU,abc\n")
    input_error(DataConfig(path=str(path)), r"line 4 \(model 'B'", names=path)


def test_repeated_column_name(tmp_path):
    path = write(tmp_path, "wide.csv", "model,MMLU,MMLU\nA,0.5,0.6\n")
    input_error(DataConfig(path=str(path)), r"'MMLU'.*twice", names=path)


# --- lenses ----------------------------------------------------------------------------------------------


def test_mean_win_rate_by_hand(tmp_path):
    # X: A and B tie above C. Y: B missing. Z: one score only, no comparison, skipped.
    path = write(tmp_path, "wide.csv", "model,X,Y,Z\nA,0.5,0.9,-\nB,0.5,-,0.3\nC,0.2,0.1,-\n")
    table = table_from(path)
    # A: X (1 worse + 1/2 tie) / 2 = 0.75, Y 1/1 = 1 -> 0.875; B: X 0.75 only; C: 0 and 0
    np.testing.assert_allclose(mean_win_rate(table), [0.875, 0.75, 0.0])
    np.testing.assert_allclose(mean_score(table), [0.7, 0.4, 0.15])


def test_mean_win_rate_without_comparisons_is_nan(tmp_path):
    path = write(tmp_path, "wide.csv", "model,X,Y\nA,0.5,-\nB,-,0.3\n")
    assert np.isnan(mean_win_rate(table_from(path))).all()


def test_lens_gap_by_hand(tmp_path):
    path = write(tmp_path, "wide.csv", "model,group,X\nA,US,0.5\nB,US,0.8\nC,China,0.4\nD,China,0.6\n")
    table = table_from(path)
    gap = lens_gap(mean_score(table), table, a="US", b="China")
    assert (gap.a_model, gap.b_model) == ("B", "D")
    assert gap.a == pytest.approx(0.8) and gap.b == pytest.approx(0.6)
    assert gap.gap == pytest.approx(0.2) and gap.relative == pytest.approx(0.2 / 0.6)


# --- the real tables in shared/data ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def helm():
    return read_table(HELM)


def test_helm_lite_shape(helm):
    assert (helm.n_models, helm.n_benchmarks, helm.n_cells) == (72, 10, 719)
    assert "helm_lite" not in helm.benchmarks
    assert helm.group_counts()["US"] == 41 and helm.group_counts()["China"] == 10
    assert UNKNOWN_GROUP not in helm.groups
    assert len(helm.published) == 72


def test_helm_mean_win_rate_matches_published(helm):
    recomputed = dict(zip(helm.models, mean_win_rate(helm), strict=True))
    diffs = {m: abs(recomputed[m] - v) for m, v in helm.published.items()}
    assert max(diffs.values()) < 0.005, max(diffs.items(), key=lambda kv: kv[1])
    assert recomputed["GPT-4o (2024-05-13)"] == pytest.approx(0.9625, abs=0.0005)
    assert helm.published["GPT-4o (2024-05-13)"] == pytest.approx(0.963)


def test_helm_mean_score_lens_gap(helm):
    gap = lens_gap(mean_score(helm), helm, a="US", b="China")
    assert gap.a_model == "GPT-4o (2024-05-13)"
    assert gap.b_model == "Qwen2 Instruct (72B)"
    assert gap.a == pytest.approx(0.7377, abs=0.0005)
    assert gap.b == pytest.approx(0.6991, abs=0.0005)
    assert gap.gap == pytest.approx(0.0386, abs=0.001)
    assert math.isclose(gap.relative, gap.gap / gap.b)


def test_epoch_long_table():
    table = read_table(DataConfig(path=str(DATA / "epoch_long.csv")))
    assert (table.n_models, table.n_benchmarks, table.n_cells) == (469, 40, 1822)
    assert {"US", "China"} <= set(table.group_names)
    assert table.group_counts()["US"] == 232 and table.group_counts()["China"] == 78
    assert ((table.score >= 0) & (table.score <= 1)).all()
    assert table.published == {}
