"""The sandbox's release documents itself where BI tools look: a comment on every published table
and on at least nine columns in ten, from the dbt docs."""

from __future__ import annotations

import duckdb
import pytest

from orchestration.lib.dbt import published_models

pytestmark = pytest.mark.e2e


def test_every_table_and_nine_columns_in_ten_carry_their_dbt_description(deployment):
    with duckdb.connect(str(deployment.published_db), read_only=True) as con:
        tables = dict(
            con.execute(
                "select table_name, comment from duckdb_tables() where schema_name = 'main'"
            ).fetchall()
        )
        columns = con.execute(
            "select count(*), count(comment) from duckdb_columns() "
            "where schema_name = 'main' and not internal"
        ).fetchone()
    assert sorted(tables) == published_models()
    assert all(comment and comment.strip() for comment in tables.values()), tables
    total, commented = columns
    assert total > 300 and commented >= 0.9 * total, columns
