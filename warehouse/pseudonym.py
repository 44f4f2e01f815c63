"""People in published marts: a stable keyed hash in place of their email or person id.

`pseudonym(value, key)` is `p_` followed by the first 16 hex digits of HMAC-SHA256(key, value
stripped and lower-cased): the same person gets the same key in every mart and every release
published with the same key, and nobody without the key can compute it from a list of emails (as
anyone can with an unkeyed md5 or sha256).

A published column holding people is declared in its dbt model's YAML, `config: meta: aiuw:
person: id | text` (read from the manifest by orchestration.lib.dbt.published_person_columns):
- `id`: the value identifies one person (an email, a person id, a seat holder's handle): every
  email inside it is replaced by its key (`github_copilot:ada@x.com` -> `github_copilot:p_...`) and
  a value with no email in it is replaced whole;
- `text`: free text or a list that may name people (alert summaries, subject ids of any kind):
  only the emails inside it are replaced;
- `key`: a surrogate key (or a list of them) dbt computed as an md5 over columns that include a
  person: anyone with a list of emails could find the person by hashing each with the row's other
  columns. Every md5 in it is replaced by `k_` and the first 32 hex digits of its keyed hash, the
  same wherever the key appears (a usage row's key in fct_ai_usage_daily and in a violation's
  evidence_keys), so published keys still join. Not people themselves: not in the restricted mart.

The key is read from the environment variable that `warehouse.person_key_env` of the sources config
names (AIUW_PERSON_KEY by default). Where it is unset (the sandbox), a random key is made once and
kept in `<data dir>/secrets/person_key` (mode 0600), with a warning. The key never reaches SQL text,
dbt, the warehouse, a log or the evidence: the hashing runs in this process as a DuckDB function.
Rotating the key (setting another) changes every person's key in the next release; older releases
keep theirs, and each release's restricted mart maps its own keys.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

DEFAULT_KEY_ENV = "AIUW_PERSON_KEY"
PREFIX = "p_"
HEX_DIGITS = 16
KEY_FILE = Path("secrets") / "person_key"
MIN_KEY_BYTES = 16
EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
PSEUDONYM = re.compile(rf"\b{PREFIX}[0-9a-f]{{{HEX_DIGITS}}}\b")
SURROGATE_PREFIX = "k_"
SURROGATE_HEX_DIGITS = 32  # as many as md5: unique keys stay unique
MD5 = re.compile(r"\b[0-9a-f]{32}\b")
MODES = ("id", "text", "key")

log = logging.getLogger(__name__)


def pseudonym(value: str, key: bytes) -> str:
    """`p_` + the first 16 hex digits of HMAC-SHA256(key, value stripped and lower-cased)."""
    digest = hmac.new(key, value.strip().lower().encode(), hashlib.sha256).hexdigest()
    return PREFIX + digest[:HEX_DIGITS]


def surrogate(value: str, key: bytes) -> str:
    """`k_` + the first 32 hex digits of HMAC-SHA256(key, value): a surrogate key that names a
    person, keyed."""
    digest = hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
    return SURROGATE_PREFIX + digest[:SURROGATE_HEX_DIGITS]


def pseudonymize(value: str | None, key: bytes, mode: str, seen: dict[str, str] | None = None):
    """`value` with its people keyed (see the module's docstring for `id`, `text` and `key`);
    `seen` collects each pseudonym and the identifier it replaced."""
    if value is None:
        return None
    if mode == "key":
        return MD5.sub(lambda m: surrogate(m.group(0), key), value)

    def keyed(identifier: str) -> str:
        key_of = pseudonym(identifier, key)
        if seen is not None:
            seen[key_of] = identifier.strip().lower()
        return key_of

    replaced, count = EMAIL.subn(lambda m: keyed(m.group(0)), value)
    if count or mode == "text" or not value.strip():
        return replaced
    return keyed(value)


def reidentify(text: str | None, directory: dict[str, str]) -> str | None:
    """`text` with every pseudonym found in `directory` (person key -> email) replaced by it."""
    if text is None or not directory:
        return text
    return PSEUDONYM.sub(lambda m: directory.get(m.group(0), m.group(0)), text)


def register(
    con: duckdb.DuckDBPyConnection, key: bytes, seen: dict[str, str]
) -> Callable[[str], str]:
    """Registers `aiuw_person_id(varchar)` and `aiuw_person_text(varchar)` on `con`: vectorised,
    each distinct value hashed once. Returns the SQL expression builder for a column and mode."""

    def arrow_function(mode: str):
        done: dict[str, str] = {}  # value -> keyed, across the calls (one per vector of rows)

        def keyed_once(value: str | None) -> str | None:
            if value is None:
                return None
            if value not in done:
                done[value] = pseudonymize(value, key, mode, seen)
            return done[value]

        def function(values: pa.Array) -> pa.Array:
            distinct = pc.unique(values)
            keyed = pa.array([keyed_once(v) for v in distinct.to_pylist()], pa.string())
            return pc.take(keyed, pc.index_in(values, distinct))

        return function

    for mode in MODES:
        con.create_function(
            f"aiuw_person_{mode}",
            arrow_function(mode),
            [duckdb.sqltype("VARCHAR")],
            duckdb.sqltype("VARCHAR"),
            type="arrow",
            side_effects=False,
        )

    def expression(column: str, mode: str) -> str:
        if mode not in MODES:
            raise ValueError(f"person column {column}: mode {mode!r} is none of {MODES}")
        return f'aiuw_person_{mode}(cast("{column}" as varchar)) as "{column}"'

    return expression


def key_file(data: Path) -> Path:
    return data / KEY_FILE


def person_key(data: Path, env_name: str = DEFAULT_KEY_ENV, environ=None) -> bytes:
    """The key: the environment variable `env_name` (at least 16 bytes), else the data directory's
    generated key (made on first use, mode 0600). Never logged."""
    value = (os.environ if environ is None else environ).get(env_name)
    if value:
        if len(value.encode()) < MIN_KEY_BYTES:
            raise ValueError(f"{env_name} is shorter than {MIN_KEY_BYTES} bytes: set a longer key")
        return value.encode()
    path = key_file(data)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    # two short lines: `make run` shows each log line whole
    log.warning(
        "%s is unset: people in published marts are keyed with the key in %s", env_name, path
    )
    log.warning(
        "set %s (a secret of at least %d bytes) to choose the key; change it to rotate it",
        env_name,
        MIN_KEY_BYTES,
    )
    return path.read_text().strip().encode()
