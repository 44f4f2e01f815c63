"""The product does not depend on the demo: no module the wheel ships imports `sandbox`, and the
wheel does not ship it."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def shipped_packages() -> list[str]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module)
    return modules


def test_no_shipped_module_imports_the_sandbox():
    packages = shipped_packages()
    assert "sandbox" not in packages and {"connectors", "orchestration"} <= set(packages)
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            m for m in imported_modules(path) if m.split(".")[0] == "sandbox"
        )
        for package in packages
        for path in (ROOT / package).rglob("*.py")
    }
    assert {path: modules for path, modules in offenders.items() if modules} == {}


def test_the_check_sees_an_import_of_the_sandbox(tmp_path):
    planted = tmp_path / "module.py"
    planted.write_text(
        "def f():\n    from sandbox.server import SandboxState\n    import sandbox.checks\n"
    )
    assert imported_modules(planted) == {"sandbox.server", "sandbox.checks"}


# Plain packages: usable without Dagster, so an auditor's laptop or another scheduler can run them.
DAGSTER_FREE = [
    "alerting",
    "connectors",
    "evidence",
    "governance",
    "prices",
    "quality",
    "reports",
    "warehouse",
]


def test_plain_packages_import_neither_dagster_nor_the_orchestration():
    assert set(DAGSTER_FREE) | {"orchestration"} == set(shipped_packages())
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            m
            for m in imported_modules(path)
            if m.split(".")[0] in ("dagster", "dagster_dbt", "orchestration")
        )
        for package in DAGSTER_FREE
        for path in (ROOT / package).rglob("*.py")
    }
    assert {path: modules for path, modules in offenders.items() if modules} == {}
