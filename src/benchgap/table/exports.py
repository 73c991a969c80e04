"""The leaderboard exports read besides CSV and Parquet tables: HELM release files and Every Eval Ever records,
told apart by their content, each turned into the long frame the table's assembly validates."""

import json
from pathlib import Path
from typing import Any

import pandas as pd

from benchgap.config import DataConfig
from benchgap.errors import InputError
from benchgap.table.every_eval_ever import is_record, record_files, records_long
from benchgap.table.helm_groups import helm_long, is_helm_groups


def read_export(path: Path, cfg: DataConfig) -> tuple[pd.DataFrame, dict[str, float], str]:
    """``data.path`` a ``.json`` file or a folder: the long frame (model, benchmark, score, ...), the published
    aggregate per model (HELM's mean win rate; none for records), and how its rows are named in errors."""
    if not path.exists():
        raise InputError(f"data.path: '{path}' not found; check the path (relative paths start where you ran benchgap)")
    if cfg.rows:
        raise InputError(
            f"data.rows filters the rows of CSV and Parquet tables; {path} is a HELM or Every Eval Ever export: "
            "remove data.rows (data.evaluators chooses Every Eval Ever's sources)"
        )
    if cfg.scale != 1:
        raise InputError(
            f"data.scale={cfg.scale:g} divides the scores of CSV and Parquet tables; {path} is a HELM or Every Eval "
            "Ever export, read on its own stated scale: remove data.scale"
        )
    drop = set(cfg.drop)
    if path.is_dir():
        records = [(file, load_json(file, "data.path")) for file in record_files(path)]
        return records_long(records, cfg.evaluators, drop), {}, "result"
    data = load_json(path, "data.path")
    if is_helm_groups(data):
        long, published = helm_long(data, path, cfg.helm_table)
        return long[~long["benchmark"].isin(drop)], published, "row"
    if is_record(data):
        return records_long([(path, data)], cfg.evaluators, drop), {}, "result"
    raise InputError(
        f"data.path: '{path}' is JSON but neither a HELM groups file (a list of tables with header and rows, "
        "releases/<version>/groups/<group>.json) nor an Every Eval Ever record (model_info, source_metadata, "
        "evaluation_results); export a CSV with columns model, benchmark, score instead"
    )


def load_json(path: Path, key: str) -> Any:
    """A JSON file's value; a file that is not JSON is an error naming the file and the place."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise InputError(f"{key}: '{path}' is not valid JSON (line {err.lineno}: {err.msg}); check the file") from None
    except (UnicodeDecodeError, OSError) as err:
        raise InputError(f"{key}: cannot read '{path}' ({type(err).__name__}); check the file") from None
