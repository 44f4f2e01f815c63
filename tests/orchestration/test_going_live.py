"""The going-live files: the sources example validates with the real loader and shows every source
type, and the env template names every secret it uses, without values."""

from __future__ import annotations

import re
from pathlib import Path

from connectors.config import SOURCE_TYPES, SourceConfig, load_sources

CONFIG = Path(__file__).resolve().parents[2] / "config"
EXAMPLE = CONFIG / "sources.example.yml"
ENV_TEMPLATE = CONFIG / "env.example"


def template_lines() -> list[tuple[str, str, str]]:
    """(comment above, name, value) for every assignment in the env template."""
    lines = ENV_TEMPLATE.read_text().splitlines()
    found = []
    for i, line in enumerate(lines):
        match = re.fullmatch(r"([A-Z][A-Z0-9_]*)=(.*)", line)
        if match:
            found.append((lines[i - 1], match.group(1), match.group(2)))
    return found


def test_the_sources_example_validates_and_shows_every_source_type(monkeypatch):
    config = load_sources(EXAMPLE)
    for source in config.sources:
        if source.secret_env_name:
            monkeypatch.setenv(source.secret_env_name, f"dummy-{source.id}")
        if source.source_type.base_url_env:
            monkeypatch.delenv(source.source_type.base_url_env, raising=False)
    config.check_secrets()
    assert {s.type for s in config.sources} == set(SOURCE_TYPES)
    assert len(SOURCE_TYPES) == 17
    openai = next(s for s in config.sources if s.type == "openai")
    assert openai.resolved_base_url() == "https://api.openai.com/v1"
    assert openai.secret() == "dummy-openai_main"
    # every API source reaches a real host, so the sandbox's keys would be refused there
    assert all(
        not s.resolved_base_url().startswith("http://127.")
        for s in config.sources
        if s.source_type.kind == "api"
    )


def test_every_field_of_a_source_is_explained_in_the_example():
    text = EXAMPLE.read_text()
    header = text.split("warehouse:", 1)[0]

    for field in SourceConfig.model_fields:
        assert re.search(rf"^#\s+{field}\s", header, re.MULTILINE), field


def test_the_env_template_names_every_secret_the_example_uses_without_values():
    config = load_sources(EXAMPLE)
    template = template_lines()
    names = [name for _, name, _ in template]
    assert {s.secret_env_name for s in config.sources if s.secret_env_name} <= set(names)
    assert len(names) == len(set(names))
    assert [(name, value) for _, name, value in template if value] == []
    assert [name for comment, name, _ in template if not comment.startswith("# ")] == []
