"""`python -m governance.init DIR` writes a governance set that validates and carries nothing of the
sandbox enterprise, and never overwrites a set by accident."""

from __future__ import annotations

from governance.init import main
from governance.load import GOVERNANCE_DIR, load_governance


def ids(governance) -> dict[str, set[str]]:
    return {
        "teams": {t.id for t in governance.teams.teams},
        "applications": {a.id for a in governance.applications.applications},
        "exceptions": {e.id for e in governance.exceptions.exceptions},
        "budgets": {b.id for b in governance.budgets.budgets},
        "aliases": {a.alias_email for a in governance.person_aliases.aliases},
        "remediation": {e.finding_key for e in governance.remediation.entries},
    }


def test_the_starter_validates_and_has_nothing_of_the_sandbox(tmp_path, monkeypatch, capsys):
    target = tmp_path / "governance"
    assert main([str(target)]) == 0
    out = capsys.readouterr().out
    assert f"wrote a starter governance set to {target}:" in out
    assert "  teams.yml\n" in out and "  thresholds.yml\n" in out
    assert f"export AIUW_GOVERNANCE_DIR={target.resolve()}" in out

    monkeypatch.setenv("AIUW_GOVERNANCE_DIR", str(target))
    starter = load_governance()  # found through AIUW_GOVERNANCE_DIR
    assert starter.directory == target
    assert ids(starter) == {
        "teams": {"ai-enablement"},
        "applications": {"app-first-assistant"},
        "exceptions": set(),
        "budgets": set(),
        "aliases": set(),
        "remediation": set(),
    }
    example = load_governance(GOVERNANCE_DIR)
    for kind, example_ids in ids(example).items():
        assert example_ids, kind  # the sandbox example does plant each of these
        assert not example_ids & ids(starter)[kind], kind
    # the rules are the project's: every policy of the example set, none of its planted facts
    assert [p.rule for p in starter.policies.policies] == [
        p.rule for p in example.policies.policies
    ]
    # a warning now, so the starter keeps the default: undeclared usage alerts, never blocks
    assert starter.thresholds.data_quality.min_attributed_usage_pct == 90
    assert starter.thresholds.data_quality.warning_severity == "medium"
    for path in target.iterdir():
        text = path.read_text().lower()
        assert "sandbox" not in text and "example-corp" not in text, path.name
    tables = starter.tables()
    assert tables["teams"].num_rows == 1 and tables["exceptions"].num_rows == 0


def test_a_non_empty_directory_is_kept_unless_forced(tmp_path, capsys):
    target = tmp_path / "governance"
    target.mkdir()
    (target / "teams.yml").write_text("teams: []  # mine\n")
    assert main([str(target)]) == 2
    assert "is not empty; nothing was written" in capsys.readouterr().err
    assert (target / "teams.yml").read_text() == "teams: []  # mine\n"
    assert sorted(p.name for p in target.iterdir()) == ["teams.yml"]

    assert main([str(target), "--force"]) == 0
    assert "ai-enablement" in (target / "teams.yml").read_text()
    assert main(["--check", str(target)]) == 0
    assert "valid (1 team(s), 1 application(s))" in capsys.readouterr().out
