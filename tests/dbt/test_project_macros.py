"""Project macros run through `dbt show`: every source's model identifier reduces to one canonical
model id (the macro behind the union models), and the grouped not-null test finds each null column."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dbt_build import dbt_show

CASES = {
    "gpt-4.1-mini-2025-04-14": "gpt-4.1-mini",
    "gpt-4o-2024-08-06": "gpt-4o",
    "text-embedding-3-small": "text-embedding-3-small",
    "claude-sonnet-4-5-20250929": "claude-sonnet-4-5",
    "Claude-Haiku-4-5-20251001": "claude-haiku-4-5",
    "anthropic.claude-sonnet-4-5-20250929-v1:0": "claude-sonnet-4-5",
    "us.anthropic.claude-sonnet-4-5-20250929-v1:0": "claude-sonnet-4-5",
    "arn:aws:bedrock:us-east-1:111122223333:inference-profile/eu.meta.llama3-70b-instruct-v1:0": "llama3-70b-instruct",
    "amazon.titan-embed-text-v2:0": "titan-embed-text",
    "publishers/google/models/gemini-2.5-pro@001": "gemini-2.5-pro",
    "gemini-2.5-flash": "gemini-2.5-flash",
}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("dbt_show")


def show(sql: str, workdir: Path) -> list[dict]:
    return dbt_show(workdir, sql)


def test_canonical_model_id_of_every_kind_of_reference(workdir):
    selects = " union all ".join(
        f"select '{raw}' as raw, {{{{ canonical_model_id(\"'{raw}'\") }}}} as model_id"
        for raw in CASES
    )
    rows = show(selects, workdir)
    assert {row["raw"]: row["model_id"] for row in rows} == CASES


def test_not_null_columns_returns_each_column_with_nulls_and_how_many(workdir):
    table = "(select * from (values (1, null, 'x'), (null, null, 'y'), (3, 4, 'z')) v(a, b, c))"
    rows = show(
        f"{{{{ test_not_null_columns(model=\"{table}\", columns=['a', 'b', 'c']) }}}}", workdir
    )
    assert sorted((r["column_name"], r["null_rows"]) for r in rows) == [("a", 1), ("b", 2)]
    clean = "(select * from (values (1, 2)) v(a, b))"
    assert (
        show(f"{{{{ test_not_null_columns(model=\"{clean}\", columns=['a', 'b']) }}}}", workdir)
        == []
    )


# numerator, denominator, scale, the exact quotient rounded half away from zero
QUOTIENTS = [
    # half-way at four decimals: -82.74655 exactly, which DuckDB's DOUBLE division rounds to -82.7465
    ("cast(-49647.93 as decimal(38, 10)) * 100", "cast(60000 as decimal(38, 10))", 4, "-82.7466"),
    ("cast(49647.93 as decimal(38, 10)) * 100", "cast(60000 as decimal(38, 10))", 4, "82.7466"),
    ("cast(-2 as decimal(38, 10))", "3", 4, "-0.6667"),
    ("cast(10352.07 as decimal(38, 10)) * 31", "30", 2, "10697.14"),
    ("cast(39 as decimal(38, 10)) * 17", "31", 10, "21.3870967742"),
    ("cast(0.125 as decimal(38, 10))", "cast(-1 as decimal(38, 10))", 2, "-0.13"),
    ("7", "2", 0, "4"),
]


def test_decimal_divide_is_exact_and_rounds_half_away_from_zero(workdir):
    columns = ", ".join(
        f'{{{{ decimal_divide("{n}", "{d}", {s}) }}}} as q{i}'
        for i, (n, d, s, _) in enumerate(QUOTIENTS)
    )
    row = show(f"select {columns}, {{{{ decimal_divide('5', '0', 2) }}}} as by_zero", workdir)[0]
    assert [str(row[f"q{i}"]) for i in range(len(QUOTIENTS))] == [q for *_, q in QUOTIENTS]
    assert row["by_zero"] is None
