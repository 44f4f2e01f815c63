"""Rated cost and reconciliation through landing and dbt: a documented OpenAI usage payload goes the
real OpenAI path (landing, staging, normalization) and is priced from the genai-prices catalog;
gateway requests are priced per context band; a mid-month governance override restates rated
cost from its start date only, and the restatement stays queryable."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pyarrow.parquet as pq
import pytest

from connectors.openai.schemas import SCHEMAS as OPENAI_SCHEMAS
from governance.load import GOVERNANCE_DIR, load_governance
from orchestration.defs.ingest.openai.assets import ENTITIES as OPENAI_ENTITIES
from orchestration.defs.ingest.openai.assets import bucket_day
from prices.landing import land_catalog
from quality.gx import validate_dataframe
from tests.dbt_build import dbt_build
from warehouse.landing import LandingWindow

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "openai" / "usage_completions_page1.json"
PINNED_DAY, BEFORE, AFTER = date(2026, 1, 1), date(2026, 9, 10), date(2026, 9, 20)
DAYS = [PINNED_DAY, BEFORE, AFTER]
SELECT = [
    "+int_openai_usage_normalized",
    "model_catalog",
    "int_usage_records_normalized",
    "stg_prices__catalog",
    "stg_prices__model_aliases",
    "stg_governance__price_overrides",
    "stg_governance__unit_prices",
    "stg_governance__cost_tolerances",
    "stg_governance__self_hosted_resources",
    "stg_governance__price_override_snapshots",
    "int_gateway_requests_by_size",
    "int_usage_rated",
    "fct_rated_cost_history",
    "rpt_rated_cost_restatements",
    "rpt_cost_reconciliation",
]
# OpenAI's documented list price of gpt-4.1-mini, USD per million tokens.
GPT_41_MINI = {"input": Decimal("0.40"), "cache_read": Decimal("0.10"), "output": Decimal("1.60")}
TOLERANCES = """\
reconciliation:
  tolerances:
  - percent: 5
    amount_usd: '1.00'
"""
BATCH_OVERRIDE = """\
- id: PRC-102
  provider: openai
  model: gpt-4.1-mini
  tier: batch
  starts_on: '2025-01-01'
  ends_on: '2026-10-14'
  discount_percent: '50'
  reason: Batch API bills half the standard rate; the catalog has no batch price yet.
  reference: pricing page
"""
NO_OVERRIDES = "overrides:\n" + BATCH_OVERRIDE + TOLERANCES
# A negotiated 10% off gpt-4.1-mini from mid-September.
MID_MONTH_OVERRIDE = (
    """\
overrides:
- id: PRC-101
  provider: openai
  model: gpt-4.1-mini
  starts_on: '2026-09-15'
  discount_percent: '10'
  reason: Commitment discount from the September renewal.
  reference: PO-2026-0915
"""
    + BATCH_OVERRIDE
    + TOLERANCES
)
USAGE_COLUMNS = """
    source_id varchar, provider varchar, usage_date date, model_name varchar, model_ref varchar,
    operation varchar, project_id varchar, api_key_id varchar, credential_id varchar,
    person_id varchar, is_batch boolean, service_tier varchar, request_count bigint,
    input_tokens bigint, cache_read_input_tokens bigint, cache_creation_input_tokens bigint,
    output_tokens bigint, reasoning_output_tokens bigint, unit_count decimal(38, 6), unit varchar,
    is_gateway boolean
"""
REQUEST_COLUMNS = """
    gateway varchar, source_id varchar, request_id varchar, usage_date date, provider varchar,
    model_name varchar, model_ref varchar, operation varchar, project_id varchar,
    api_key_id varchar, credential_id varchar, person_id varchar, status varchar,
    input_tokens bigint, cache_read_input_tokens bigint, cache_creation_input_tokens bigint,
    output_tokens bigint
