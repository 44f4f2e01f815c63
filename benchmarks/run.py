"""Benchmark one daily partition, landing to published, at a chosen size; prints a table, writes JSON.

    python -m benchmarks.run --requests-per-day 100000 --history-days 7,90
    python -m benchmarks.run --requests-per-day 10000000 --history-days 7 --history-requests-per-day 1000000

Scenarios, each in its own data directory under --work:
- `day`: the benchmark day alone. The sandbox's identity and SaaS sources are landed for the day
  through the real ingest job (against the sandbox in this process); the gateway logs, spans and
  OpenAI buckets come from benchmarks.generate (throughput reported). Then the `transform_daily`
  job runs for the day in its own process (dbt build of the transform window, the blocking Great
  Expectations checks, publish): wall time, peak memory of that process tree, and each step's time.
- `history<N>`: N earlier days generated and loaded by one transform run (not timed), then the same
  day's run timed the same way.
- the floor (benchmarks.baselines, one hand-written DuckDB query per mart over the day's landing
  files) and the pandas baseline, each in its own process, with totals checked against the
  published marts.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from benchmarks.baselines import OUT_OF_MEMORY
from benchmarks.generate import day_range, generate

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_STEP = "warehouse_dbt_models"
GX_STEP = "gx_quality_suites"  # every mart's quality suite, one step
# The two daily marts the floor and the pandas baseline compute, and the sources the generator lands.
MARTS = ("fct_gateway_requests_daily", "fct_ai_usage_daily")
GENERATED_SOURCES = (
    "litellm.spend_logs",
    "litellm_export.spend_logs",
    "otlp_genai.genai_spans",
    "openai.usage_completions",
    "openai.costs",
)
PUBLISH_STEP = "published__warehouse"
# The pandas baseline holds the whole day in memory: past this it is stopped and recorded as such
# rather than left to the kernel's out-of-memory killer (the machine has 23 GiB and no swap).
PANDAS_MEMORY_GIB = 16
MEMORY_LIMIT_EXCEEDED = -1000


class TreeMemory:
    """Peak resident memory of a process and all its descendants, polled from /proc. With `limit`
    (bytes), the tree is killed when it passes it and `exceeded` is set: a baseline that would run
    the machine out of memory is recorded as such instead of taking the benchmark down."""

    def __init__(self, pid: int, interval: float = 0.1, limit: int | None = None) -> None:
        self.pid, self.interval, self.limit, self.peak = pid, interval, limit, 0
        self.exceeded = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        while not self._stop.is_set():
            tree = descendants(self.pid)
            self.peak = max(self.peak, sum(rss_bytes(p) for p in tree))
            if self.limit and self.peak > self.limit and not self.exceeded:
                self.exceeded = True
                for pid in reversed(tree):
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)
            self._stop.wait(self.interval)


def descendants(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                queue += [int(c) for c in children.read_text().split()]
            except OSError:
                continue
    return found


def rss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return 0
    return 0


def measured(
    command: list[str], env: dict[str, str], memory_limit: int | None = None
) -> tuple[float, int, int]:
    """Run a command; returns (wall seconds, peak tree memory in bytes, return code). A tree
    killed at `memory_limit` returns MEMORY_LIMIT_EXCEEDED."""
    began = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL)
    with TreeMemory(process.pid, limit=memory_limit) as memory:
        code = process.wait()
    return (
        time.perf_counter() - began,
        memory.peak,
        MEMORY_LIMIT_EXCEEDED if memory.exceeded else code,
    )


def environment(data: Path) -> dict[str, str]:
    env = {**os.environ, "AIUW_DATA_DIR": str(data), "DAGSTER_HOME": str(data)}
    for name in (
        "AIUW_LANDING_DIR",
        "AIUW_WAREHOUSE_PATH",
        "AIUW_PUBLISHED_DIR",
        "AIUW_QUALITY_DIR",
    ):
        env.pop(name, None)
    return env


def land_context(work: Path, day: date) -> Path:
    """Land the identity and SaaS sources for `day` once, through the ingest job from the sandbox."""
    data = work / f"context_{day.isoformat()}"
    if (data / "landed").exists():
        return data / "landing"
    shutil.rmtree(data, ignore_errors=True)
    code = subprocess.run(
        [sys.executable, "-m", "benchmarks.context", "--day", day.isoformat(), "--data", str(data)],
        cwd=REPO_ROOT,
        env=environment(data),
        stdout=subprocess.DEVNULL,
        check=False,
    ).returncode
    if code != 0:
        raise RuntimeError(f"landing the sandbox's identity and SaaS sources for {day} failed")
    (data / "landed").touch()
    return data / "landing"


# Loading history is one run over all its days (not measured): it gets the memory such a backfill
# needs, so that only the timed day runs under the configured DuckDB memory limit.
HISTORY_LOAD_MEMORY_LIMIT = "8GB"


def transform(data: Path, start: date, end: date, label: str) -> dict:
    timings = data / f"timings_{label}.json"
    env = environment(data)
    if label == "history":
        env["AIUW_DUCKDB_MEMORY_LIMIT"] = HISTORY_LOAD_MEMORY_LIMIT
    began = time.time()
    wall, peak, code = measured(
        [
            sys.executable,
            "-m",
            "benchmarks.pipeline",
            "--start",
            start.isoformat(),
            "--end",
            end.isoformat(),
            "--timings",
            str(timings),
        ],
        env,
    )
    outcome = json.loads(timings.read_text()) if timings.exists() else {"success": False}
    built = DBT_STEP in outcome.get("steps", {}) and not any(
        f.startswith(f"{DBT_STEP}:") for f in outcome.get("failures", [])
    )
    # Loading history needs the marts built; its quality gates may block that run's publish
    # (the sandbox's people and seats are landed for the benchmark day only).
    if not built or (label != "history" and (code != 0 or not outcome.get("success"))):
        failures = "\n".join(outcome.get("failures", [])) or f"exit code {code}"
        raise RuntimeError(f"transform run {label} ({start}..{end}) failed:\n{failures}")
    steps = outcome["steps"]
    results, manifest = newest_run_artifacts(data, began)
    mart_path = mart_path_models(manifest)
    on_path = [r for r in results if r["unique_id"] in mart_path]
    checks = steps.get(GX_STEP, 0.0)
    return {
        "wall_seconds": wall,
        "peak_memory_bytes": peak,
        "dagster_load_seconds": outcome["load_seconds"],
        "transform_seconds": steps.get(DBT_STEP, 0.0),
        "dbt_nodes": len(results),
        "mart_path_model_seconds": sum(r["execution_time"] for r in on_path),
        "mart_path_elapsed_seconds": elapsed_seconds(on_path),
        "mart_path_models": sorted(n.split(".")[-1] for n in mart_path),
        "checks_seconds": checks,
        "publish_seconds": steps.get(PUBLISH_STEP, 0.0),
    }


def elapsed_seconds(results: list[dict]) -> float:
    """Wall-clock span from the first of these nodes starting (compile included) to the last
    finishing, from run_results timing; it includes whatever dbt ran alongside them. The sum of
    their times counts twice what two models built at once spend sharing the cores."""
    spans = [
        (datetime.fromisoformat(t["started_at"]), datetime.fromisoformat(t["completed_at"]))
        for r in results
        for t in r["timing"]
        if t.get("started_at") and t.get("completed_at")
    ]
    if not spans:
        return 0.0
    return (max(end for _, end in spans) - min(start for start, _ in spans)).total_seconds()


def newest_run_artifacts(data: Path, since: float) -> tuple[list[dict], dict]:
    """Node results and manifest of the dbt build the transform run just made (its invocation's
    folder under the data directory's dbt_target)."""
    found = [
        p for p in (data / "dbt_target").glob("*/run_results.json") if p.stat().st_mtime >= since
    ]
    if not found:
        raise RuntimeError(
            f"the transform run left no run_results.json under {data / 'dbt_target'}"
        )
    newest = max(found, key=lambda p: p.stat().st_mtime)
    manifest = json.loads((newest.parent / "manifest.json").read_text())
    return json.loads(newest.read_text())["results"], manifest


def mart_path_models(manifest: dict) -> set[str]:
    """The models from the generated sources' landing files to the two marts, from dbt's graph."""
    project = "ai_usage_warehouse"
    downstream: set[str] = set()
    stack = [f"source.{project}.{s}" for s in GENERATED_SOURCES]
    while stack:
        for child in manifest["child_map"].get(stack.pop(), []):
            if child not in downstream:
                downstream.add(child)
                stack.append(child)
    upstream = {f"model.{project}.{m}" for m in MARTS}
    stack = list(upstream)
    while stack:
        for parent in manifest["nodes"].get(stack.pop(), {}).get("depends_on", {}).get("nodes", []):
            if parent not in upstream:
                upstream.add(parent)
                stack.append(parent)
    return {n for n in downstream & upstream if n.startswith("model.")}


def baseline(
    engine: str, data: Path, day: date, *options: str, memory_limit: int | None = None
) -> dict:
    out = data / f"{engine}{''.join(options)}.json"
    out.unlink(missing_ok=True)
    wall, peak, code = measured(
        [
            sys.executable,
            "-m",
            "benchmarks.baselines",
            "--engine",
            engine,
            "--landing",
            str(data / "landing"),
            "--day",
            day.isoformat(),
            "--out",
            str(out),
            *options,
        ],
        environment(data),
        memory_limit,
    )
    stopped = {"completed": False, "stopped_after_seconds": wall, "peak_memory_bytes": peak}
    if code == MEMORY_LIMIT_EXCEEDED:
        return {**stopped, "why": f"passed its memory cap of {memory_limit / (1 << 30):.0f} GiB"}
    if code == OUT_OF_MEMORY:
        return {**stopped, "why": json.loads(out.read_text())["out_of_memory"]}
    if code != 0:
        raise RuntimeError(f"{engine} baseline failed with exit code {code}")
    return {**json.loads(out.read_text()), "completed": True, "peak_memory_bytes": peak}


def published_totals(data: Path, day: date) -> dict:
    """The same totals as benchmarks.baselines.totals, from the published release."""
    path = data / "published" / "current" / "warehouse.duckdb"
    with duckdb.connect(str(path), read_only=True) as con:
        gateway = con.execute(
            """
            select count(*), sum(request_count), sum(failure_count), sum(input_tokens),
                sum(output_tokens), round(sum(measured_cost_usd), 2)
            from fct_gateway_requests_daily where usage_date = ?
            """,
            [day],
        ).fetchone()
        usage = con.execute(
            """
            select sum(request_count), sum(input_tokens) from fct_ai_usage_daily
            where usage_date = ? and (is_gateway or provider = 'openai')
            """,
            [day],
        ).fetchone()
    return {
        "gateway_rows": gateway[0],
        "gateway_requests": int(gateway[1]),
        "gateway_failures": int(gateway[2]),
        "gateway_input_tokens": int(gateway[3]),
        "gateway_output_tokens": int(gateway[4]),
        "gateway_measured_cost_usd": f"{gateway[5]:.2f}",
        "usage_requests": int(usage[0]),
        "usage_input_tokens": int(usage[1]),
    }


def scenario(
    work: Path,
    name: str,
    day: date,
    requests_per_day: int,
    history: int,
    history_size: int,
    seed: int,
) -> dict:
    data = work / name
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    shutil.copytree(land_context(work, day), data / "landing")
    result: dict = {"history_days": history, "history_requests_per_day": history_size}
    if history:
        earlier = day_range(day - timedelta(days=1), history)
        loaded = generate(data / "landing", earlier, history_size, seed)
        began = time.perf_counter()
        transform(data, earlier[0], earlier[-1], "history")
        result["history_load_seconds"] = time.perf_counter() - began
        result["history_records"] = loaded.rows
    generated = generate(data / "landing", [day], requests_per_day, seed)
    result["generated_records"] = generated.rows
    result["generated_requests"] = generated.requests()
    result["generate_seconds"] = generated.seconds
    result["generate_records_per_second"] = generated.rows / generated.seconds
    result["run"] = transform(data, day, day, "day")
    return result


def table(results: dict) -> str:
    gib = 1 << 30
    first = next(iter(results["scenarios"].values()))
    lines = [
        f"benchmark day {results['day']}, {results['requests_per_day']:,} gateway requests "
        f"({first['generated_records']:,} landed records incl. export copies and provider buckets)",
        "",
        f"{'scenario':<24}{'wall s':>9}{'dbt s':>9}{'checks s':>10}{'publish s':>11}{'peak GiB':>10}",
    ]
    for name, s in results["scenarios"].items():
        run = s["run"]
        label = (
            name if not s["history_days"] else (f"{name} ({s['history_requests_per_day']:,}/day)")
        )
        lines.append(
            f"{label:<24}{run['wall_seconds']:>9.1f}{run['transform_seconds']:>9.1f}"
            f"{run['checks_seconds']:>10.1f}{run['publish_seconds']:>11.1f}"
            f"{run['peak_memory_bytes'] / gib:>10.2f}"
        )
    figures = results["figures"]
    lines += ["", f"generation throughput: {figures['generate_records_per_second']:,.0f} records/s"]
    for key, text in (
        ("history_ratio", "wall time with {h} days of history / with {b} days"),
        ("floor_ratio", "whole dbt build / hand-written DuckDB floor"),
        ("floor_ratio_mart_path", "dbt models landing -> the two marts / floor"),
        (
            "floor_ratio_mart_path_elapsed",
            "the marts' path's wall-clock span (first start to last end) / floor",
        ),
        (
            "floor_ratio_mart_path_default_settings",
            "dbt models landing -> the two marts / floor with DuckDB's default settings",
        ),
        ("pandas_speedup", "pandas baseline / whole dbt build"),
        ("pandas_speedup_mart_path", "pandas baseline / dbt models landing -> the two marts"),
        (
            "pandas_speedup_mart_path_elapsed",
            "pandas baseline / the marts' path's wall-clock span",
        ),
        (
            "pandas_speedup_floor",
            "pandas baseline / floor with DuckDB's defaults (the most reachable)",
        ),
    ):
        if key in figures:
            value = figures[key]
            lines.append(
                f"{text.format(h=figures.get('history_long'), b=figures.get('history_short'))}: {value:.2f}x"
            )
    names = {
        "floor": "floor at the pipeline's settings",
        "floor_default_settings": "floor with DuckDB's defaults",
        "pandas": "pandas baseline",
    }
    for name, label in names.items():
        if f"{name}_completed" not in figures:
            continue
        peak = figures[f"{name}_peak_memory_bytes"] / gib
        if figures[f"{name}_completed"]:
            lines.append(f"{label}: {figures[f'{name}_seconds']:.1f} s, peak {peak:.2f} GiB")
        else:
            lines.append(
                f"{label}: stopped after {figures[f'{name}_stopped_after_seconds']:.1f} s at "
                f"{peak:.2f} GiB ({figures[f'{name}_why']})"
            )
    if "totals_match" in figures:
        lines.append(f"totals equal to the published marts: {figures['totals_match']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests-per-day", type=int, default=100_000)
    parser.add_argument(
        "--history-days", default="7,90", help="comma-separated; empty for the day alone"
    )
    parser.add_argument(
        "--history-requests-per-day", type=int, help="size of history days (default: same)"
    )
    parser.add_argument("--day", type=date.fromisoformat, default=date(2026, 11, 20))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=REPO_ROOT / "data" / "benchmark")
    parser.add_argument(
        "--out", type=Path, default=REPO_ROOT / "data" / "benchmark" / "results.json"
    )
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument(
        "--pandas-memory-gib",
        type=int,
        default=PANDAS_MEMORY_GIB,
        help="stop the pandas baseline when its memory passes this (recorded, not an error)",
    )
    parser.add_argument(
        "--history-only",
        action="store_true",
        help="only the history scenarios (no day-alone run, floor or pandas)",
    )
    args = parser.parse_args(argv)
    history = [int(h) for h in args.history_days.split(",") if h.strip()]
    history_size = args.history_requests_per_day or args.requests_per_day
    work = args.work.resolve()
    results: dict = {
        "day": args.day.isoformat(),
        "requests_per_day": args.requests_per_day,
        "seed": args.seed,
        "cpus": os.cpu_count(),
        "scenarios": {},
    }
    if not args.history_only:
        results["scenarios"]["day"] = scenario(
            work, "day", args.day, args.requests_per_day, 0, 0, args.seed
        )
    for days in history:
        results["scenarios"][f"history{days}"] = scenario(
            work, f"history{days}", args.day, args.requests_per_day, days, history_size, args.seed
        )
    first = next(iter(results["scenarios"].values()))
    figures: dict = {"generate_records_per_second": first["generate_records_per_second"]}
    if len(history) >= 2:
        short, long = min(history), max(history)
        figures.update(
            history_short=short,
            history_long=long,
            history_ratio=results["scenarios"][f"history{long}"]["run"]["wall_seconds"]
            / results["scenarios"][f"history{short}"]["run"]["wall_seconds"],
        )
    results["figures"] = figures
    if not args.history_only:
        compare_with_baselines(
            results, work / "day", args.day, args.skip_pandas, args.pandas_memory_gib << 30
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str))
    sys.stdout.write(table(results) + f"\n\nfigures written to {args.out}\n")
    return 0


