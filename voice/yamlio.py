"""Strict YAML reading: `yes`/`no`/`on`/`off` stay strings, every mapping remembers its lines.

`YamlReader` is the one reader of the project's YAML files (content, grammar vocabulary, settings):
it opens a file of a folder and checks its values, and every error names the file, the line and a fix.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO, Any, NoReturn

import yaml

from .errors import ContentError, TriageError


class Mapping(dict):
    """A dict that knows the line of each of its keys and of itself (1-based)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        return getattr(self, "key_lines", {}).get(key, self.line)


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


class YamlReader:
    """Reads the YAML files of one folder strictly; its errors (`error`, ContentError unless told)
    name the file and the line of the value that is wrong, and say how to fix it."""

    documented = "the shipped files show each key"
    """Where a missing key's fix sends the reader."""

    def __init__(self, folder: Path, error: type[TriageError] = ContentError):
        self.folder = folder
        self.error = error
        self.file = ""
        """The file being read, in `folder`."""

    @property
    def path(self) -> Path:
        return self.folder / self.file

    def load(self, name: str) -> object:
        """Read `name` of the folder; it becomes the file named in errors."""
        self.file = name
        try:
            return load_yaml_file(self.path)
        except ContentError as err:
            if self.error is ContentError:
                raise
            raise self.error(err.message, where=err.where, fix=err.fix) from None

    def where(self, node: object = None, key: str | None = None) -> str:
        """The file, and the line of `key` in the mapping `node` (or of `node` itself)."""
        line = 0
        if isinstance(node, Mapping):
            line = node.line_of(key) if key else node.line
        return f"{self.path}, line {line}" if line else str(self.path)

    def fail(self, message: str, node: object = None, key: str | None = None,
             fix: str | None = None) -> NoReturn:
        raise self.error(message, where=self.where(node, key), fix=fix)

    def mapping(self, data: object, what: str, node: object = None, key: str | None = None) -> Mapping:
        """`data` (found at `key` of `node`) as a mapping."""
        if not isinstance(data, dict):
            self.fail(f"{what} must be a mapping of keys to values", node, key,
                      fix="write it as key: value lines, indented under its name")
        return data  # type: ignore[return-value]

    def keys(self, data: Mapping, required: set[str], optional: set[str], what: str) -> None:
        """No key but `required` and `optional` ones, and every required one."""
        unknown = set(data) - required - optional
        if unknown:
            key = sorted(unknown)[0]
            self.fail(f"unknown key {key!r} in {what}", data, key,
                      fix=f"the allowed keys are: {', '.join(sorted(required | optional))}")
        missing = required - set(data)
        if missing:
            self.fail(f"{what} is missing {', '.join(repr(k) for k in sorted(missing))}", data,
                      fix=f"add it ({self.documented})")

    def words(self, data: Mapping, key: str, what: str, default: list | None = None) -> list[str]:
        """The list of words (or phrases) at `key`."""
        value = data.get(key, default)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(f"{what}: expected a list of words", data, key, fix='write it as: ["um", "uh"]')
        return value

    def word_map(self, data: Mapping, key: str, what: str) -> dict[str, str]:
        """The mapping of words to words at `key` (absent: empty)."""
        value = self.mapping(data.get(key, {}), what, data, key)
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            self.fail(f"{what}: expected words mapped to words", data, key,
                      fix='write it as: {cannot: "cant"}')
        return value

    def number_map(self, data: Mapping, key: str, what: str, default: dict | None = None) -> dict[str, float]:
        """The mapping of words to numbers at `key` (absent: `default`, or an error without one)."""
        value = self.mapping(data.get(key, default), what, data, key)
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value.values()):
            self.fail(f"{what}: expected words mapped to numbers", data, key, fix="write it as: {week: 7}")
        return {str(k): float(v) for k, v in value.items()}
