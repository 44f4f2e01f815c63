"""One source, one name: a source type's folder has the same name in every layer it passes through."""

from __future__ import annotations

from pathlib import Path

from connectors.config import SOURCE_TYPES

ROOT = Path(__file__).resolve().parents[2]
# Reference data the warehouse produces or declares itself, staged like a source: where each is made.
REFERENCE_DATA = {
    "governance": ["governance", "orchestration/defs/governance"],
    "prices": ["prices", "orchestration/defs/prices"],
    "books": ["warehouse/books.py"],
}


def folders(path: str) -> set[str]:
    return {
        p.name for p in (ROOT / path).iterdir() if p.is_dir() and not p.name.startswith(("_", "."))
    }


def test_each_source_type_has_one_folder_name_in_every_layer():
    types = set(SOURCE_TYPES)
    assert folders("connectors") == types
    assert folders("orchestration/defs/ingest") == types
    assert folders("dbt_project/models/staging") == types | set(REFERENCE_DATA)


def test_reference_data_is_made_where_its_name_says():
    missing = [
        path for paths in REFERENCE_DATA.values() for path in paths if not (ROOT / path).exists()
    ]
    assert missing == []
