"""People in the published marts are keyed hashes (HMAC-SHA256 with a configured key); the mapping
back to emails and names is the restricted people_directory, in its own files beside the release."""

from __future__ import annotations

import json
import logging
import os
import stat
from datetime import date, timedelta

import duckdb
import pytest

from orchestration.lib.dbt import published_docs, published_models, published_person_columns
from orchestration.lib.retention import prune
from tests.orchestration.test_retention import aged, paths_under
from warehouse.pseudonym import key_file, person_key, pseudonym, pseudonymize, reidentify
from warehouse.publish import People, current_dir, publish, read_directory, restricted_database

KEY = b"test-person-key-0001"
ROTATED = b"test-person-key-0002"
ADA = "ada.bauer@example-corp.com"
# computed apart from this code: printf '%s' VALUE | openssl dgst -sha256 -hmac KEY, first 16 digits
ADA_KEYED = "p_fc9b73190cfb0fa4"
ADA_ROTATED = "p_91ec53334b11966d"
EMPLOYEE_KEYED = "p_494b2346e1424ea9"  # of `e10001`: values are lower-cased first
EMPLOYEE_ROTATED = "p_6e7bb6ca3d92ed11"  # of `e10001` with the rotated key


def test_the_keyed_hash_is_hmac_sha256_of_the_value_trimmed_and_lower_cased():
    assert pseudonym(ADA, KEY) == ADA_KEYED
    assert pseudonym("  Ada.Bauer@Example-Corp.com ", KEY) == ADA_KEYED
    assert pseudonym("E10001", KEY) == EMPLOYEE_KEYED


def test_a_new_key_rotates_every_person_key():
    assert pseudonym(ADA, ROTATED) == ADA_ROTATED
    assert pseudonym("E10001", ROTATED) == EMPLOYEE_ROTATED
    assert {ADA_ROTATED, EMPLOYEE_ROTATED}.isdisjoint({ADA_KEYED, EMPLOYEE_KEYED})


def test_id_columns_are_keyed_whole_or_per_email_and_text_columns_per_email():
    seen: dict[str, str] = {}
    assert pseudonymize(ADA, KEY, "id", seen) == ADA_KEYED
    assert pseudonymize("github_copilot:" + ADA, KEY, "id", seen) == "github_copilot:" + ADA_KEYED
    assert pseudonymize("E10001", KEY, "id", seen) == EMPLOYEE_KEYED
    assert pseudonymize(None, KEY, "id") is None
    sentence = f"AI usage by a departed person: {ADA} (3 day(s))"
    assert pseudonymize(sentence, KEY, "text") == sentence.replace(ADA, ADA_KEYED)
    assert pseudonymize("app-search-ranker", KEY, "text") == "app-search-ranker"
    assert seen == {ADA_KEYED: ADA, EMPLOYEE_KEYED: "e10001"}
    assert reidentify(f"seat github_copilot:{ADA_KEYED}", {ADA_KEYED: ADA}) == (
        f"seat github_copilot:{ADA}"
    )


USAGE_KEY = "0123456789abcdef0123456789abcdef"  # an md5 surrogate key over a row with a person
# printf '%s' USAGE_KEY | openssl dgst -sha256 -hmac KEY, first 32 digits
USAGE_KEY_KEYED = "k_3046fe85b60ef7da0be61002f3ff23e5"
OTHER_KEY = "fedcba9876543210fedcba9876543210"


def test_key_columns_key_every_md5_in_them_alike_and_name_nobody():
    seen: dict[str, str] = {}
    assert pseudonymize(USAGE_KEY, KEY, "key", seen) == USAGE_KEY_KEYED
    # a list of evidence keys: each usage key keyed as in the usage mart, request ids kept
    listed = pseudonymize(f"{USAGE_KEY},span:abc123,{OTHER_KEY}", KEY, "key", seen)
    first, span, other = listed.split(",")
    assert (first, span) == (USAGE_KEY_KEYED, "span:abc123")
    assert other.startswith("k_") and len(other) == 34 and other != first
    assert seen == {}  # surrogate keys are not people: the restricted mart does not list them
    assert pseudonymize(USAGE_KEY, b"another-key-0000002", "key") != USAGE_KEY_KEYED


def test_the_key_comes_from_the_named_variable_else_a_generated_private_file(tmp_path, caplog):
    assert person_key(tmp_path, "MY_KEY", {"MY_KEY": KEY.decode()}) == KEY
    with pytest.raises(ValueError, match="shorter than 16 bytes"):
        person_key(tmp_path, "MY_KEY", {"MY_KEY": "short"})
    assert not key_file(tmp_path).exists()
    with caplog.at_level(logging.WARNING):
        generated = person_key(tmp_path, "MY_KEY", {})
    assert len(generated) == 64 and person_key(tmp_path, "MY_KEY", {}) == generated
    assert stat.S_IMODE(key_file(tmp_path).stat().st_mode) == 0o600
    assert "MY_KEY is unset" in caplog.text and generated.decode() not in caplog.text


