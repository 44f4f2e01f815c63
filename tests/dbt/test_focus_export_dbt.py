"""fct_focus_ai_costs through dbt on pinned upstream rows: FOCUS 1.2 column ids and types, allowed values,
invoiced rows only with their money unchanged, tokens priced per million, and the x_ columns for
attribution, credential holder and the application's policy status that day."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import duckdb
import pandas as pd
import pytest

from quality.gx import validate_dataframe
from tests.dbt_build import dbt_build

SELECT = ["focus_names", "model_catalog", "fct_focus_ai_costs"]
DAY, NEXT_DAY = date(2026, 9, 14), date(2026, 9, 15)
# FOCUS 1.2 columns the export carries, with the FOCUS data type each must have.
FOCUS_COLUMNS = {
    "BilledCost": "Decimal",
    "BillingAccountId": "String",
    "BillingAccountName": "String",
    "BillingCurrency": "String",
    "BillingPeriodEnd": "DateTime",
    "BillingPeriodStart": "DateTime",
    "ChargeCategory": "String",
    "ChargeClass": "String",
    "ChargeDescription": "String",
    "ChargeFrequency": "String",
    "ChargePeriodEnd": "DateTime",
    "ChargePeriodStart": "DateTime",
    "ConsumedQuantity": "Decimal",
    "ConsumedUnit": "String",
    "ContractedCost": "Decimal",
    "EffectiveCost": "Decimal",
    "InvoiceIssuerName": "String",
    "ListCost": "Decimal",
    "PricingCategory": "String",
    "PricingQuantity": "Decimal",
    "PricingUnit": "String",
    "ProviderName": "String",
    "PublisherName": "String",
    "RegionId": "String",
    "RegionName": "String",
    "ResourceId": "String",
    "ResourceName": "String",
    "ResourceType": "String",
    "ServiceCategory": "String",
    "ServiceName": "String",
    "ServiceSubcategory": "String",
    "SkuId": "String",
    "SubAccountId": "String",
    "SubAccountName": "String",
    "SubAccountType": "String",
    "Tags": "JSON",
}
# Columns FOCUS 1.2 makes mandatory (present in every dataset).
MANDATORY = {
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "ContractedCost",
    "EffectiveCost",
    "InvoiceIssuerName",
    "ListCost",
    "PricingQuantity",
    "PricingUnit",
    "ProviderName",
    "PublisherName",
    "ServiceCategory",
    "ServiceName",
}
X_COLUMNS = {
    "x_CostKey",
    "x_ApplicationId",
    "x_TeamId",
    "x_CostCenterId",
    "x_PersonId",
    "x_PolicyStatus",
    "x_ModelId",
    "x_TokenType",
    "x_PricingTier",
}
DUCKDB_TYPE = {
    "Decimal": "DECIMAL",
    "String": "VARCHAR",
    "DateTime": "TIMESTAMP",
    "JSON": "VARCHAR",
}

COSTS = [
    # key, kind, category, provider, model, token type, tier, project, credential, app, team, cc,
    # billed, list, quantity, unit
    ("c1", "invoiced", "Usage", "openai", "gpt-4.1-mini", "input", "default", "proj_a", "key_a",
     "app-a", "team-a", "CC-1", "1.2000000000", None, 3000000, "tokens"),
    ("c2", "invoiced", "Usage", "aws_bedrock", "claude-sonnet-4-5", "output", "default", "111122223333",
     "111122223333", "app-b", "team-b", "CC-2", "4.5000000000", "5.0000000000", 300000, "tokens"),
    ("c3", "invoiced", "Credit", "google_vertex", None, "other", "default", "gcp-proj", "gcp-proj",
     None, None, None, "-2.0000000000", None, None, None),
    ("c4", "measured", "Usage", "openai", "gpt-4.1-mini", "input", "default", "proj_a", "key_a",
     "app-a", "team-a", "CC-1", "9.0000000000", None, 3000000, "tokens"),
    ("c5", "invoiced", "Usage", "openai", "gpt-4o", "output", "batch", "proj_c", "key_c",
     "app-c", "team-c", "CC-3", "0.5000000000", None, 100000, "tokens"),
]  # fmt: skip


def seed(database) -> None:
    with duckdb.connect(str(database)) as con:
        con.execute("create schema if not exists marts")
        con.execute(
            """
            create or replace table marts.fct_ai_cost_daily (
                cost_key varchar, usage_date date, charge_period_start timestamp,
                charge_period_end timestamp, source_id varchar, cost_kind varchar,
                charge_category varchar, provider varchar, charge_description varchar,
                model_id varchar, token_type varchar, pricing_tier varchar, project_id varchar,
                credential_id varchar, application_id varchar, team_id varchar,
                cost_center_id varchar, billed_cost decimal(38, 10), effective_cost decimal(38, 10),
                list_cost decimal(38, 10), billing_currency varchar,
                consumed_quantity decimal(38, 6), consumed_unit varchar
            )
            """
        )
        for (key, kind, category, provider, model, token, tier, project, credential, app, team, cc,
             billed, listed, quantity, unit) in COSTS:  # fmt: skip
            con.execute(
                "insert into marts.fct_ai_cost_daily values "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'USD', ?, ?)",
                [key, DAY, datetime(2026, 9, 14), datetime(2026, 9, 15), f"{provider}-main", kind,
                 category, provider, f"line {key}", model, token, tier, project, credential, app,
                 team, cc, billed, None, listed, quantity, unit],
            )  # fmt: skip
        con.execute(
            """
            create or replace table marts.dim_credential (
                credential_provider varchar, project_id varchar, credential_id varchar,
                holder_person_id varchar
            )
            """
        )
        con.execute(
            "insert into marts.dim_credential values ('openai', 'proj_a', 'key_a', 'p00042')"
        )
        con.execute(
            """
            create or replace table marts.fct_policy_violations (
                usage_date date, application_id varchar, status varchar
            )
            """
        )
        con.executemany(
            "insert into marts.fct_policy_violations values (?, ?, ?)",
            [
                [DAY, "app-a", "excepted"],
                [DAY, "app-a", "reraised"],  # the worse one wins
                [DAY, "app-b", "excepted"],
                [NEXT_DAY, "app-c", "open"],  # another day
            ],
        )


@pytest.fixture(scope="module")
def focus(tmp_path_factory):
    base = tmp_path_factory.mktemp("focus")
    database = base / "warehouse.duckdb"
    seed(database)
    dbt_build(base, database, base / "landing", SELECT)
    with duckdb.connect(str(database), read_only=True) as con:
        types = dict(
            con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'marts' and table_name = 'fct_focus_ai_costs'"
            ).fetchall()
        )
        cursor = con.execute("select * from marts.fct_focus_ai_costs")
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return types, rows


def test_focus_column_ids_and_types(focus):
    types, _ = focus
    assert MANDATORY <= set(FOCUS_COLUMNS)
    assert set(types) == set(FOCUS_COLUMNS) | X_COLUMNS
    for column, focus_type in FOCUS_COLUMNS.items():
        assert types[column].split("(")[0] == DUCKDB_TYPE[focus_type], column
    assert not [c for c, t in types.items() if t in ("FLOAT", "DOUBLE", "REAL")]


def test_invoiced_rows_keep_their_money_and_meaning(focus):
    _, records = focus
    rows = {r["x_CostKey"]: r for r in records}
    assert set(rows) == {"c1", "c2", "c3", "c5"}  # measured cost is not a charge
    for key, *_, billed, listed, _quantity, _unit in COSTS:
        if key in rows:
            assert rows[key]["BilledCost"] == Decimal(billed)
            assert rows[key]["ListCost"] == Decimal(listed or billed)
            assert rows[key]["EffectiveCost"] == Decimal(billed)
    mini = rows["c1"]
    assert (mini["ConsumedQuantity"], mini["ConsumedUnit"]) == (3000000, "Tokens")
    assert (mini["PricingQuantity"], mini["PricingUnit"]) == (3, "1000000 Tokens")
    assert (mini["ProviderName"], mini["PublisherName"], mini["ServiceName"]) == (
        "OpenAI",
        "OpenAI",
        "OpenAI API",
    )
    assert mini["BillingPeriodStart"] == datetime(2026, 9, 1)
    assert mini["BillingPeriodEnd"] == datetime(2026, 10, 1)
    assert (
        mini["ChargeFrequency"] == "Usage-Based" and mini["SkuId"] == "gpt-4.1-mini:input:default"
    )
    bedrock = rows["c2"]
    assert (bedrock["ProviderName"], bedrock["PublisherName"]) == (
        "Amazon Web Services",
        "Anthropic",
    )
    credit = rows["c3"]
    assert (credit["ChargeCategory"], credit["ChargeFrequency"], credit["PricingCategory"]) == (
        "Credit",
        "One-Time",
        None,
    )
    assert credit["ConsumedQuantity"] is None
    assert {r["ServiceCategory"] for r in records} == {"AI and Machine Learning"}


def test_x_columns_attribution_holder_and_policy_status(focus):
    _, records = focus
    rows = {r["x_CostKey"]: r for r in records}
    assert json.loads(rows["c1"]["Tags"]) == {
        "application": "app-a",
        "team": "team-a",
        "cost_center": "CC-1",
    }
    assert json.loads(rows["c3"]["Tags"]) == {
        "application": None,
        "team": None,
        "cost_center": None,
    }
    assert rows["c1"]["x_PersonId"] == "p00042"
    assert rows["c2"]["x_PersonId"] is None
    assert {k: rows[k]["x_PolicyStatus"] for k in rows} == {
        "c1": "open",  # re-raised after its exception expired
        "c2": "excepted",
        "c3": None,  # unattributed
        "c5": "none",  # its violation is on another day
    }


def test_the_published_suite_passes_on_the_result(focus):
    _, records = focus
    outcome = validate_dataframe("fct_focus_ai_costs", pd.DataFrame(records))
    assert outcome.success, outcome.failures
