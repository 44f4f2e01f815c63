"""Load a YAML file into a pydantic model, with errors that name file, line, field and a fix."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from connectors.errors import ConfigError

Model = TypeVar("Model", bound=BaseModel)


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Safe loader (libyaml's parser where PyYAML has it) that leaves dates as text, so pydantic
    validates them and errors keep their line."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """1-based line of the deepest YAML node found along a pydantic error location."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
            if match is None:
                return line
            node = match
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
        else:
            return line
        line = node.start_mark.line + 1
    return line


def _field(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _fix(error: dict) -> str:
    kind = error["type"]
    if kind == "missing":
        return "add this field"
    if kind == "extra_forbidden":
        return "remove this field or correct its spelling"
    context = error.get("ctx") or {}
    if kind in ("literal_error", "enum"):
        return f"use one of {context.get('expected', 'the allowed values')}"
    if kind == "string_pattern_mismatch":
        return f"use a value matching {context.get('pattern')}"
    return "correct the value"


def load_yaml_model(path: Path, model: type[Model], *, what: str) -> Model:
    """Read `path` and validate it as `model`; raise ConfigError listing every problem."""
    if not path.is_file():
        raise ConfigError(
            f"{path}: {what} file not found. Fix: create it or point the setting at an existing file."
        )
    text = path.read_text()
    loader = _Loader(text)
    try:  # parsed once: the node tree gives the errors their lines, the data is built from it
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(
            f"{where}: not valid YAML ({getattr(error, 'problem', error)}). Fix: correct the syntax."
        ) from None
    finally:
        loader.dispose()
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as error:
        problems = []
        for item in error.errors():
            loc = tuple(item["loc"])
            line = _line_of(node, loc)
            where = f"{path}:{line}" if line else str(path)
            message = item["msg"].removeprefix("Value error, ")
            problems.append(f"{where}: {_field(loc)}: {message}. Fix: {_fix(item)}.")
        raise ConfigError(
            f"invalid {what} ({len(problems)} problem(s)):\n  " + "\n  ".join(problems)
        ) from None


def located(path: Path, loc: tuple[int | str, ...]) -> str:
    """`file:line: field` for a location in a YAML file, for checks that span several files."""
    node = yaml.compose(path.read_text(), Loader=_Loader)
    line = _line_of(node, loc)
    return f"{path}:{line}: {_field(loc)}" if line else f"{path}: {_field(loc)}"
