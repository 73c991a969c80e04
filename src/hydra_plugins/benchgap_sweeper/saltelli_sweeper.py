"""``hydra/sweeper=saltelli``: a sweep whose jobs are the points of a Saltelli design, for Sobol indices.

Hydra only instantiates sweepers that live in the ``hydra_plugins`` package, so this thin edge sits here; the
design itself is ``benchgap.sensitivity.saltelli_design``. ``conf/experiment/sobol.yaml`` shows the use:

    hydra:
      sweeper:
        base_samples: 8  # N; the design has N x (parameters + 2) jobs
        ranges:
          contamination.rate: [0, 0.4]
          overfitting.gain: [0, 0.12]

Each job gets one point's values as overrides (after the command line's own overrides, which apply to every job)
and any Hydra launcher runs them. ``design.json`` in the sweep folder records the design for ``benchgap report``.
"""

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hydra.core.config_store import ConfigStore
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import CompactHydraException
from hydra.plugins.launcher import Launcher
from hydra.plugins.sweeper import Sweeper
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig, OmegaConf

log = logging.getLogger(__name__)


@dataclass
class SaltelliSweeperConf:
    _target_: str = "hydra_plugins.benchgap_sweeper.saltelli_sweeper.SaltelliSweeper"
    ranges: dict[str, list[float]] = field(default_factory=dict)  # parameter -> [low, high] (numbers only)
    base_samples: int = 8  # N, a power of 2: the design has N x (parameters + 2) jobs
    seed: int = 0  # scrambling seed of the Sobol' sequence
    max_batch_size: int | None = None  # jobs handed to the launcher at once (null: all)


ConfigStore.instance().store(group="hydra/sweeper", name="saltelli", node=SaltelliSweeperConf, provider="benchgap")


class SaltelliSweeper(Sweeper):
    def __init__(self, ranges: dict[str, list[float]], base_samples: int, seed: int, max_batch_size: int | None):
        super().__init__()
        self.ranges = {str(k): list(v) for k, v in ranges.items()}
        self.base_samples = base_samples
        self.seed = seed
        self.max_batch_size = max_batch_size
        self.config: DictConfig | None = None
        self.hydra_context: HydraContext | None = None
        self.launcher: Launcher | None = None

    def setup(self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig) -> None:
        from hydra.core.plugins import Plugins

        self.config = config
        self.hydra_context = hydra_context
        self.launcher = Plugins.instance().instantiate_launcher(
            hydra_context=hydra_context, task_function=task_function, config=config
        )

    def sweep(self, arguments: list[str]) -> Any:
        from benchgap.sensitivity import DESIGN, saltelli_design, write_design

        assert self.config is not None and self.launcher is not None and self.hydra_context is not None
        parsed = OverridesParser.create(config_loader=self.hydra_context.config_loader).parse_overrides(arguments)
        for override in parsed:
            if override.is_sweep_override():
                raise CompactHydraException(
                    f"the saltelli sweeper draws its jobs from hydra.sweeper.ranges; '{override.input_line}' is a "
                    "sweep of its own: give it one value, or add a range for it"
                )
        bad = [k for k, v in self.ranges.items() if len(v) != 2]
        if bad:
            raise CompactHydraException(f"hydra.sweeper.ranges.{bad[0]} must be [low, high]; got {self.ranges[bad[0]]}")
        try:
            design = saltelli_design(
                {k: (float(v[0]), float(v[1])) for k, v in self.ranges.items()},
                base_samples=self.base_samples,
                seed=self.seed,
            )
        except ValueError as err:
            raise CompactHydraException(f"hydra.sweeper: {err}") from None
        jobs = [
            [*arguments, *(f"{name}={float(value)!r}" for name, value in zip(design.names, point, strict=True))]
            for point in design.points
        ]
        sweep_dir = Path(self.config.hydra.sweep.dir)
        sweep_dir.mkdir(parents=True, exist_ok=True)
        OmegaConf.save(self.config, sweep_dir / "multirun.yaml")
        write_design(design, sweep_dir / DESIGN)
        log.info(f"Saltelli design: {len(jobs)} jobs over {', '.join(design.names)}")
        size = self.max_batch_size or len(jobs)
        returns = []
        for start in range(0, len(jobs), size):
            batch = jobs[start : start + size]
            self.validate_batch_is_legal(batch)
            returns.append(self.launcher.launch(batch, initial_job_idx=start))
        return returns