def small_warehouse(path):
    """Two marts with people in them and dim_person, as the warehouse holds them (emails in clear)."""
    left_long_ago = date.today() - timedelta(days=400)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_usage as select * from (values "
            f"(date '2026-09-01', '{ADA}', 'e10001', 5), "
            "(date '2026-09-01', 'old.leaver@example-corp.com', 'e10002', 7), "
            "(date '2026-09-02', null, null, 3)) t(day, person_id, person_ref, tokens)"
        )
        con.execute(
            "create table marts.fct_alerts as select * from (values "
            f"('seat', 'github_copilot:{ADA}', 'Seat github_copilot:{ADA} idle', 'app-x')"
            ") t(subject_type, subject_id, summary, application_id)"
        )
        con.execute(
            "create table marts.dim_person as select * from (values "
            f"('e10001', '{ADA}', 'Ada Bauer', 'search', 'active', null::timestamp, true), "
            "('e10002', 'old.leaver@example-corp.com', 'Old Leaver', 'search', 'departed', "
            f"timestamp '{left_long_ago}', true)"
            ") t(person_id, email, display_name, team_id, status, left_at, is_current)"
        )
    return path


COLUMNS = {
    "fct_usage": {"person_id": "id", "person_ref": "id"},
    "fct_alerts": {"subject_id": "text", "summary": "text"},
}


def test_publish_keys_people_and_writes_the_restricted_mart_apart(tmp_path):
    warehouse = small_warehouse(tmp_path / "w.duckdb")
    published = tmp_path / "published"
    people = People(KEY, COLUMNS, retention_days=365)
    release = publish(warehouse, published, ["fct_alerts", "fct_usage"], "run-1", people=people)

    with duckdb.connect(str(release.database), read_only=True) as con:
        usage = con.execute("select person_id, person_ref, tokens from fct_usage").fetchall()
        alert = con.execute("select subject_id, summary, application_id from fct_alerts").fetchone()
        tables = {t for (t,) in con.execute("select table_name from duckdb_tables()").fetchall()}
    assert (ADA_KEYED, EMPLOYEE_KEYED, 5) in usage and (None, None, 3) in usage
    assert alert == (
        f"github_copilot:{ADA_KEYED}",
        f"Seat github_copilot:{ADA_KEYED} idle",
        "app-x",
    )
    assert tables == {"fct_alerts", "fct_usage"}  # the directory is not a published mart
    for path in [release.database, *(release.directory / "parquet").iterdir()]:
        content = path.read_bytes()
        assert b"@example-corp.com" not in content and KEY not in content, path

    restricted = restricted_database(release.directory)
    assert restricted.parent != release.directory
    for path in restricted.parent.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert KEY not in path.read_bytes()
    assert stat.S_IMODE(restricted.parent.stat().st_mode) == 0o700
    with duckdb.connect(str(restricted), read_only=True) as con:
        rows = con.execute(
            "select person_key, identifier, email, display_name from people_directory"
        ).fetchall()
    # the leaver left more than the retention period ago: no longer re-identifiable
    assert sorted(rows) == sorted(
        [
            (ADA_KEYED, ADA, ADA, "Ada Bauer"),
            (EMPLOYEE_KEYED, "e10001", ADA, "Ada Bauer"),
        ]
    )
    assert read_directory(current_dir(published)) == {ADA_KEYED: ADA, EMPLOYEE_KEYED: ADA}
    manifest = json.loads((release.directory / "manifest.json").read_text())
    assert manifest["restricted"]["rows"] == 2 and "people_directory" not in manifest["tables"]

    rotated = publish(warehouse, published, ["fct_usage"], "run-2", people=People(ROTATED, COLUMNS))
    with duckdb.connect(str(rotated.database), read_only=True) as con:
        keys = {k for (k,) in con.execute("select person_id from fct_usage").fetchall()}
    assert ADA_ROTATED in keys and ADA_KEYED not in keys


def test_retention_removes_the_restricted_mart_of_old_releases_not_the_current(tmp_path):
    paths = paths_under(tmp_path)
    old = aged(paths.published / "releases" / "r1" / "restricted" / "people_directory.duckdb", 400)
    current = aged(
        paths.published / "releases" / "r2" / "restricted" / "people_directory.duckdb", 400
    )
    for path in (old, current):
        stamp = os.stat(path).st_mtime
        os.utime(path.parent, (stamp, stamp))
    (paths.published / "current").symlink_to("releases/r2", target_is_directory=True)
    pruned = prune(paths, retention_days=365)
    assert pruned.files == [old.parent]
    assert not old.parent.exists() and current.exists()
    assert (paths.published / "releases" / "r1").exists()


def test_every_published_column_that_holds_people_by_name_is_declared():
    """A column named for people (email, person, holder, owner) in a published mart is keyed; the
    sandbox scan in tests/e2e/test_pipeline.py catches any other column that holds them."""
    declared = published_person_columns()
    named = {
        (mart, column)
        for mart, docs in published_docs().items()
        for column in docs["columns"]
        if any(word in column.lower() for word in ("email", "person", "holder", "changed_by"))
    }
    assert named, "no published column is named for people"
    missing = {
        (mart, c)
        for mart, c in named
        if c not in declared.get(mart, {}) and "status" not in c and not c.endswith("_key")
    }
    assert missing == set()
    assert set(declared) <= set(published_models())
    for mart, columns in declared.items():
        text = published_docs()[mart]["columns"]
        for column in columns:
            assert "pseudonymous key" in text[column], (mart, column)
