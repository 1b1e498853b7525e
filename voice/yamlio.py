"""Strict YAML reading: `yes`/`no`/`on`/`off` stay strings, every mapping remembers its lines."""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO, Any

import yaml

from .errors import ContentError


class Mapping(dict):
    """A dict that knows the line of each of its keys and of itself (1-based)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class StrictLoader(yaml.SafeLoader):
    """SafeLoader where only true/false are booleans, duplicate keys are errors."""


# Drop YAML 1.1's yes/no/on/off booleans: keep only true/false.
StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _first in "tTfF":
    StrictLoader.yaml_implicit_resolvers.setdefault(_first, []).append(
        ("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"))
    )


def _construct_mapping(loader: StrictLoader, node: yaml.MappingNode) -> Mapping:
    loader.flatten_mapping(node)
    result = Mapping()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float)):
            raise ContentError(
                "a key must be a plain word", where=f"line {key_node.start_mark.line + 1}"
            )
        key = str(key)
        if key in result:
            raise ContentError(
                f"the key {key!r} appears twice in one mapping",
                where=f"line {key_node.start_mark.line + 1}",
                fix="keep one of them",
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(stream: str | IO[str], source: str = "<text>") -> Any:
    """Parse YAML text strictly; errors name the source and line."""
    try:
        return yaml.load(stream, Loader=StrictLoader)  # noqa: S506 - StrictLoader is a SafeLoader
    except ContentError as err:
        raise ContentError(err.message, where=f"{source}, {err.where}", fix=err.fix) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"{source}, line {mark.line + 1}, column {mark.column + 1}" if mark else source
        raise ContentError(
            f"this is not valid YAML: {err.problem or err.context}",
            where=where,
            fix="check the indentation and quoting near that line",
        ) from None
    except yaml.YAMLError as err:
        raise ContentError(f"this is not valid YAML: {err}", where=source) from None


def load_yaml_file(path: Path) -> Any:
    """Read one YAML file strictly."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError(
            "the file is missing", where=str(path), fix="restore it from the shipped content"
        ) from None
    except (OSError, UnicodeDecodeError) as err:
        raise ContentError(f"the file cannot be read: {err}", where=str(path)) from None
    return load_yaml(text, source=str(path))