def compare_with_baselines(
    results: dict, data: Path, day: date, skip_pandas: bool, pandas_memory_limit: int
) -> None:
    """Floor and pandas over the day scenario's landing, totals checked against its release."""
    figures, run = results["figures"], results["scenarios"]["day"]["run"]
    published = published_totals(data, day)
    checks = {}
    floors = {
        "floor": baseline("duckdb", data, day),
        "floor_default_settings": baseline("duckdb", data, day, "--duckdb-defaults"),
    }
    if not skip_pandas:
        floors["pandas"] = baseline("pandas", data, day, memory_limit=pandas_memory_limit)
        figures["pandas_memory_limit_bytes"] = pandas_memory_limit
    for name, outcome in floors.items():
        figures[f"{name}_completed"] = outcome["completed"]
        figures[f"{name}_peak_memory_bytes"] = outcome["peak_memory_bytes"]
        if outcome["completed"]:
            figures[f"{name}_seconds"] = outcome["seconds"]
            checks[name] = {k: outcome[k] for k in published} == published
        else:
            figures[f"{name}_stopped_after_seconds"] = outcome["stopped_after_seconds"]
            figures[f"{name}_why"] = outcome["why"]
    floor, unbounded = floors["floor"], floors["floor_default_settings"]
    if floor["completed"]:
        figures["floor_settings"] = floor["settings"]
        figures["floor_ratio"] = run["transform_seconds"] / floor["seconds"]
        figures["floor_ratio_mart_path"] = run["mart_path_model_seconds"] / floor["seconds"]
        if run["mart_path_elapsed_seconds"]:
            figures["floor_ratio_mart_path_elapsed"] = (
                run["mart_path_elapsed_seconds"] / floor["seconds"]
            )
    if unbounded["completed"]:
        figures["floor_ratio_mart_path_default_settings"] = (
            run["mart_path_model_seconds"] / unbounded["seconds"]
        )
    pandas = floors.get("pandas", {"completed": False})
    if pandas["completed"]:
        figures["pandas_speedup"] = pandas["seconds"] / run["transform_seconds"]
        figures["pandas_speedup_mart_path"] = pandas["seconds"] / run["mart_path_model_seconds"]
        if run["mart_path_elapsed_seconds"]:
            figures["pandas_speedup_mart_path_elapsed"] = (
                pandas["seconds"] / run["mart_path_elapsed_seconds"]
            )
        if unbounded["completed"]:
            figures["pandas_speedup_floor"] = pandas["seconds"] / unbounded["seconds"]
    figures["totals_match"] = checks
    results["published_totals"] = published
    results["floor_totals"] = floor if floor["completed"] else unbounded


if __name__ == "__main__":
    sys.exit(main())
