"""Run every benchmark in the configured database and write the figures to var/bench.json.

make bench                                 # full size
BENCH_SCALE=0.01 make bench                # one hundredth, a quick check
BENCH_ONLY=freshness make bench            # some: kpis, pages, freshness, load, forecast (comma-separated)
DATABASE_URL=postgres://postgres@127.0.0.1:5432/rumbo_bench REDIS_URL=redis://127.0.0.1:6379/0 make bench
"""

import importlib.util
import json
import os
import resource
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from config.env import VAR_DIR, env  # noqa: E402

# Each is a module of this package with run(results, scale).
BENCHMARKS = ("kpis", "pages", "freshness", "load", "forecast")


def main() -> int:
    # Query logging would grow with every statement and slow the figures down.
    settings.DEBUG = False
    scale = env.float("BENCH_SCALE", default=1.0)
    if not 0 < scale <= 10:
        print("BENCH_SCALE must be a number above 0 and at most 10, e.g. 0.01 for a quick check.")
        return 2
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    only = {name.strip() for name in env("BENCH_ONLY", default="").split(",") if name.strip()}
    unknown = only - set(BENCHMARKS)
    if unknown:
        print(
            f"BENCH_ONLY names unknown benchmarks: {', '.join(sorted(unknown))}; use {', '.join(BENCHMARKS)}."
        )
        return 2
    results = {"database": connection.vendor, "scale": scale}
    started = time.perf_counter()
    for name in BENCHMARKS:
        if (not only or name in only) and importlib.util.find_spec(f"bench.{name}") is not None:
            importlib.import_module(f"bench.{name}").run(results, scale)
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    results["total_s"] = round(time.perf_counter() - started, 2)
    VAR_DIR.mkdir(exist_ok=True)
    path = VAR_DIR / "bench.json"
    if only and path.exists():
        # A partial run updates its own figures and keeps the others of the last full run.
        results = {**json.loads(path.read_text()), **results}
    path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(json.dumps(results, indent=2, sort_keys=True))
    print(f"Written to {path}.")
    if results.get("load_errors"):
        print(f"The load test had {results['load_errors']} errors; 0 are required.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
