"""Governance files validate, cross-check, and flatten into tables."""

from __future__ import annotations

import shutil

import pytest

from connectors.errors import ConfigError
from governance.load import GOVERNANCE_DIR, load_governance


def test_the_example_governance_set_matches_the_sandbox_enterprise():
    from sandbox.server import SandboxState

    governance = load_governance(GOVERNANCE_DIR)
    tables = governance.rows()
    state = SandboxState()
    declared = {
        (c["provider"], c["credential_kind"], c["credential_id"])
        for c in tables["application_credentials"]
    }
    expected = {
        (c["provider"], c["kind"], c["id"])
        for p in state.providers
        for c in p.declared_credentials()
    }
    assert declared == expected
    ent = state.enterprise
    shadow = {p.project_id for p in ent.projects if not ent.application(p.application_id).declared}
    openai_projects = {c for provider, _, c in declared if provider == "openai"}
    assert openai_projects == {p.project_id for p in ent.projects} - shadow
    assert len(tables["teams"]) == len(ent.teams)
    assert {a["lifecycle_status"] for a in tables["applications"]} == {"production", "retired"}
    assert len(governance.snapshot_hash()) == 64


def test_unknown_team_is_reported_with_file_field_and_fix(tmp_path):
    shutil.copytree(
        GOVERNANCE_DIR, tmp_path / "gov", ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    apps = tmp_path / "gov" / "applications.yml"
    apps.write_text(
        apps.read_text().replace("owning_team: support-ops", "owning_team: support-opz", 1)
    )
    with pytest.raises(ConfigError) as raised:
        load_governance(tmp_path / "gov")
    message = str(raised.value)
    line = next(
        n for n, text in enumerate(apps.read_text().splitlines(), start=1) if "support-opz" in text
    )
    assert (
        f"applications.yml:{line}: applications[0].owning_team: unknown team 'support-opz'"
        in message
    )
    assert "Fix: use a team id from teams.yml" in message


def copy_governance(tmp_path):
    shutil.copytree(
        GOVERNANCE_DIR, tmp_path / "gov", ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    return tmp_path / "gov"


def test_every_table_keeps_its_columns_even_when_empty(tmp_path):
    gov = copy_governance(tmp_path)
    (gov / "exceptions.yml").write_text("exceptions: []\n")
    tables = load_governance(gov).tables()
    assert tables["exceptions"].num_rows == 0
    assert "expires_on" in tables["exceptions"].schema.names
    assert str(tables["exceptions"].schema.field("expires_on").type) == "date32[day]"
    approved = tables["application_approved_models"].to_pylist()
    # `family:<family>` entries become a family, plain entries a model id
    assert {
        "application_id": "app-design-critique",
        "model_id": None,
        "model_family": "gpt-4.1",
    } in approved


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "applications.yml",
            "- family:gpt-4o\n",
            "- family:gpt-5o\n",
            "approved_models[1]: unknown model 'family:gpt-5o'. Fix: use a model id or family:<family> from models.yml",
        ),
        (
            "exceptions.yml",
            "policy: POL-001",
            "policy: POL-999",
            "exceptions[0].policy: unknown policy 'POL-999'. Fix: use an id from policies.yml",
        ),
        (
            "exceptions.yml",
            "expires_on: '2026-09-10'",
            "expires_on: '2026-06-01'",
            "exceptions[0]: expires_on must be after starts_on",
        ),
        (
            "policies.yml",
            "rule: shadow_credential",
            "rule: shadow_credentials",
            "policies[6].rule: Input should be",
        ),
        (
            "models.yml",
            "review_status: under_review",
            "review_status: pending",
            ".review_status: Input should be 'approved', 'under_review', 'restricted' or 'prohibited'",
        ),
    ],
)
def test_bad_governance_names_file_line_field_and_fix(tmp_path, file, old, new, expected):
    gov = copy_governance(tmp_path)
    path = gov / file
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new, 1))
    with pytest.raises(ConfigError) as raised:
        load_governance(gov)
    message = str(raised.value)
    assert expected in message
    assert f"{path}:" in message and "Fix:" in message


def test_a_credential_claimed_by_two_applications_is_rejected(tmp_path):
    import yaml

    shutil.copytree(
        GOVERNANCE_DIR, tmp_path / "gov", ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    apps = tmp_path / "gov" / "applications.yml"
    data = yaml.safe_load(apps.read_text())
    first, second = data["applications"][0]["credentials"], data["applications"][1]["credentials"]
    stolen = next(c for c in first if c["provider"] == "openai")["id"]
    next(c for c in second if c["provider"] == "openai")["id"] = stolen
    apps.write_text(yaml.safe_dump(data))
    with pytest.raises(
        ConfigError,
        match=f"credential openai/project/{stolen} is declared by both app-support-assistant and app-ticket-triage",
    ):
        load_governance(tmp_path / "gov")


def test_the_reference_page_is_generated_from_the_schema():
    from governance.reference import REFERENCE, render

    page = render()
    assert REFERENCE.read_text() == page, "run `python -m governance.reference`"
    assert "| `expires_on` | date | yes | First day the exception no longer applies. |" in page
    assert "| `shadow_credential` | Usage from a credential that no application declares. |" in page


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "seat_prices.yml",
            "currency: EUR",
            "currency: GBP",
            "prices[3].currency: no FX rate for GBP. Fix: add a rate for it to fx_rates.yml or use USD",
        ),
        (
            "fx_rates.yml",
            "valid_to: '2026-09-15'",
            "valid_to: '2026-09-16'",
            "two EUR rates on the same days (2025-01-01 and 2026-09-15): end one before",
        ),
        (
            "fx_rates.yml",
            "rate: '1.0800'",
            "rate: '-1.08'",
            "rates[0].rate: Input should be greater than 0",
        ),
        (
            "budgets.yml",
            "id: sales-emea",
            "id: sales-emia",
            "budgets[",
        ),
        (
            "budgets.yml",
            "starts_on: '2026-01-01'",
            "starts_on: '2026-01-15'",
            "budgets[0]: starts_on must be the first day of a month, not 2026-01-15",
        ),
    ],
)
def test_bad_money_governance_names_file_line_field_and_fix(tmp_path, file, old, new, expected):
    gov = copy_governance(tmp_path)
    path = gov / file
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new, 1))
    with pytest.raises(ConfigError) as raised:
        load_governance(gov)
    message = str(raised.value)
    assert expected in message
    assert f"{path}:" in message and "Fix:" in message