"""


def documented_records() -> list[dict]:
    """The documented page, flattened as OpenAIAdminClient.usage yields it."""
    page = json.loads(FIXTURE.read_text())
    return [
        {
            "bucket_start_time": bucket["start_time"],
            "bucket_end_time": bucket["end_time"],
            **{k: v for k, v in result.items() if k != "object"},
        }
        for bucket in page["data"]
        for result in bucket["results"]
    ]


def completions() -> list[dict]:
    (pinned,) = documented_records()
    assert datetime.fromtimestamp(pinned["bucket_start_time"], UTC).date() == PINNED_DAY
    records = [
        pinned,
        {**pinned, "model": "acme-frontier-1", "num_model_requests": 7},
        {**pinned, "project_id": "proj_batch", "batch": True},
    ]
    for day in (BEFORE, AFTER):
        start = int(datetime.combine(day, datetime.min.time(), UTC).timestamp())
        records.append({**pinned, "bucket_start_time": start, "bucket_end_time": start + 86400})
    return records


def land_openai(landing: Path) -> None:
    for entity in OPENAI_ENTITIES:
        if not entity.name.startswith("usage_") and entity.name != "users":
            continue
        window = LandingWindow(
            landing, "openai", entity.name, "openai_pinned", OPENAI_SCHEMAS[entity.name], DAYS
        )
        with window:
            if entity.name == "usage_completions":
                window.add(completions(), bucket_day)
            window.commit()


def land_governance(landing: Path, directory: Path) -> None:
    target = landing / "governance"
    target.mkdir(parents=True, exist_ok=True)
    for name, table in load_governance(directory).tables().items():
        pq.write_table(table, target / f"{name}.parquet")


def seed_upstream(database: Path) -> None:
    """The other providers' usage empty; gateway requests and cost records pinned."""
    with duckdb.connect(str(database)) as con:
        con.execute("create schema if not exists intermediate")
        for provider in ("aws_bedrock", "azure_openai", "google_vertex", "litellm", "otel"):
            con.execute(
                f"create table intermediate.int_{provider}_usage_normalized ({USAGE_COLUMNS})"
            )
        con.execute(
            f"""
            create table intermediate.int_anthropic_usage_normalized ({USAGE_COLUMNS},
                cache_creation_1h_input_tokens bigint, context_band_min_tokens bigint)
            """
        )
        # One workspace-day of Claude Sonnet 4.5 in the two context-window buckets of the report:
        # 300k input tokens in 0-200k requests (a daily total above 200k that must not pick the
        # long-context band), with 20k of its 50k cache writes at the 1-hour TTL; 250k in 200k-1M.
        con.execute(
            """
            insert into intermediate.int_anthropic_usage_normalized values
            ('anthropic_pinned', 'anthropic', '2026-01-01', 'claude-sonnet-4-5-20250929',
             'claude-sonnet-4-5-20250929', 'chat', 'wrkspc_a', 'apikey_a', 'apikey_a', null, false,
             'standard', 0, 300000, 150000, 50000, 10000, null, null, null, false, 20000, 0),
            ('anthropic_pinned', 'anthropic', '2026-01-01', 'claude-sonnet-4-5-20250929',
             'claude-sonnet-4-5-20250929', 'chat', 'wrkspc_a', 'apikey_a', 'apikey_a', null, false,
             'standard', 0, 250000, 0, 0, 1000, null, null, null, false, 0, 200000)
            """
        )
        # Bedrock's raw id names the catalog's regional Claude entry only by a prefix rule.
        con.execute(
            """
            insert into intermediate.int_aws_bedrock_usage_normalized values
            ('cur_pinned', 'aws_bedrock', '2026-01-01', 'Claude4.5Sonnet',
             'us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'chat', '402118735562', null,
             '402118735562', null, false, 'default', 3, 1000000, 0, 0, 100000, null, null, null,
             false)
            """
        )
        # A provider's daily aggregate of the same two requests: only the average is known.
        con.execute(
            """
            insert into intermediate.int_google_vertex_usage_normalized values
            ('vertex_pinned', 'google_vertex', '2026-01-01', 'gemini-2.5-pro', 'gemini-2.5-pro', 'chat',
             'gcp-proj', null, 'gcp-proj', null, false, 'default', 2, 251000, 0, 0, 2000, 0, null,
             null, false)
            """
        )
        for gateway in ("litellm", "otel"):
            con.execute(f"create table intermediate.int_{gateway}_requests ({REQUEST_COLUMNS})")
        # Two gemini-2.5-pro requests: one above the 200k-token band, one below.
        con.execute(
            """
            insert into intermediate.int_litellm_requests values
            ('litellm', 'litellm_pinned', 'req-long', '2026-01-01', 'google_vertex', 'gemini-2.5-pro',
             'gemini-2.5-pro', 'chat', 'team-a', 'key-a', 'key-a', null, 'success', 250000, 0, 0, 1000),
            ('litellm', 'litellm_pinned', 'req-short', '2026-01-01', 'google_vertex', 'gemini-2.5-pro',
             'gemini-2.5-pro', 'chat', 'team-a', 'key-a', 'key-a', null, 'success', 1000, 0, 0, 1000),
            ('litellm', 'litellm_pinned', 'req-failed', '2026-01-01', 'google_vertex', 'gemini-2.5-pro',
             'gemini-2.5-pro', 'chat', 'team-a', 'key-a', 'key-a', null, 'failure', 9000, 0, 0, 0)
            """
        )
        con.execute(
            """
            create table intermediate.int_cost_records_normalized (
                usage_date date, provider varchar, project_id varchar, gateway varchar,
                cost_kind varchar, charge_category varchar, billed_cost decimal(38, 10),
                billing_currency varchar, token_type varchar, model_id varchar
            )
            """
        )
        con.execute(
            """
            insert into intermediate.int_cost_records_normalized values
            ('2026-01-01', 'openai', 'proj_7Qd2', '', 'invoiced', 'Usage', 0.12, 'USD', 'input', 'gpt-4.1-mini'),
            ('2026-01-01', 'openai', 'proj_7Qd2', '', 'invoiced', 'Usage', 0.50, 'USD', 'input', 'acme-frontier-1'),
            ('2026-01-01', 'openai', 'proj_7Qd2', '', 'invoiced', 'Usage', 0.04, 'USD', 'other', 'gpt-image-1'),
            ('2026-01-01', 'openai', 'proj_7Qd2', '', 'invoiced', 'Credit', -0.02, 'USD', 'other', null),
            ('2026-01-01', 'openai', 'proj_dark', '', 'invoiced', 'Usage', 5.00, 'USD', 'input', 'gpt-4o'),
            ('2026-01-01', 'anthropic', 'wrkspc_a', '', 'invoiced', 'Usage', 2.25, 'USD', 'tokens', 'claude-sonnet-4-5-20250929'),
            ('2026-01-01', 'google_vertex', 'team-a', 'litellm', 'measured', 'Usage', 0.70, 'USD', 'other', null)
            """
        )


