"""Where a fresh process's compile of HELM Lite goes, with the compile cache already warm (issue 18).

    uv run python benchmarks/compile_stages.py       # about half a minute; run it twice, the first may fill caches

Times, in one new process: importing benchgap's fitting stack, reading the table, and ``ModelCache.compiled``,
split into pytensor building the log density and its gradient (``nutpie.compile_pymc._make_functions``: graph
rewrites, numba kernels loaded from pytensor's cache) and numba compiling nutpie's two C-callable wrappers around
them (``numba.cfunc``; numba cannot cache these, they use dynamic globals).
"""

import time

began = time.perf_counter()
import nutpie.compile_pymc as nutpie_compile  # noqa: E402
from numba.core.ccallback import CFunc  # noqa: E402
from run import helm  # noqa: E402

from benchgap.config import ModelConfig  # noqa: E402
from benchgap.sampling import ModelCache  # noqa: E402

imported = time.perf_counter()
SPENT = {"pytensor functions": 0.0, "numba cfunc wrappers": 0.0}


def timed(function, name):  # type: ignore[no-untyped-def]
    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            SPENT[name] += time.perf_counter() - start

    return wrapper


def main() -> None:
    CFunc.compile = timed(CFunc.compile, "numba cfunc wrappers")
    nutpie_compile._make_functions = timed(nutpie_compile._make_functions, "pytensor functions")
    start = time.perf_counter()
    table = helm()
    read = time.perf_counter()
    ModelCache(ModelConfig()).compiled(table)
    compiled = time.perf_counter()
    print("| stage | seconds |\n|---|---:|")
    print(f"| imports | {imported - began:.1f} |\n| reading HELM Lite | {read - start:.1f} |")
    print(f"| compile, of which: | {compiled - read:.1f} |")
    for name, seconds in SPENT.items():
        print(f"| - {name} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
