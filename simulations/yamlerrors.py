"""Read YAML/TOML scenario files and turn validation errors into ``file:line: field: message``.

Pydantic reports a location such as ``('genesis', 'operators', 1, 'bond')``. While loading we
record where every mapping key and sequence item starts (YAML: the composer's node marks; TOML:
the table headers and ``key =`` lines), so each error names the dotted field *and* the line. A
location that has no line of its own (e.g. a missing field) falls back to its nearest ancestor.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import yaml
from pydantic import ValidationError

Path_ = tuple[Any, ...]


class ScenarioError(ValueError):
    """A scenario file is unreadable or invalid. ``problems`` holds one line per error."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class LoadedDocument:
    """A parsed document plus where each path starts (1-based line, column)."""

    source: str
    data: Any
    positions: dict[Path_, tuple[int, int]]

    def locate(self, path: Iterable[Any]) -> tuple[Path_, tuple[int, int] | None]:
        """The data path of a pydantic location (union tags dropped) and its position, or its
        nearest ancestor's."""
        clean = data_path(self.data, path)
        for cut in range(len(clean), -1, -1):
            pos = self.positions.get(clean[:cut])
            if pos is not None:
                return clean, pos
        return clean, None


def data_path(data: Any, loc: Iterable[Any]) -> Path_:
    """Keep the parts of a pydantic location that index into ``data`` (drop union/validator tags)."""
    out: list[Any] = []
    node = data
    parts = list(loc)
    for i, part in enumerate(parts):
        if isinstance(node, dict) and part in node:
            out.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
        elif isinstance(node, dict) and i == len(parts) - 1:
            out.append(part)  # a missing or unknown key: the last part names it
            node = None
        # anything else is a tag pydantic inserts (union member, validator name): skip it
    return tuple(out)


def dotted(path: Path_) -> str:
    """``genesis.operators[1].bond`` for ``('genesis', 'operators', 1, 'bond')``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


# ---------------------------------------------------------------------------------------- YAML
class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (YAML silently keeps the last one otherwise)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first at line {seen[key] + 1})", key_node.start_mark
            )
        seen[key] = key_node.start_mark.line
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _yaml_positions(node: yaml.Node | None, path: Path_, out: dict[Path_, tuple[int, int]]) -> None:
    if node is None:
        return
    out.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            if key_node.tag.endswith(":int"):
                try:
                    key = int(key)
                except ValueError:
                    pass
            out[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _yaml_positions(value_node, path + (key,), out)
            out[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _yaml_positions(item, path + (i,), out)


def load_yaml(text: str, source: str = "<yaml>") -> LoadedDocument:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise ScenarioError(source, [f"{where}: invalid YAML: {exc.problem or exc.context}"]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(source, [f"{source}: invalid YAML: {exc}"]) from None
    positions: dict[Path_, tuple[int, int]] = {}
    _yaml_positions(node, (), positions)
    return LoadedDocument(source, data if data is not None else {}, positions)


# ---------------------------------------------------------------------------------------- TOML
_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"'.]+)\s*=")


def _split_key(key: str) -> list[str]:
    return [part.strip().strip("\"'") for part in key.split(".")]


def _toml_positions(text: str) -> dict[Path_, tuple[int, int]]:
    """Line of each table header and ``key = value`` (inline tables and arrays map to their line)."""
    out: dict[Path_, tuple[int, int]] = {(): (1, 1)}
    table: Path_ = ()
    array_counts: dict[Path_, int] = {}
    for lineno, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            parts = tuple(_split_key(header.group(2)))
            # resolve array-of-table indices of the parents ([[a]] then [a.b] means a[last].b)
            resolved: list[Any] = []
            for part in parts:
                resolved.append(part)
                if tuple(resolved) in array_counts:
                    resolved.append(array_counts[tuple(resolved)] - 1)
            if header.group(1) == "[[":
                key = tuple(resolved[:-1]) if resolved and isinstance(resolved[-1], int) else tuple(resolved)
                index = array_counts.get(key, 0)
                array_counts[key] = index + 1
                table = key + (index,)
                out.setdefault(key, (lineno, 1))
            else:
                table = tuple(resolved)
            out[table] = (lineno, 1)
            continue
        m = _KEY.match(line)
        if m and not line.lstrip().startswith("#"):
            path = table + tuple(_split_key(m.group(1)))
            out[path] = (lineno, line.index(m.group(1)[0]) + 1)
    return out


def load_toml(text: str, source: str = "<toml>") -> LoadedDocument:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"line (\d+), column (\d+)", msg)
        where = f"{source}:{m.group(1)}:{m.group(2)}" if m else source
        raise ScenarioError(source, [f"{where}: invalid TOML: {msg}"]) from None
    return LoadedDocument(source, data, _toml_positions(text))


def load_document(path: str | Path, text: str | None = None) -> LoadedDocument:
    """Load ``path`` (``.yaml``/``.yml`` or ``.toml``, by suffix)."""
    path = Path(path)
    if text is None:
        if not path.exists():
            raise ScenarioError(str(path), [f"{path}: no such scenario file"])
        text = path.read_text()
    if path.suffix.lower() == ".toml":
        return load_toml(text, str(path))
    return load_yaml(text, str(path))


# ---------------------------------------------------------------------------------------- errors
def _input_hint(err: dict[str, Any]) -> str:
    if err.get("type") in ("missing",) or "input" not in err:
        return ""
    value = err["input"]
    if isinstance(value, (dict, list)):
        return ""
    text = repr(value)
    return f" (got {text[:60]})"


def format_validation_error(doc: LoadedDocument, exc: ValidationError, prefix: Path_ = ()) -> ScenarioError:
    """One ``file:line:col: field: message`` per pydantic error, sorted by line."""
    problems: list[tuple[int, str]] = []
    for err in exc.errors(include_url=False):
        path, pos = doc.locate(prefix + tuple(err["loc"]))
        line, col = pos if pos else (0, 0)
        where = f"{doc.source}:{line}:{col}" if pos else doc.source
        message = err["msg"]
        if err.get("type") == "extra_forbidden":
            message = "unknown field"
        problems.append((line, f"{where}: {dotted(path)}: {message}{_input_hint(err)}"))
    problems.sort(key=lambda p: p[0])
    return ScenarioError(doc.source, [p for _, p in problems])