def land_pinned(base: Path) -> tuple[Path, Path, Path]:
    """The pinned OpenAI day, the price catalog and governance without the mid-month override
    landed under `base`, and the upstream tables seeded: (landing, database, governance)."""
    landing, database = base / "landing", base / "warehouse.duckdb"
    governance = base / "governance"
    shutil.copytree(
        GOVERNANCE_DIR, governance, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    (governance / "price_overrides.yml").write_text(NO_OVERRIDES)
    land_openai(landing)
    land_catalog(landing / "prices")
    land_governance(landing, governance)
    seed_upstream(database)
    return landing, database, governance


def build(base: Path, database: Path) -> None:
    dbt_build(base, database, base / "landing", SELECT)


def rated(con, day: date, model: str = "gpt-4.1-mini-2025-04-14") -> tuple:
    return con.execute(
        """
        select price_status, override_id, rated_cost from intermediate.int_usage_rated
        where provider = 'openai' and usage_date = ? and model_name = ? and not is_batch
        """,
        [day, model],
    ).fetchone()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    base = tmp_path_factory.mktemp("rated_cost")
    landing, database, governance = land_pinned(base)
    build(base, database)
    with duckdb.connect(str(database), read_only=True) as con:
        before = {day: rated(con, day) for day in DAYS}
    (governance / "price_overrides.yml").write_text(MID_MONTH_OVERRIDE)
    land_governance(landing, governance)
    build(base, database)
    with duckdb.connect(str(database), read_only=True) as con:
        yield con, before


def test_a_documented_openai_payload_is_rated_at_the_documented_price(warehouse):
    con, before = warehouse
    (pinned,) = documented_records()
    status, override, cost = rated(con, PINNED_DAY)
    expected = (
        pinned["input_uncached_tokens"] * GPT_41_MINI["input"]
        + pinned["input_cached_tokens"] * GPT_41_MINI["cache_read"]
        + pinned["output_tokens"] * GPT_41_MINI["output"]
    ) / 1_000_000
    assert (status, override) == ("priced", None)
    assert cost.quantize(Decimal("0.01")) == expected.quantize(Decimal("0.01")) == Decimal("0.12")
    assert cost == expected == Decimal("0.1192136")
    assert before[PINNED_DAY] == ("priced", None, cost)


def test_an_override_restates_only_from_its_start_and_the_restatement_is_kept(warehouse):
    con, before = warehouse
    list_cost = before[AFTER][2]
    assert before[BEFORE] == before[AFTER] == ("priced", None, list_cost)
    assert rated(con, BEFORE) == ("priced", None, list_cost)
    assert rated(con, AFTER) == ("priced_by_override", "PRC-101", list_cost * Decimal("0.9"))
    history = con.execute(
        """
        select usage_date, override_id, rated_cost, overrides_sha256, recorded_at
        from marts.fct_rated_cost_history
        where provider = 'openai' and model_id = 'gpt-4.1-mini' and usage_date in (?, ?)
        order by usage_date, recorded_at, rated_cost desc
        """,
        [BEFORE, AFTER],
    ).fetchall()
    by_day = {day: [(r[1], r[2]) for r in history if r[0] == day] for day in (BEFORE, AFTER)}
    assert by_day[BEFORE] == [(None, list_cost), (None, list_cost)]
    assert by_day[AFTER] == [(None, list_cost), ("PRC-101", list_cost * Decimal("0.9"))]
    assert len({r[3] for r in history}) == 2, "each pricing version is keyed by its file hash"
    restated = con.execute(
        """
        select usage_date, previous_rated_cost, rated_cost, previous_override_id, override_id
        from marts.rpt_rated_cost_restatements where provider = 'openai'
        """
    ).fetchall()
    assert restated == [(AFTER, list_cost, list_cost * Decimal("0.9"), None, "PRC-101")]
    (versions,) = con.execute(
        "select count(distinct version_key) = count(*) from marts.fct_rated_cost_history"
    ).fetchone()
    assert versions


def test_a_tier_the_catalog_lacks_is_priced_by_its_override(warehouse):
    con, _ = warehouse
    row = con.execute(
        """
        select price_tier, catalog_price_tier, price_status, override_id, rated_cost
        from intermediate.int_usage_rated where is_batch
        """
    ).fetchall()
    assert row == [("batch", "standard", "priced_by_override", "PRC-102", Decimal("0.0596068"))]


def test_an_unknown_model_is_counted_never_zero(warehouse):
    con, _ = warehouse
    assert rated(con, PINNED_DAY, "acme-frontier-1") == ("no_price_known", None, None)
    line = con.execute(
        """
        select unpriced_usage_rows, rated_cost from marts.rpt_cost_reconciliation
        where provider = 'openai' and usage_date = ? and account_id = 'proj_7Qd2'
        """,
        [PINNED_DAY],
    ).fetchone()
    assert line == (1, Decimal("0.1192136"))


def test_gateway_requests_are_rated_per_context_band(warehouse):
    con, _ = warehouse
    row = con.execute(
        """
        select rating_grain, request_count, input_tokens, rated_cost, is_price_approximate, price_status
        from intermediate.int_usage_rated where provider = 'google_vertex'
        order by rating_grain
        """
    ).fetchall()
    # 250k input at the >200k band ($2.50 / $15) plus 1k at the base band ($1.25 / $10).
    long = Decimal(250_000) * Decimal("2.5") / 10**6 + Decimal(1_000) * 15 / 10**6
    short = Decimal(1_000) * Decimal("1.25") / 10**6 + Decimal(1_000) * 10 / 10**6
    # The daily aggregate averages 125,500 input tokens a request: base band, flagged approximate.
    daily = Decimal(251_000) * Decimal("1.25") / 10**6 + Decimal(2_000) * 10 / 10**6
    assert row == [
        ("daily", 2, 251_000, daily, True, "priced"),
        ("request", 2, 251_000, long + short, False, "priced"),
    ]


def test_reconciliation_lines_variances_and_coverage(warehouse):
    con, _ = warehouse
    query = con.execute(
        "select * from marts.rpt_cost_reconciliation where usage_date = ? order by provider, line_type",
        [PINNED_DAY],
    )
    names = [c[0] for c in query.description]
    rows = [SimpleNamespace(**dict(zip(names, r, strict=True))) for r in query.fetchall()]
    lines = {(r.provider, r.line_type, r.account_id): r for r in rows}
    assert set(lines) == {
        ("google_vertex", "account", "gcp-proj"),
        ("google_vertex", "gateway", "gateway:litellm"),
        ("google_vertex", "unattributed", "(unattributed)"),
        ("anthropic", "account", "wrkspc_a"),
        ("anthropic", "unattributed", "(unattributed)"),
        ("aws_bedrock", "account", "402118735562"),
        ("aws_bedrock", "unattributed", "(unattributed)"),
        ("openai", "account", "proj_7Qd2"),
        ("openai", "account", "proj_batch"),
        ("openai", "unattributed", "(unattributed)"),
    }
    account = lines[("openai", "account", "proj_7Qd2")]
    # The unknown model's tokens and the images are billed but cannot be rated: shown, not compared.
    assert (account.invoiced_cost, account.unrated_invoiced_cost, account.invoiced_other_cost) == (
        Decimal("0.66"),
        Decimal("0.54"),
        Decimal("-0.02"),
    )
    assert account.unpriced_usage_rows == 1
    assert account.variance_cost == Decimal("0.1192136") - Decimal("0.12")
    assert account.tolerance_cost == Decimal("1")  # max($1.00, 5% of $0.12)
    assert account.is_within_tolerance
    # the provider's latest invoiced day (and the one before) may still be restated
    assert account.is_provisional
    dark = lines[("openai", "unattributed", "(unattributed)")]
    assert (dark.invoiced_cost, dark.unattributed_account_count) == (Decimal("5"), 1)
    assert dark.variance_cost == Decimal("-5") and not dark.is_within_tolerance
    assert account.coverage_pct == dark.coverage_pct == Decimal("11.6608")  # 0.66 / 5.66
    # a token charge billed per model without its token type is rated like its tokens: it matches
    anthropic = lines[("anthropic", "account", "wrkspc_a")]
    assert (anthropic.invoiced_cost, anthropic.unrated_invoiced_cost) == (Decimal("2.25"), 0)
    assert anthropic.rated_cost == Decimal("2.25") and anthropic.variance_cost == 0
    assert anthropic.is_within_tolerance
    gateway = lines[("google_vertex", "gateway", "gateway:litellm")]
    assert (gateway.measured_cost, gateway.invoiced_cost) == (Decimal("0.7"), None)
    assert gateway.variance_cost == Decimal("0.65125") - Decimal("0.7")
    assert gateway.compared_cost_kinds == "rated_vs_measured"
    frame = con.execute("select * from marts.rpt_cost_reconciliation").df()
    rated = con.execute("select * from intermediate.int_usage_rated").df()
    outcome = validate_dataframe(
        "rpt_cost_reconciliation", frame, related={"int_usage_rated": rated}
    )
    assert outcome.success, [f.describe() for f in outcome.failures]


def anthropic_rated(con) -> dict:
    rows = con.execute(
        """
        select input_tokens, rated_input_cost, rated_cache_read_cost, rated_cache_write_cost,
            rated_output_cost, rated_cost, is_price_approximate
        from intermediate.int_usage_rated where provider = 'anthropic'
        """
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def test_reported_context_bands_are_priced_per_band_never_by_daily_totals(warehouse):
    """Anthropic's documented Sonnet 4.5 prices: $3 / $15 / $0.30 read / $3.75 5-minute write /
    $6 1-hour write per million tokens, doubled input and 1.5x output above 200k tokens a request."""
    con, _ = warehouse
    rows = anthropic_rated(con)
    mtok = Decimal(1_000_000)
    base = (
        100_000 * Decimal(3) / mtok,
        150_000 * Decimal("0.30") / mtok,
        (30_000 * Decimal("3.75") + 20_000 * Decimal(6)) / mtok,
        10_000 * Decimal(15) / mtok,
    )
    long = (250_000 * Decimal(6) / mtok, Decimal(0), Decimal(0), 1_000 * Decimal("22.5") / mtok)
    # Both buckets are one usage row of the rated grain: each priced in its own band, not approximate.
    both = tuple(x + y for x, y in zip(base, long, strict=True))
    assert rows == {550_000: (*both, sum(both), False)}


def test_bedrock_ids_resolve_to_the_catalogs_regional_entry(warehouse):
    con, _ = warehouse
    row = con.execute(
        """
        select catalog_provider, catalog_model_id, price_status, rated_cost
        from intermediate.int_usage_rated where provider = 'aws_bedrock'
        """
    ).fetchall()
    # AWS's regional (in-region and us. profile) Sonnet 4.5 rate: $3.30 in, $16.50 out.
    expected = Decimal("3.3") + Decimal("16.5") / 10
    assert row == [
        ("aws_bedrock", "regional.anthropic.claude-sonnet-4-5-20250929-v1:0", "priced", expected)
    ]
