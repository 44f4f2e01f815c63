"""bi_access.yml: who reads the served release in PostgreSQL, validated like every governance file."""

from __future__ import annotations

import pytest

from connectors.errors import ConfigError
from governance.load import load_bi_access
from governance.schema import BiAccessFile
from warehouse.serve_postgres import column_type, redact, release_schema


def test_absent_means_no_logins_and_the_default_cost_and_chargeback_marts(tmp_path):
    access = load_bi_access(tmp_path)
    assert access.bi_logins == [] and access.cost_center_logins == []
    assert {m.mart: m.column for m in access.cost_center_marts} == {
        "fct_ai_cost_daily": "cost_center_id",
        "fct_focus_ai_costs": "x_CostCenterId",
        "fct_seat_assignments_daily": "cost_center_id",
        "rpt_chargeback_monthly": "cost_center_id",
        "rpt_chargeback_restatements": "cost_center_id",
    }


def test_a_valid_file_loads(tmp_path):
    (tmp_path / "bi_access.yml").write_text(
        "bi_logins: [finance_bi]\n"
        "cost_center_logins:\n"
        "  - login: cc_research\n"
        "    cost_centers: [CC-110, CC-111]\n"
    )
    access = load_bi_access(tmp_path)
    assert access.bi_logins == ["finance_bi"]
    assert access.cost_center_logins[0].cost_centers == ["CC-110", "CC-111"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("bi_logins: [a, a]\n", "more than once"),
        ("bi_logins: [aiuw_bi]\n", "a reader role, not a login"),
        ('bi_logins: ["x; drop table y"]\n', "not a plain role name"),
        ("cost_center_logins:\n  - login: cc\n    cost_centers: []\n", "cost_centers"),
        ("cost_center_logins:\n  - login: Robert'); --\n    cost_centers: [CC-1]\n", "login"),
        ("readers: []\n", "readers"),
    ],
)
def test_mistakes_are_refused_with_the_field(tmp_path, text, message):
    (tmp_path / "bi_access.yml").write_text(text)
    with pytest.raises(ConfigError) as raised:
        load_bi_access(tmp_path)
    assert message in str(raised.value)


def test_money_stays_exact_and_odd_types_become_text():
    assert column_type("DECIMAL(38,10)") == ("numeric(38,10)", None)
    assert column_type("DECIMAL(9,4)") == ("numeric(9,4)", None)
    assert column_type("UBIGINT") == ("numeric(20,0)", "DECIMAL(20,0)")
    assert column_type("TIMESTAMP WITH TIME ZONE") == ("timestamptz", None)
    assert column_type("MAP(VARCHAR, VARCHAR)") == ("text", "VARCHAR")
    assert column_type("VARCHAR[]") == ("text", "VARCHAR")


def test_release_schemas_and_redacted_errors():
    assert release_schema("20261206T203257141017Z_9d54ddfd") == (
        "release_20261206t203257141017z_9d54ddfd"
    )
    text = redact("connection to postgresql://publisher:s3cret@db:5432/aiuw failed")
    assert "s3cret" not in text and "publisher:***@db" in text
    assert BiAccessFile().bi_logins == []
