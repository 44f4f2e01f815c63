"""price_overrides.yml validates with errors that name file, line, field and a fix, and lands as
one row per price component with exact decimals and the file's hash."""

from __future__ import annotations

import hashlib
import shutil
from datetime import date

import pytest

from connectors.errors import ConfigError
from governance.load import GOVERNANCE_DIR, load_governance
from prices.catalog import build_catalog

VALID = """\
overrides:
- id: PRC-001
  provider: openai
  model: gpt-4.1-mini
  tier: standard
  starts_on: '2026-09-15'
  prices:
    input: '0.36'
    output: '1.44'
  reason: Negotiated rate.
  reference: PO-1
- id: PRC-002
  provider: anthropic
  model: claude-sonnet-4-5
  tier: batch
  starts_on: '2026-09-01'
  ends_on: '2026-10-01'
  discount_percent: 12.5
  reason: Batch commitment.
  reference: PO-2
reconciliation:
  tolerances:
  - percent: 5
    amount_usd: '1.00'
  - provider: openai
    percent: '2.5'
    amount_usd: '0.50'
"""


def governance_with(tmp_path, text: str):
    gov = tmp_path / "gov"
    shutil.copytree(GOVERNANCE_DIR, gov, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (gov / "price_overrides.yml").write_text(text)
    return gov


def test_overrides_land_one_row_per_component_with_exact_decimals(tmp_path):
    gov = governance_with(tmp_path, VALID)
    tables = load_governance(gov).tables()
    rows = {(r["override_id"], r["component"]): r for r in tables["price_overrides"].to_pylist()}
    assert sorted(rows) == [
        ("PRC-001", "input"),
        ("PRC-001", "output"),
        ("PRC-002", "cache_read"),
        ("PRC-002", "cache_write"),
        ("PRC-002", "input"),
        ("PRC-002", "output"),
    ]
    assert (
        rows["PRC-001", "input"]["price_per_mtok"],
        rows["PRC-001", "input"]["discount_percent"],
    ) == ("0.36", None)
    assert rows["PRC-002", "output"]["discount_percent"] == "12.5"
    assert rows["PRC-002", "output"]["price_per_mtok"] is None
    assert (rows["PRC-002", "input"]["starts_on"], rows["PRC-002", "input"]["ends_on"]) == (
        date(2026, 9, 1),
        date(2026, 10, 1),
    )
    assert tables["cost_tolerances"].to_pylist() == [
        {"provider": None, "percent": "5", "amount_usd": "1"},
        {"provider": "openai", "percent": "2.5", "amount_usd": "0.5"},
    ]
    (snapshot,) = tables["price_override_snapshots"].to_pylist()
    assert snapshot["overrides_sha256"] == hashlib.sha256(VALID.encode()).hexdigest()
    assert snapshot["governance_sha256"] == load_governance(gov).snapshot_hash()


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "  discount_percent: 12.5\n",
            "  discount_percent: 12.5\n  prices:\n    input: '1'\n",
            "price_overrides.yml:12: overrides[1]: give exactly one of prices or discount_percent",
        ),
        (
            "  ends_on: '2026-10-01'",
            "  ends_on: '2026-08-01'",
            "price_overrides.yml:12: overrides[1]: ends_on must be after starts_on",
        ),
        (
            "  tier: batch",
            "  tier: spot",
            "price_overrides.yml:15: overrides[1].tier: Input should be 'standard', 'batch', 'flex' or 'priority'",
        ),
        (
            "  discount_percent: 12.5",
            "  discount_percent: 120",
            "overrides[1].discount_percent: Input should be less than or equal to 100",
        ),
        (
            "    input: '0.36'",
            "    input: 'cheap'",
            "price_overrides.yml:8: overrides[0].prices.input: Input should be a valid decimal",
        ),
        (
            "  reason: Batch commitment.\n",
            "",
            "overrides[1].reason: Field required. Fix: add this field",
        ),
        (
            "  - percent: 5\n    amount_usd: '1.00'\n",
            "",
            "reconciliation: tolerances needs a default entry without provider",
        ),
        (
            "- id: PRC-002\n  provider: anthropic\n  model: claude-sonnet-4-5\n  tier: batch",
            "- id: PRC-002\n  provider: openai\n  model: gpt-4.1-mini\n  tier: standard",
            "overrides PRC-001 and PRC-002 both price openai/gpt-4.1-mini/standard on the same days",
        ),
    ],
)
def test_bad_overrides_name_file_line_field_and_fix(tmp_path, old, new, expected):
    assert old in VALID
    gov = governance_with(tmp_path, VALID.replace(old, new, 1))
    with pytest.raises(ConfigError) as raised:
        load_governance(gov)
    message = str(raised.value)
    assert expected in message, message
    assert f"{gov / 'price_overrides.yml'}:" in message and "Fix:" in message


def test_the_repository_overrides_file_is_valid():
    tables = load_governance(GOVERNANCE_DIR).tables()
    overrides = tables["price_overrides"].to_pylist()
    discounts = [r for r in overrides if r["discount_percent"] is not None]
    # Batch and flex at half price where the catalog has no price for the tier.
    assert {(r["provider"], r["price_tier"], r["discount_percent"]) for r in discounts} == {
        ("openai", "batch", "50"),
        ("openai", "flex", "50"),
        ("anthropic", "batch", "50"),
    }
    # Each ends the day the catalog's own price of that tier starts, or stays open if it never does.
    catalog = build_catalog().prices.to_pylist()
    for r in discounts:
        starts = {
            row["effective_from"]
            for row in catalog
            if (row["provider"], row["model_id"], row["price_tier"])
            == (r["provider"], r["model_id"], r["price_tier"])
        }
        assert r["ends_on"] == (min(starts) if starts else None), r["override_id"]
    assert any(r["provider"] is None for r in tables["cost_tolerances"].to_pylist())
