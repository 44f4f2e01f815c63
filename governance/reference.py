"""Write governance/REFERENCE.md from the validation models: `python -m governance.reference`.

The page lists every file, entry and field with its type, whether it is required, and its
description, so the documentation cannot drift from what the loader accepts (a test checks it).
"""

from __future__ import annotations

import sys
import types
import typing
from pathlib import Path

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from governance.load import FILES, GOVERNANCE_DIR, OPTIONAL_FILES
from governance.schema import RULE_CHECKS

REFERENCE = GOVERNANCE_DIR / "REFERENCE.md"


def type_name(annotation: object) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if origin in (typing.Union, types.UnionType):
        names = [type_name(a) for a in args if a is not type(None)]
        return " or ".join(names) + (" or null" if type(None) in args else "")
    if origin is list:
        return f"list of {type_name(args[0])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    return getattr(annotation, "__name__", str(annotation))


def nested_models(model: type[BaseModel]) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []
    for field in model.model_fields.values():
        stack = [field.annotation]
        while stack:
            item = stack.pop()
            if isinstance(item, type) and issubclass(item, BaseModel):
                if item not in found:
                    found.append(item)
                    found += [m for m in nested_models(item) if m not in found]
            else:
                stack.extend(typing.get_args(item))
    return found


def model_section(model: type[BaseModel]) -> list[str]:
    lines = [f"### {model.__name__}", ""]
    doc = (model.__doc__ or "").strip()
    if doc and not doc.startswith("!!!") and "BaseModel" not in doc:
        lines += [" ".join(doc.split()), ""]
    lines += ["| field | type | required | description |", "|---|---|---|---|"]
    for name, field in model.model_fields.items():
        required = "yes" if field.is_required() else "no"
        if not field.is_required() and field.default not in (None, PydanticUndefined):
            required = f"no (default `{field.default}`)"
        description = (field.description or "").replace("|", "\\|")
        lines.append(f"| `{name}` | {type_name(field.annotation)} | {required} | {description} |")
    return [*lines, ""]


def render() -> str:
    lines = [
        "# Governance files reference",
        "",
        "Generated from `governance/schema.py` by `python -m governance.reference`; do not edit by hand.",
        "Every file is validated before a run starts; errors name the file, line, field and a fix.",
        "",
    ]
    for file_name, model in {**FILES, **OPTIONAL_FILES}.items():
        optional = " (optional)" if file_name in OPTIONAL_FILES else ""
        lines += [f"## {file_name}{optional}", ""]
        for section in [model, *nested_models(model)]:
            lines += model_section(section)
    lines += [
        "## Rules",
        "",
        "What each `rule` of policies.yml checks:",
        "",
        "| rule | check |",
        "|---|---|",
    ]
    lines += [f"| `{rule}` | {check} |" for rule, check in RULE_CHECKS.items()]
    return "\n".join(lines).rstrip() + "\n"


def main() -> int:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else REFERENCE
    target.write_text(render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
