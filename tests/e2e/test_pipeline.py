"""The whole pipeline against the sandbox, in the order a deployment lives through it:
first backfill, re-runs, a late restatement, a source that stays broken,
and finally a scan for the secret, and for the prompt text and sensitive values the sandbox planted,
in everything the runs wrote.

Each step is one Dagster run of the main job (or part of it) over real HTTP on 127.0.0.1.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import httpx
import pyarrow.parquet as pq
import pytest

from evidence.ledger import Ledger
from orchestration.automation_names import INGEST_JOB, TRANSFORM_JOB
from orchestration.instance.storage import BatchedSqliteEventLogStorage
from orchestration.lib.partitions import RANGE_START_TAG
from sandbox import prompt_content
from sandbox.providers import aws_bedrock, otel
from tests.conftest import TEST_SECRETS
from tests.e2e.deployment import AS_OF_LATER, FIRST, LAST, started_deployment
from warehouse.publish import current_dir, restricted_database

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """This module's own deployment: its re-runs, restatements and broken pages would change what
    the other e2e modules read."""
    with started_deployment(tmp_path_factory) as d:
        yield d


def all_ok(results) -> bool:
    return all(r.success for r in results)


def assert_matches_truth(published: dict, truth: dict) -> None:
    """Every provider's published usage equals the sandbox's exactly, and its costs to the cent."""
    assert set(published) == set(truth)
    for provider, expected in truth.items():
        assert published[provider].get("usage") == expected["usage"], provider
        for kind in ("invoiced", "measured"):
            got = Decimal(published[provider].get(f"{kind}_cost_usd", 0)).quantize(Decimal("0.01"))
            assert got == Decimal(expected[f"{kind}_cost_usd"]).quantize(Decimal("0.01")), (
                provider,
                kind,
            )


def test_first_backfill_publishes_the_sandbox_ground_truth(deployment):
    assert all_ok(deployment.first_result)
    published = deployment.published_totals()
    truth = deployment.truth()
    assert_matches_truth(published, truth)
    # OpenAI sends dollars as JSON numbers: the DECIMAL sum is exact, not merely equal to the cent
    assert published["openai"]["invoiced_cost_usd"] == Decimal(truth["openai"]["invoiced_cost_usd"])
    with duckdb.connect(str(deployment.published_db), read_only=True) as con:
        attributed = con.execute(
            "select avg(case when is_attributed then 1.0 else 0 end) from fct_ai_cost_daily where provider = 'openai'"
        ).fetchone()[0]
        types = dict(
            con.execute(
                "select column_name, data_type from information_schema.columns where table_name = 'fct_ai_cost_daily'"
            ).fetchall()
        )
        teams = con.execute(
            "select count(distinct team_id) from fct_ai_cost_daily where provider = 'openai'"
        ).fetchone()[0]
        cost_total = con.execute("select sum(billed_cost) from fct_ai_cost_daily").fetchone()[0]
    assert 0.8 < attributed < 1.0  # shadow projects stay unattributed
    assert types["billed_cost"] == "DECIMAL(38,10)"
    assert teams == 24
    parquet = current_dir(deployment.data / "published") / "parquet" / "fct_ai_cost_daily.parquet"
    with duckdb.connect() as con:
        assert con.execute(f"select sum(billed_cost) from '{parquet}'").fetchone()[0] == cost_total


def rerun_sequence(rng: random.Random, steps: int) -> list[tuple[date, date]]:
    """Random re-runs an operator might make: one past day, a range, the whole range, in any order."""
    days = (LAST - FIRST).days
    sequence = []
    for _ in range(steps):
        kind = rng.choice(["day", "range", "whole"])
        if kind == "whole":
            sequence.append((FIRST, LAST))
            continue
        start = FIRST + timedelta(days=rng.randrange(days + 1))
        length = 0 if kind == "day" else rng.randrange((LAST - start).days + 1)
        sequence.append((start, start + timedelta(days=length)))
    return sequence


def differing_marts(expected_db: Path, actual_db: Path) -> dict[str, tuple[int, int]]:
    """Per published table: rows only in the expected release, rows only in the actual one."""
    differences = {}
    with duckdb.connect() as con:
        con.execute(f"attach '{expected_db}' as expected (read_only)")
        con.execute(f"attach '{actual_db}' as actual (read_only)")
        tables = [
            row[0]
            for row in con.execute(
                "select table_name from duckdb_tables() where database_name = 'expected'"
            ).fetchall()
        ]
        assert tables, f"no table in {expected_db}"
        for table in tables:
            only_expected, only_actual = (
                con.execute(
                    f'select count(*) from (select * from {a}.main."{table}" '
                    f'except all select * from {b}.main."{table}")'
                ).fetchone()[0]
                for a, b in (("expected", "actual"), ("actual", "expected"))
            )
            if only_expected or only_actual:
                differences[table] = (only_expected, only_actual)
    return differences


def test_reruns_in_any_order_publish_the_marts_of_one_straight_run(deployment, tmp_path):
    straight = tmp_path / "straight.duckdb"
    shutil.copyfile(deployment.published_db, straight)
    before = deployment.published_totals()
    seed = int(os.environ.get("AIUW_RERUN_SEED", random.randrange(1 << 30)))
    sequence = [(date(2026, 9, 10), date(2026, 9, 10)), *rerun_sequence(random.Random(seed), 2)]
    print(f"re-run sequence (AIUW_RERUN_SEED={seed}): {sequence}")
    for first, last in sequence:
        if first == last:
            assert all_ok(deployment.run(partition=first)), (seed, first)
        else:
            assert all_ok(deployment.run(partition_range=(first, last))), (seed, first, last)
    assert differing_marts(straight, deployment.published_db) == {}, (seed, sequence)
    assert deployment.published_totals() == before


def bookkeeping(deployment, run_id: str) -> dict[str, int]:
    """How many planned, materialization and check events a run wrote."""
    import dagster as dg

    kinds = (
        dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
        dg.DagsterEventType.ASSET_MATERIALIZATION,
        dg.DagsterEventType.ASSET_CHECK_EVALUATION,
    )
    return {
        kind.value: len(deployment.instance.get_records_for_run(run_id, of_type=kind).records)
        for kind in kinds
    }


def test_a_transform_runs_bookkeeping_does_not_grow_with_its_days(deployment):
    """The first backfill covered 20 days, the re-runs one day or a few: each transform run wrote
    one planned event and one materialization per asset, whatever its days or the history behind it."""
    runs = [r for r in deployment.instance.get_runs() if r.job_name == TRANSFORM_JOB]
    spans = {
        r.run_id: (
            date.fromisoformat(r.tags["aiuw/window_end"])
            - date.fromisoformat(r.tags["aiuw/window_start"])
        ).days
        + 1
        for r in runs
    }
    assert max(spans.values()) == 20 and min(spans.values()) == 1, spans
    assets = len(deployment.transform.asset_layer.executable_asset_keys)
    counts = {run_id: bookkeeping(deployment, run_id) for run_id in spans}
    for run_id, count in counts.items():
        assert count["ASSET_MATERIALIZATION_PLANNED"] == assets, (spans[run_id], count)
        assert count["ASSET_MATERIALIZATION"] == assets, (spans[run_id], count)
    assert len({tuple(c.values()) for c in counts.values()}) == 1, counts
    # the ingest stays daily-partitioned: a one-day ingest plans each of its assets once
    ingest = next(
        r
        for r in deployment.instance.get_runs()
        if r.tags.get("dagster/partition") and r.job_name == INGEST_JOB
    )
    ingest_assets = len(deployment.ingest.asset_layer.executable_asset_keys)
    planned = bookkeeping(deployment, ingest.run_id)["ASSET_MATERIALIZATION_PLANNED"]
    assert planned == ingest_assets
    # while the UI still shows each day: the range ingest materialized every asset on each of its
    # 20 days, written a batch per asset by the repository's instance storage
    assert isinstance(deployment.instance.event_log_storage, BatchedSqliteEventLogStorage)
    *_, backfill = (  # runs come newest first: the first one is the module's backfill
        r
        for r in deployment.instance.get_runs()
        if r.tags.get(RANGE_START_TAG) == FIRST.isoformat() and r.job_name == INGEST_JOB
    )
    materialized = bookkeeping(deployment, backfill.run_id)["ASSET_MATERIALIZATION"]
    assert materialized == ingest_assets * ((LAST - FIRST).days + 1)


def test_a_late_restatement_is_picked_up_by_the_trailing_window(deployment):
    provisional = deployment.published_totals()["openai"]["invoiced_cost_usd"]
    deployment.set_clock(AS_OF_LATER)
    assert all_ok(deployment.run(partition=LAST))  # re-pulls 2026-09-18 .. 2026-09-20
    restated = deployment.published_totals()
    assert restated["openai"]["invoiced_cost_usd"] > provisional
    assert_matches_truth(restated, deployment.truth())


def test_a_restatement_older_than_the_window_is_corrected_by_the_next_daily_run(deployment):
    late = {"openai": ("2026-09-03", "-37.29"), "anthropic": ("2026-09-04", "-7.69")}
    before = deployment.published_totals()
    for provider, (day, amount) in late.items():
        httpx.post(
            f"{deployment.sandbox.url}/_sandbox/restate",
            json={"provider": provider, "date": day, "amount_usd": amount},
        ).raise_for_status()
    ingest, transform = deployment.run(partition=LAST)  # the window is 2026-09-18 .. 2026-09-20
    assert ingest.success and transform.success
    published = deployment.published_totals()
    assert_matches_truth(published, deployment.truth())
    for provider, (_day, amount) in late.items():
        change = Decimal(published[provider]["invoiced_cost_usd"]) - Decimal(
            before[provider]["invoiced_cost_usd"]
        )
        assert change == Decimal(amount), provider
    logged = "\n".join(e.user_message for e in deployment.instance.all_logs(ingest.run_id))
    assert "billed totals changed since landing" in logged and "2026-09-03" in logged
    # the gateways re-landed the same days as the run before (same clock): their requests were not
    # ranked again, and the published figures still equal the sandbox's
    built = "\n".join(e.user_message for e in deployment.instance.all_logs(transform.run_id))
    assert "no re-landed day changed, none rebuilt" in built
    # it rebuilt September from history_start (the restated month), and is still a daily run: the
    # whole-history tests are the weekly validation's
    assert f"dbt build for {FIRST}.." in built
    assert "whole-history dbt tests and " in built and "left to the weekly validation" in built


def test_a_page_that_stays_broken_fails_its_source_only_and_keeps_landed_files(deployment):
    landing = deployment.data / "landing" / "openai" / "costs" / "openai_test"
    before = {p.name: p.read_bytes() for p in landing.glob("*.parquet")}
    release = deployment.published_db.resolve()
    totals = deployment.published_totals()
    httpx.post(
        f"{deployment.sandbox.url}/_sandbox/faults",
        json={"path": "/v1/organization/costs", "status": 500, "times": 1000},
    ).raise_for_status()
    try:
        result, transform = deployment.run(partition=date(2026, 9, 12))
    finally:
        httpx.delete(f"{deployment.sandbox.url}/_sandbox/faults").raise_for_status()
    assert not result.success
    failed_steps = [e.step_key for e in result.all_events if e.is_step_failure]
    assert failed_steps == ["raw__openai__costs"]  # the other entities landed
    # the transform run still builds and publishes from what landed
    assert transform.success
    assert deployment.published_db.resolve() != release
    assert deployment.published_totals() == totals
    failure = next(e for e in result.all_events if e.is_step_failure)
    message = failure.event_specific_data.error.to_string()
    assert (
        "openai_test: GET" in message
        and "/v1/organization/costs" in message
        and "HTTP 500" in message
    )
    assert "after 4 attempts" in message
    assert {p.name: p.read_bytes() for p in landing.glob("*.parquet")} == before
    assert not list(landing.glob(".*.tmp"))


def test_no_secret_is_anywhere(deployment):
    run_logs = [
        entry.user_message
        for run in deployment.instance.get_runs()
        for entry in deployment.instance.all_logs(run.run_id)
    ]
    files = [path for path in deployment.data.rglob("*") if path.is_file()]
    secrets = {name: secret.encode() for name, secret in TEST_SECRETS.items()}
    for path in files:  # each file read once; a failure names the secret, never shows it
        content = path.read_bytes()
        assert [name for name, s in secrets.items() if s in content] == [], path
    for secret in TEST_SECRETS.values():
        assert not any(secret in line for line in deployment.collector.lines)
        assert not any(secret in message for message in run_logs)
    # the runs did write files, logs and events where the scan looked
    assert list(deployment.data.rglob("*.parquet")) and list(deployment.data.rglob("*.db"))
    assert any("landed" in message for message in run_logs)
    assert any("failed with HTTP 500" in message for message in run_logs)


def test_the_evidence_ledger_records_every_transform_run(deployment):
    ledger = Ledger(deployment.data / "evidence" / "ledger.jsonl")
    entries = ledger.entries()
    assert ledger.verify()[0]
    transform_runs = [r for r in deployment.instance.get_runs() if r.job_name == TRANSFORM_JOB]
    assert [e["run_id"] for e in entries] == [r.run_id for r in reversed(transform_runs)]
    first = entries[0]
    assert first["partitions"] == {"window_start": "2026-09-01", "window_end": "2026-09-20"}
    openai = next(s for s in first["sources"] if s["id"] == "openai_test")
    costs = next(e for e in openai["entities"] if e["asset"] == "raw/openai/costs")
    assert costs["window_start"] == "2026-09-01" and costs["records"] > 0
    landed = deployment.data / "landing" / "openai" / "costs" / "openai_test" / "2026-09-05.parquet"
    assert landed.exists() and len(costs["files_sha256"]) == 20
    assert {c["check"] for c in first["checks"]} >= {
        "gx_fct_ai_usage_daily",
        "gx_fct_ai_cost_daily",
    }
    assert len(first["governance_sha256"]) == 64
    latest = entries[-1]
    manifest = json.loads(
        (current_dir(deployment.data / "published") / "manifest.json").read_text()
    )
    assert latest["published"] == {
        "release_id": manifest["release_id"],
        "tables": manifest["tables"],
    }


def planted_needles() -> set[str]:
    """What the sandbox put in prompt text: every sensitive value, the phrase in every planted
    completion, the opening of every planted prompt, and the markers of its bodies and spans."""
    return {
        *prompt_content.planted_values(),
        prompt_content.PLANTED_PHRASE,
        *(entry.prompt[:40] for entries in prompt_content.POOLS.values() for entry in entries),
        aws_bedrock.BODY_MARKER,
        otel.CONTENT_MARKER,
    }


def needles_pattern(needles: list[str]) -> str:
    """One RE2 expression for every needle: one scan of each row, not one per needle (about
    twenty times less CPU than a `contains` per needle)."""
    return "|".join(re.escape(n) for n in needles)


def holding(con, relation: str, columns: list[str], pattern: str, text_only: bool) -> int:
    """Rows of `relation` whose columns, read as text, match the regular expression `pattern` (one
    RE2 scan for thousands of alternatives); `text_only` reads only the text columns. Each column is
    cast on its own: a whole row cast to text escapes the quotes inside its strings."""
    if text_only:
        described = con.execute(f"describe select * from {relation}").fetchall()
        types = {row[0]: row[1] for row in described}
        columns = [c for c in columns if "VARCHAR" in types[c] or "JSON" in types[c]]
        if not columns:
            return 0
    text = "concat_ws(chr(1), " + ", ".join(f'cast("{c}" as varchar)' for c in columns) + ")"
    return con.execute(
        f"select count(*) from {relation} where regexp_matches({text}, ?)", [pattern]
    ).fetchone()[0]


def tables_holding(database: Path, pattern: str, text_only: bool = False) -> dict[str, int]:
    """Every table of a DuckDB file with the rows matching `pattern`."""
    found = {}
    with duckdb.connect(str(database), read_only=True) as con:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where not internal"
        ).fetchall()
        assert tables, database
        for schema, table in tables:
            columns = [
                name
                for (name,) in con.execute(
                    "select column_name from duckdb_columns() "
                    "where schema_name = ? and table_name = ? order by column_index",
                    [schema, table],
                ).fetchall()
            ]
            rows = holding(con, f'"{schema}"."{table}"', columns, pattern, text_only)
            if rows:
                found[f"{schema}.{table}"] = rows
    return found


def parquet_files_holding(
    paths: list[Path], pattern: str, text_only: bool = False
) -> dict[Path, int]:
    """Every Parquet file with the rows matching `pattern`."""
    found = {}
    with duckdb.connect() as con:
        for path in paths:
            columns = pq.read_schema(path).names
            if not columns:
                continue
            rows = holding(con, f"read_parquet('{path}')", columns, pattern, text_only)
            if rows:
                found[path] = rows
    return found


def test_no_planted_prompt_text_or_value_is_anywhere(deployment):
    """The sandbox's sources carried prompt text with sensitive values in it; the warehouse kept
    only their counts. Nothing the runs wrote holds any of that text or any of those values: no
    landed or published Parquet file, no table of the warehouse or the release, no file of the
    data directory (Dagster's run and compute logs, dbt's logs, the evidence ledger), no run log."""
    needles = sorted(planted_needles())
    exports = deployment.data / "sandbox_exports"
    # the sources did carry them: the scan below looks for text that was there to be found
    litellm_export = next((exports / "litellm_export").glob("*.csv.gz"))
    assert prompt_content.PLANTED_PHRASE in gzip.decompress(litellm_export.read_bytes()).decode()
    traces = "".join(p.read_text() for p in (exports / "otlp_genai").rglob("*.json"))
    assert otel.CONTENT_MARKER in traces and prompt_content.BEARER in traces

    landing = sorted((deployment.data / "landing").rglob("*.parquet"))
    published = current_dir(deployment.data / "published")
    parquet = landing + sorted(published.rglob("*.parquet"))
    assert len(landing) > 100 and any(
        "sensitive_entity_counts" in pq.read_schema(p).names for p in landing
    )
    pattern = needles_pattern(needles)
    assert parquet_files_holding(parquet, pattern) == {}
    for database in (
        deployment.data / "warehouse" / "warehouse.duckdb",
        published / "warehouse.duckdb",
    ):
        assert tables_holding(database, pattern) == {}, database
    files = [
        path
        for path in deployment.data.rglob("*")
        if path.is_file() and exports not in path.parents and path.suffix != ".duckdb"
    ]
    ledger = deployment.data / "evidence" / "ledger.jsonl"
    assert ledger in files and any(p.suffix == ".db" for p in files)
    for path in files:
        content = path.read_bytes()
        if path.name.endswith(".gz"):
            content = gzip.decompress(content)
        assert [n for n in needles if n.encode() in content] == [], path
    run_logs = [
        entry.user_message
        for run in deployment.instance.get_runs()
        for entry in deployment.instance.all_logs(run.run_id)
    ]
    assert not [
        line for line in run_logs + deployment.collector.lines if any(n in line for n in needles)
    ]
    # what did land: the counts, in the published mart
    with duckdb.connect(str(published / "warehouse.duckdb"), read_only=True) as con:
        (requests,) = con.execute(
            "select sum(request_count) from rpt_observed_sensitive_data"
        ).fetchone()
    assert requests > 0


def test_no_email_or_name_of_the_sandboxs_people_is_in_any_published_table_or_parquet_file(
    deployment,
):
    """People are pseudonymous by default: no table of any published release and no published
    Parquet file holds an email address (any at all) or the display name of any of the sandbox's
    people; only the restricted people_directory beside each release does, readable by its owner
    only. Their rows are there, keyed: the usage of people who hold keys is in fct_ai_usage_daily."""
    people = deployment.sandbox.state.enterprise.people
    # any email address at all (the sandbox's people's among them) or any of their names
    email = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z0-9.-]+"
    pattern = "(?i)" + "|".join([*(re.escape(n) for n in sorted({p.name for p in people})), email])
    releases = sorted((deployment.data / "published" / "releases").iterdir())
    assert releases
    for release in releases:
        restricted = release / "restricted"
        parquet = sorted(p for p in release.rglob("*.parquet") if restricted not in p.parents)
        tables = json.loads((release / "manifest.json").read_text())["tables"]
        assert len(parquet) == len(tables) > 20, release
        assert parquet_files_holding(parquet, pattern, text_only=True) == {}
        assert tables_holding(release / "warehouse.duckdb", pattern, text_only=True) == {}, release
        assert {p.name for p in restricted.iterdir()} == {
            "people_directory.duckdb",
            "people_directory.parquet",
        }
        assert all(p.stat().st_mode & 0o077 == 0 for p in [restricted, *restricted.iterdir()])
    current = current_dir(deployment.data / "published")
    with duckdb.connect(str(current / "warehouse.duckdb"), read_only=True) as con:
        keys = con.execute(
            "select count(*), count(*) filter (where regexp_full_match(person_id, 'p_[0-9a-f]{16}'))"
            " from fct_ai_usage_daily where person_id is not null"
        ).fetchone()
    assert keys[0] > 0 and keys[0] == keys[1]
    with duckdb.connect(str(restricted_database(current)), read_only=True) as con:
        named = dict(con.execute("select email, display_name from people_directory").fetchall())
    by_email = {p.email: p.name for p in people}
    assert len(named.keys() & by_email.keys()) > 100
    assert sum(named[e] == by_email[e] for e in named.keys() & by_email.keys()) > 100
