"""The README's Python example, run as written: the public names of ``benchgap`` do what it shows."""

import re

import numpy as np

from tests.conftest import ROOT


def readme_example() -> str:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Python API") :]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_readme_example_runs_as_written(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    exec(compile(readme_example(), "README.md", "exec"), namespace)
    printed = capsys.readouterr().out
    assert "P(US ahead by more than 0.01) = " in printed and "converged:" in printed
    result, table, world = namespace["result"], namespace["table"], namespace["world"]
    gap = result.estimates.gap
    assert 0 < gap.score.prob_a_ahead <= 1 and gap.score.interval[0] < gap.score.mean < gap.score.interval[1]
    assert (table.n_models, table.n_benchmarks) == (14, 12) and table.source.startswith("simulated world")
    assert np.allclose(world.truth.theta.mean(), 0) and np.isclose(world.truth.theta.std(), 1)


def test_importing_benchgap_is_light():
    """``import benchgap`` loads no PyMC: names load on first use."""
    import subprocess
    import sys

    code = "import sys, benchgap; assert 'pymc' not in sys.modules; benchgap.read_table; print('ok')"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "ok"
