"""The sources config fails early, naming file, line, field and a fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.config import DEFAULT_SOURCES_PATH, load_sources
from connectors.errors import ConfigError

VALID = """\
warehouse:
  history_start: 2026-08-01
sources:
  - id: openai_main
    type: openai
    base_url: https://api.openai.com/v1
    secret_env: OPENAI_ADMIN_KEY
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yml"
    path.write_text(text)
    return path


def test_the_shipped_sandbox_config_is_valid():
    config = load_sources(DEFAULT_SOURCES_PATH)
    assert [s.id for s in config.of_type("openai")] == ["openai_main"]
    assert config.warehouse.restatement_days == 3


def test_errors_name_file_line_field_and_fix(tmp_path):
    path = write(
        tmp_path,
        VALID.replace("2026-08-01", "2026-13-01").replace("type: openai", "type: opneai")
        + "    timout_seconds: 5\n",
    )
    with pytest.raises(ConfigError) as raised:
        load_sources(path)
    message = str(raised.value)
    assert f"{path}:2: warehouse.history_start:" in message
    assert f"{path}:5: sources[0].type: Input should be 'openai', 'anthropic'," in message
    assert "Fix: use one of 'openai', 'anthropic'," in message
    assert (
        f"{path}:8: sources[0].timout_seconds: Extra inputs are not permitted. Fix: remove this field"
        in message
    )
    assert "3 problem(s)" in message


def test_duplicate_ids_and_bad_urls_are_rejected(tmp_path):
    second = VALID.split("sources:\n", 1)[1]
    with pytest.raises(ConfigError, match="source id 'openai_main' is declared twice"):
        load_sources(write(tmp_path, VALID + second))
    with pytest.raises(
        ConfigError, match=r"sources\[1\].base_url: base_url must start with http:// or https://"
    ):
        load_sources(
            write(
                tmp_path,
                VALID + second.replace("openai_main", "openai_b").replace("https://", "ftp://"),
            )
        )


def test_missing_file_and_broken_yaml(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_sources(tmp_path / "nope.yml")
    with pytest.raises(ConfigError, match=r"sources.yml:3: not valid YAML"):
        load_sources(write(tmp_path, "warehouse:\n  history_start: 2026-08-01\n sources: [\n"))


def test_file_sources_need_a_path_and_api_sources_a_secret(tmp_path, monkeypatch):
    file_source = (
        VALID.split("sources:\n", 1)[0]
        + "sources:\n  - id: cur\n    type: aws_cur\n    path: exports/cur\n"
    )
    config = load_sources(write(tmp_path, file_source))
    monkeypatch.delenv("AWS_CUR_PATH", raising=False)
    assert config.sources[0].resolved_path().parts[-2:] == ("exports", "cur")
    monkeypatch.setenv("AWS_CUR_PATH", str(tmp_path / "elsewhere"))
    assert config.sources[0].resolved_path() == tmp_path / "elsewhere"
    config.check_secrets()  # file sources have no secret
    with pytest.raises(ConfigError, match=r"is a file source \(aws_cur\); use path, not base_url"):
        load_sources(write(tmp_path, file_source + "    base_url: https://example.com\n"))


def test_env_overrides_base_url_and_missing_secret_is_named(tmp_path, monkeypatch):
    config = load_sources(write(tmp_path, VALID.replace("OPENAI_ADMIN_KEY", "MY_OPENAI_KEY")))
    source = config.sources[0]
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    assert source.resolved_base_url() == "https://api.openai.com/v1"
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:1234/v1")
    assert source.resolved_base_url() == "http://127.0.0.1:1234/v1"
    monkeypatch.delenv("MY_OPENAI_KEY", raising=False)
    with pytest.raises(ConfigError, match="source 'openai_main' needs env var MY_OPENAI_KEY"):
        config.check_secrets()
    monkeypatch.setenv("MY_OPENAI_KEY", "sk-admin-abc")
    config.check_secrets()
    assert source.secret() == "sk-admin-abc"


def test_the_run_command_refuses_bad_config_before_running(tmp_path, monkeypatch, capsys):
    from orchestration.cli import run
    from orchestration.lib.sources import sources_config

    monkeypatch.setenv("AIUW_SOURCES", str(write(tmp_path, VALID.replace("openai_main", "Bad Id"))))
    sources_config.cache_clear()
    try:
        assert run.main(["--no-summary"]) == 2
    finally:
        sources_config.cache_clear()
    err = capsys.readouterr().err
    assert "configuration error, nothing was run" in err and "sources[0].id" in err


SCIM = """\
warehouse:
  history_start: 2026-08-01
sources:
  - id: scim_main
    type: scim
    base_url: https://scim.example.com/scim/v2
    secret_env: SCIM_TOKEN
    options:
      page_size: 250
"""


def test_options_are_typed_per_source_type_and_an_unknown_one_is_refused(tmp_path):
    (source,) = load_sources(write(tmp_path, SCIM)).sources
    assert source.settings.page_size == 250
    assert source.http_options() == {
        "source_id": "scim_main",
        "timeout": 30.0,
        "max_attempts": 6,
        "backoff_base": 1.0,
        "backoff_max": 60.0,
    }
    with pytest.raises(ConfigError) as raised:
        load_sources(write(tmp_path, SCIM.replace("page_size: 250", "pagesize: 250")))
    message = str(raised.value)
    assert "source 'scim_main' (scim): options.pagesize: Extra inputs are not permitted" in message
    assert "(options of scim: page_size)" in message
    with pytest.raises(
        ConfigError, match=r"options.page_size: Input should be less than or equal to 1000"
    ):
        load_sources(write(tmp_path, SCIM.replace("250", "5000")))
    with pytest.raises(ConfigError, match=r"\(options of openai: none\)"):
        load_sources(write(tmp_path, VALID + "    options:\n      page_size: 10\n"))


def test_entra_sign_in_reads_the_source_then_the_environment(tmp_path, monkeypatch):
    text = SCIM.replace("type: scim", "type: entra_id").replace(
        "      page_size: 250\n", "      client_id: app-1\n"
    )
    (source,) = load_sources(write(tmp_path, text)).sources
    for name in ("ENTRA_TENANT_ID", "ENTRA_CLIENT_ID", "ENTRA_AUTHORITY_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(
        ConfigError, match=r"no tenant id\. Fix: set organization_id or options\.tenant_id"
    ):
        source.settings.sign_in(source.id, source.organization_id)
    monkeypatch.setenv("ENTRA_TENANT_ID", "tenant-9")
    monkeypatch.setenv("ENTRA_CLIENT_ID", "not-this-one")
    assert source.settings.sign_in(source.id, None) == (
        "tenant-9",
        "app-1",
        "https://login.microsoftonline.com",
    )
    assert source.settings.sign_in(source.id, "org-tenant")[0] == "org-tenant"
