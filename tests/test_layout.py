"""The package's shape, as the layout issue states it, checked on the source itself:

- the library (every module outside ``benchgap/jobs/``) never imports a job;
- no job imports another job;
- only ``benchgap/cli.py`` imports Hydra (or OmegaConf), and nothing imports the CLI;
- every job folder has the same rooms: ``run.py``, ``checks.py``, ``page.py``, ``figures.py``;
- no module over 400 lines, no function over 60 lines.

Each rule is also run on a small tree that breaks it, so the checks are known to fail when they should.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "src" / "benchgap"
ROOMS = ("run.py", "checks.py", "page.py", "figures.py")
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 400, 60


def module_name(path: Path, package: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, package: Path) -> set[str]:
    """Every module ``path`` imports, absolute (relative imports resolved against its package)."""
    tree = ast.parse(path.read_text())
    here = module_name(path, package).split(".")
    if path.name != "__init__.py":
        here = here[:-1]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return found


def job_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[1] == "jobs" else None


def broken_rules(package: Path) -> list[str]:
    """Every import-rule violation under ``package`` (a ``benchgap`` source folder): one line per module and rule."""
    broken: dict[tuple[str, str], str] = {}
    for path in sorted(package.rglob("*.py")):
        name = module_name(path, package)
        job = job_of(name)
        for imported in sorted(imports(path, package)):
            target = job_of(imported)
            rules = [
                (
                    imported.split(".")[0] in {"hydra", "omegaconf"} and name != "benchgap.cli",
                    "only benchgap.cli imports Hydra",
                ),
                (imported == "benchgap.cli" or imported.startswith("benchgap.cli."), "nothing imports the CLI"),
                (target is not None and job is None and name != "benchgap.cli", "the library never imports a job"),
                (target is not None and job is not None and target != job, "no job imports another job"),
            ]
            for rule in (rule for hit, rule in rules if hit):
                broken.setdefault((name, rule), f"{name} imports {imported}: {rule}")
    return list(broken.values())


def oversized(package: Path) -> list[str]:
    """Modules over ``MAX_MODULE_LINES`` lines and functions over ``MAX_FUNCTION_LINES``."""
    found = []
    for path in sorted(package.rglob("*.py")):
        text = path.read_text()
        if len(text.splitlines()) > MAX_MODULE_LINES:
            found.append(f"{path.relative_to(package)}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found.append(f"{path.relative_to(package)}:{node.lineno} {node.name}: {length} lines")
    return found


def test_the_import_rules_hold():
    assert broken_rules(PACKAGE) == []


def test_every_job_has_the_same_rooms():
    jobs = sorted(p for p in (PACKAGE / "jobs").iterdir() if p.is_dir() and not p.name.startswith("_"))
    assert [j.name for j in jobs] == ["arena", "calibrate", "fit", "report", "simulate"]
    for job in jobs:
        missing = [room for room in ROOMS if not (job / room).is_file()]
        assert not missing, f"{job.name} lacks {missing}"


def test_no_module_or_function_is_oversized():
    assert oversized(PACKAGE) == []


@pytest.mark.parametrize(
    ("module", "source", "rule"),
    [
        ("estimands.py", "from benchgap.jobs.fit.page import fit_report_blocks\n", "the library never imports a job"),
        ("jobs/fit/run.py", "from benchgap.jobs.simulate import run\n", "no job imports another job"),
        ("jobs/report/page.py", "from ..simulate.page import headline_sentence\n", "no job imports another job"),
        ("model.py", "import hydra\n", "only benchgap.cli imports Hydra"),
        ("jobs/calibrate/run.py", "from omegaconf import OmegaConf\n", "only benchgap.cli imports Hydra"),
        ("scoring.py", "from benchgap.cli import main\n", "nothing imports the CLI"),
    ],
)
def test_the_checks_catch_a_broken_rule(tmp_path, module, source, rule):
    package = tmp_path / "benchgap"
    for name in ("jobs/__init__.py", "jobs/fit/__init__.py", "jobs/simulate/__init__.py", "cli.py"):
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text("import hydra\n" if name == "cli.py" else "")
    (package / module).parent.mkdir(parents=True, exist_ok=True)
    (package / module).write_text(source)
    broken = broken_rules(package)
    assert len(broken) == 1 and rule in broken[0], broken


def test_the_size_check_catches_a_long_function(tmp_path):
    package = tmp_path / "benchgap"
    package.mkdir()
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES))
    (package / "long.py").write_text(f"def long():\n{body}")
    assert oversized(package) == [f"long.py:1 long: {MAX_FUNCTION_LINES + 1} lines"]
