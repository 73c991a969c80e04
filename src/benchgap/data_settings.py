"""Settings of the score table a fit reads (``conf/data/``): the file, its metadata files, and how it is read."""

from dataclasses import dataclass, field

from benchgap.ranges import POSITIVE, ranged
from benchgap.world_settings import WorldConfig

RELATIONSHIPS = ("first_party", "third_party", "collaborative", "other")  # Every Eval Ever's evaluator_relationship


@dataclass
class DataConfig:
    path: str | None = None  # score table: CSV, TSV or Parquet, long or wide; a HELM groups JSON file; an Every Eval
    # Ever record (.json) or a folder of them; unset = built-in demo
    models: str | None = None  # optional model metadata file (model, group, ...)
    more_models: list[str] = field(default_factory=list)  # further model metadata files (model and any columns,
    # e.g. weights: open | closed), merged into data.models by model; a later file's non-empty values win
    benchmarks: str | None = None  # optional benchmark metadata (benchmark, n_items, category, chance, ...)
    scale: float = ranged(
        1.0, within=POSITIVE
    )  # divide scores (and stderr) by this: 100 when the file holds percentages
    model_column: str | None = None  # wide tables: the model column (default: `model`, else the first text column)
    aggregate_column: str | None = None  # wide tables: a published aggregate column kept aside as a reference
    drop: list[str] = field(default_factory=list)  # columns to ignore (not benchmarks, not metadata)
    rows: dict[str, str] = field(default_factory=dict)  # keep only the rows whose column has this value (case
    # ignored), e.g. {is_flagged: "False"}; the columns are then dropped
    helm_table: str = "accuracy"  # HELM groups files: the table read (its name or title, e.g. accuracy)
    evaluators: list[str] = field(default_factory=lambda: list(RELATIONSHIPS))  # Every Eval Ever: the evaluator
    # relationships read (first_party | third_party | collaborative | other), e.g. [third_party]
    min_scores_per_model: int = ranged(1, 1)  # models with fewer observed scores are left out
    held_out: list[str] = field(default_factory=list)  # benchmarks with private or fresh test sets: cannot have leaked
    snapshots: list[str] = field(default_factory=list)  # two or more score files fitted jointly (instead of
    # data.path): shared models link them, each keeps its own benchmark parameters; read with the settings above
    snapshot_dates: list[str] = field(default_factory=list)  # optional, one date per snapshot (YYYY-MM-DD): a model
    # released after its snapshot's date is an error
    arena: str | None = None  # Arena ratings (benchgap arena's format) fitted jointly: one latent capability
    arena_snapshot: str | None = None  # the ratings' snapshot used (null: the latest)
    aliases: str | None = None  # file of alias,model: an Arena name and the table's name of the same model
    organizations: str | None = None  # file of organization,group: a model's group from its organization column,
    # for models no group column or data.models names (the shipped conf/data/organizations.csv maps labs to countries)
    demo: WorldConfig = field(default_factory=WorldConfig)  # data.path unset: this world is drawn
    demo_seed: int = ranged(2026, 0)  # seed of the demo world's draw
