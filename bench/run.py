"""`make bench`: run every benchmark script in bench/ and print its figures.

Each script measures one capability and prints its own figures; record them in docs/benchmarks.md
with the machine and date. BENCH_DATABASE_URL picks the PostgreSQL database used (created if absent).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/iom_bench"


def main() -> int:
    only = set(sys.argv[1:])
    scripts = sorted(p for p in HERE.glob("*_bench.py") if not only or p.stem.removesuffix("_bench") in only)
    env = os.environ | {"BENCH_DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)}
    # Benchmarks build and import in bulk: the commands' database timeouts, not the web's
    # (load_bench's servers keep the web's).
    env.setdefault("IOMSHARE_TIMEOUTS", "command")
    failures = 0
    for script in scripts:
        print(f"\n=== {script.name} ===", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)], env=env, check=False)
        print(
            f"--- {script.name}: exit {result.returncode} in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
