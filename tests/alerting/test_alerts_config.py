"""thresholds.yml and alerting.yml: the shipped files load and land; mistakes name file, line, field
and a fix; secrets are named by environment variable only."""

from __future__ import annotations

import shutil

import pytest

from connectors.errors import ConfigError
from governance.load import GOVERNANCE_DIR, load_governance


def copy_governance(tmp_path):
    target = tmp_path / "gov"
    shutil.copytree(GOVERNANCE_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def line_of(path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_the_shipped_thresholds_land_as_exact_rows():
    governance = load_governance()
    tables = governance.tables()
    thresholds = {r["threshold_id"]: r for r in tables["alert_cost_thresholds"].to_pylist()}
    assert thresholds["THR-001"] == {
        "threshold_id": "THR-001",
        "scope": "application",
        "baseline_days": 14,
        "factor": "3",
        "min_daily_cost": "25",
        "severity": "high",
        "enabled": True,
    }
    rules = {r["condition_type"]: r for r in tables["alert_rules"].to_pylist()}
    assert set(rules) == {
        "inactive_person_active",
        "new_person_on_restricted_application",
        "policy_violation",
        "exception_expired",
        "data_quality_failed",
        "usage_drift",
    }
    assert rules["policy_violation"]["min_severity"] == "high"
    assert rules["inactive_person_active"]["severity"] == "critical"
    alerting = governance.alerting
    assert alerting.routing.critical == ["webhook", "email"] and alerting.routing.low == []
    assert alerting.channels.webhook.url_env == "AIUW_ALERT_WEBHOOK_URL"
    assert alerting.channels.email.password_env == "AIUW_ALERT_SMTP_PASSWORD"


def test_the_drift_rules_land_one_row_per_measure_with_the_shared_settings():
    tables = load_governance().tables()
    rows = {r["measure"]: r for r in tables["usage_drift_thresholds"].to_pylist()}
    assert list(rows) == [
        "requests",
        "tokens_per_request",
        "output_input_ratio",
        "error_rate",
        "fallback_rate",
        "off_hours_share",
        "model_mix",
        "new_model",
        "new_provider",
    ]
    assert rows["tokens_per_request"] == {
        "measure": "tokens_per_request",
        "statistic": "robust_z",
        "enabled": True,
        "min_abs_z": "3.5",
        "min_fold_change": "2",
        "min_abs_change": None,
        "min_distance": None,
        "min_token_share": None,
        "min_volume": 500,
        "volume_unit": "requests",
        "baseline_weeks": 8,
        "min_baseline_weeks": 4,
        "work_start_hour": 8,
        "work_end_hour": 18,
        "utc_offset_hours": 0,
    }
    assert (rows["off_hours_share"]["statistic"], rows["off_hours_share"]["min_abs_change"]) == (
        "two_proportion_z",
        "0.15",
    )
    assert (rows["model_mix"]["min_distance"], rows["model_mix"]["volume_unit"]) == (
        "0.3",
        "tokens",
    )
    drift = {r["condition_type"]: r for r in tables["alert_rules"].to_pylist()}["usage_drift"]
    assert (drift["enabled"], drift["severity"]) == (True, "medium")


def test_the_shipped_drift_section_is_the_documented_defaults():
    from governance.schema import DriftThresholds

    assert load_governance().thresholds.drift == DriftThresholds()


def test_drift_mistakes_name_file_line_and_field(tmp_path):
    gov = copy_governance(tmp_path)
    path = gov / "thresholds.yml"
    text = path.read_text()
    path.write_text(text.replace("min_baseline_weeks: 4", "min_baseline_weeks: 9", 1))
    with pytest.raises(ConfigError, match="min_baseline_weeks cannot exceed baseline_weeks"):
        load_governance(gov)
    path.write_text(text.replace("min_distance: '0.3'", "min_distance: '1.5'", 1))
    with pytest.raises(ConfigError) as raised:
        load_governance(gov)
    assert f"thresholds.yml:{line_of(path, '1.5')}: drift.model_mix.min_distance:" in str(
        raised.value
    )
    path.write_text(text.replace("end_hour: 18", "end_hour: 7", 1))
    with pytest.raises(ConfigError, match="end_hour must be after start_hour"):
        load_governance(gov)


def test_a_factor_below_one_names_file_line_and_field(tmp_path):
    gov = copy_governance(tmp_path)
    path = gov / "thresholds.yml"
    path.write_text(path.read_text().replace("factor: '3'", "factor: '0.5'", 1))
    with pytest.raises(ConfigError) as raised:
        load_governance(gov)
    assert f"thresholds.yml:{line_of(path, '0.5')}: cost_spikes[0].factor:" in str(raised.value)


def test_two_enabled_thresholds_for_one_scope_are_refused(tmp_path):
    gov = copy_governance(tmp_path)
    path = gov / "thresholds.yml"
    path.write_text(path.read_text().replace("scope: team", "scope: application", 1))
    path.write_text(path.read_text().replace("  enabled: false\n", "", 1))
    with pytest.raises(
        ConfigError, match="more than one enabled cost spike threshold for scope application"
    ):
        load_governance(gov)


def test_routing_to_an_undeclared_channel_is_refused(tmp_path):
    gov = copy_governance(tmp_path)
    (gov / "alerting.yml").write_text(
        "channels:\n  webhook:\n    url_env: HOOK_URL\nrouting:\n  high: [webhook, email]\n"
    )
    with pytest.raises(
        ConfigError, match="routing names channels not declared under channels: email"
    ):
        load_governance(gov)


def test_a_url_instead_of_a_variable_name_is_refused(tmp_path):
    gov = copy_governance(tmp_path)
    path = gov / "alerting.yml"
    path.write_text(
        path.read_text().replace(
            "url_env: AIUW_ALERT_WEBHOOK_URL", "url_env: https://hooks.example/T0/B0/x", 1
        )
    )
    with pytest.raises(ConfigError) as raised:
        load_governance(gov)
    assert f"alerting.yml:{line_of(path, 'url_env')}: channels.webhook.url_env:" in str(
        raised.value
    )
    assert "Fix: use a value matching ^[A-Z][A-Z0-9_]*$" in str(raised.value)
    assert "hooks.example" not in str(raised.value)


def test_alerting_is_optional(tmp_path):
    gov = copy_governance(tmp_path)
    (gov / "alerting.yml").unlink()
    assert load_governance(gov).alerting is None