def test_unknown_budget_scope_names_the_line_of_the_id(tmp_path):
    gov = copy_governance(tmp_path)
    path = gov / "budgets.yml"
    path.write_text(path.read_text().replace("id: sales-emea", "id: sales-emia", 1))
    with pytest.raises(ConfigError) as raised:
        load_governance(gov)
    line = next(
        n for n, text in enumerate(path.read_text().splitlines(), start=1) if "sales-emia" in text
    )
    assert f"budgets.yml:{line}: budgets[" in str(raised.value)
    assert "unknown team 'sales-emia'. Fix: use an id from teams.yml" in str(raised.value)


def test_fx_rates_carry_the_reporting_currency_and_budgets_their_scope():
    tables = load_governance(GOVERNANCE_DIR).rows()
    reporting = [r for r in tables["fx_rates"] if r["currency"] == r["reporting_currency"]]
    assert reporting == [
        {
            "currency": "USD",
            "reporting_currency": "USD",
            "rate": "1",
            "valid_from": None,
            "valid_to": None,
            "source": "reporting currency",
        }
    ]
    eur = sorted((r["valid_from"], r["rate"]) for r in tables["fx_rates"] if r["currency"] == "EUR")
    assert len({rate for _, rate in eur}) > 1  # the rate changes during the sandbox history
    from sandbox.governance_example import PLANTED_OVER_BUDGET

    scopes = {(b["scope"], b["scope_id"]) for b in tables["budgets"]}
    assert PLANTED_OVER_BUDGET in scopes and len(scopes) == len(tables["budgets"])


def test_money_files_are_optional(tmp_path):
    gov = copy_governance(tmp_path)
    (gov / "budgets.yml").unlink()
    (gov / "fx_rates.yml").unlink()
    (gov / "seat_prices.yml").write_text("prices: []\n")
    tables = load_governance(gov).rows()
    assert tables["budgets"] == []
    assert [r["currency"] for r in tables["fx_rates"]] == ["USD"]


def test_cost_centre_names_are_optional_and_must_name_a_charged_cost_centre(tmp_path):
    gov = copy_governance(tmp_path)
    teams = gov / "teams.yml"
    names = load_governance(gov).rows()["cost_centers"]
    assert {"id": "CC-110", "name": "Engineering / Platform"} in names
    text = teams.read_text()
    teams.write_text(text.replace("- id: CC-110\n", "- id: CC-9110\n", 1))
    with pytest.raises(ConfigError) as raised:
        load_governance(gov)
    assert "cost_centers[0].id: cost centre 'CC-9110' is charged to no team" in str(raised.value)
    teams.write_text(text[: text.index("cost_centers:")])
    assert load_governance(gov).tables()["cost_centers"].num_rows == 0


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "    resource_ids:\n    - i-0a7f3c9e5d2b41806\n    tags:\n      aiuw:deployment: vllm-llama\n",
            "    resource_ids: []\n",
            "self_hosted.yml:8: deployments[0].resources[0]: declare the resources by resource_ids"
            " or tags (or both)",
        ),
        (
            "  - source_type: aws_cur",
            "  - source_type: aws_curr",
            "deployments[0].resources[0].source_type: Input should be 'aws_cur'",
        ),
        ("  provider: vllm", "  provider: openai", "deployments[0].provider: Input should be"),
    ],
)
def test_bad_self_hosted_deployment_names_file_line_field_and_fix(tmp_path, old, new, expected):
    gov = copy_governance(tmp_path)
    path = gov / "self_hosted.yml"
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new, 1))
    with pytest.raises(ConfigError) as raised:
        load_governance(gov)
    message = str(raised.value)
    assert expected in message
    assert f"{path}:" in message and "Fix:" in message


def test_a_resource_claimed_by_two_deployments_is_rejected(tmp_path):
    gov = copy_governance(tmp_path)
    path = gov / "self_hosted.yml"
    text = path.read_text()
    second = text.split("deployments:\n", 1)[1].replace("id: vllm-llama", "id: vllm-qwen")
    path.write_text(text + second.replace("- llama-3-3-70b-instruct", "- qwen-2-5-72b-instruct"))
    with pytest.raises(
        ConfigError, match=r"resource i-0a7f3c9e5d2b41806 \(aws_cur\) is declared by"
    ):
        load_governance(gov)


def test_self_hosted_deployments_land_their_models_and_resources(tmp_path):
    rows = load_governance().rows()
    assert rows["self_hosted_models"] == [
        {"deployment_id": "vllm-llama", "provider": "vllm", "model": "llama-3-3-70b-instruct"}
    ]
    assert {
        (r["resource_id"], r["tag_key"], r["tag_value"]) for r in rows["self_hosted_resources"]
    } == {
        ("i-0a7f3c9e5d2b41806", None, None),
        (None, "aiuw:deployment", "vllm-llama"),
    }
    gov = copy_governance(tmp_path)
    (gov / "self_hosted.yml").unlink()
    assert load_governance(gov).rows()["self_hosted_resources"] == []
