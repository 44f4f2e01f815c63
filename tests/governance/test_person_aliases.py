"""governance/person_aliases.yml: optional, validated with file and field, landed lower case."""

from __future__ import annotations

import shutil

import pytest

from connectors.errors import ConfigError
from governance.load import GOVERNANCE_DIR, load_governance


@pytest.fixture
def gov(tmp_path):
    target = tmp_path / "gov"
    shutil.copytree(GOVERNANCE_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def test_aliases_land_lower_case(gov):
    (gov / "person_aliases.yml").write_text(
        "aliases:\n"
        "  - alias_email: A.Ng@Example.com\n"
        "    person_email: Alice.Ng@example.com\n"
        "    reason: Google alias\n"
    )
    table = load_governance(gov).tables()["person_aliases"]
    assert table.to_pylist() == [
        {
            "alias_email": "a.ng@example.com",
            "person_email": "alice.ng@example.com",
            "reason": "Google alias",
        }
    ]


def test_without_the_file_the_table_is_empty_with_its_columns(gov):
    (gov / "person_aliases.yml").unlink()
    governance = load_governance(gov)
    table = governance.tables()["person_aliases"]
    assert table.num_rows == 0
    assert table.schema.names == ["alias_email", "person_email", "reason"]
    assert governance.snapshot_hash()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "aliases:\n  - alias_email: a@x.com\n    person_email: A@x.com\n    reason: r\n",
            "alias_email and person_email are the same address",
        ),
        (
            "aliases:\n  - alias_email: a@x.com\n    person_email: b@x.com\n    reason: r\n"
            "  - alias_email: A@x.com\n    person_email: c@x.com\n    reason: r\n",
            "alias emails declared more than once: a@x.com",
        ),
        (
            "aliases:\n  - alias_email: not-an-email\n    person_email: b@x.com\n    reason: r\n",
            "alias_email",
        ),
    ],
)
def test_bad_aliases_are_refused_naming_the_file(gov, body, expected):
    (gov / "person_aliases.yml").write_text(body)
    with pytest.raises(ConfigError) as caught:
        load_governance(gov)
    assert "person_aliases.yml" in str(caught.value)
    assert expected in str(caught.value)
