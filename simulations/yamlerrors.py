"""Read YAML/TOML scenario files and turn validation errors into ``file:line: field: message``.

Hostile files are refused before they can hurt, each with ``file[:line:col]: message`` (a
:class:`ScenarioError`, exit code 2 on the CLI), in time and memory bounded by the file size:
directories and other non-regular files, files over :data:`MAX_FILE_BYTES`, binary data (NUL
bytes), UTF-16 and anything else that is not UTF-8, nesting deeper than :data:`MAX_DEPTH` (checked on
the YAML event stream before the recursive composer sees it), aliases that expand past
:data:`MAX_EXPANDED_NODES` (billion laughs) or refer to themselves, integers wider than 128 bits,
NUL characters in strings (PostgreSQL cannot store them), unhashable or duplicate keys.

Pydantic reports a location such as ``('genesis', 'operators', 1, 'bond')``. While loading we
record where every mapping key and sequence item starts (YAML: the composer's node marks; TOML:
the table headers and ``key =`` lines), so each error names the dotted field *and* the line. A
location that has no line of its own (e.g. a missing field) falls back to its nearest ancestor.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import yaml
from pydantic import ValidationError

Path_ = tuple[Any, ...]

MAX_FILE_BYTES = 1 << 20  # 1 MiB: the largest included scenario is under 3 KiB
MAX_DEPTH = 64  # nested mappings/sequences; a scenario needs about 6
MAX_EXPANDED_NODES = 100_000  # nodes after alias expansion (a 1 MiB file without aliases has fewer)
MAX_PROBLEMS = 50  # validation errors printed (a file with 100,000 bad entries must not print 100,000 lines)
MAX_INT = (1 << 128) - 1  # the widest integer anything in a scenario can mean (u128 balances)


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
    text: str = ""

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
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(None, None, f"a mapping key must be a plain value, not a {type(key).__name__}", key_node.start_mark) from None
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


def _at(source: str, mark: Any) -> str:
    return f"{source}:{mark.line + 1}:{mark.column + 1}" if mark is not None else source


def _check_yaml_depth(text: str, source: str) -> None:
    """Walk the event stream (the parser is iterative; the composer that builds nodes is
    recursive and would hit RecursionError on a deep document) and refuse deep nesting."""
    depth = 0
    for ev in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(ev, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise ScenarioError(source, [f"{_at(source, ev.start_mark)}: nested more than {MAX_DEPTH} levels deep (a scenario needs a handful)"])
        elif isinstance(ev, yaml.CollectionEndEvent):
            depth -= 1


def _check_expansion(root: yaml.Node | None, source: str) -> None:
    """Refuse aliases that refer to themselves or expand the document past MAX_EXPANDED_NODES:
    the composed graph shares aliased nodes, everything after it (positions, validation) walks
    the expanded tree."""
    if root is None:
        return
    sizes: dict[int, int] = {}
    state: dict[int, int] = {}  # 1 = on the current path, 2 = done
    stack: list[tuple[yaml.Node, int]] = [(root, 0)]
    while stack:
        node, i = stack.pop()
        key = id(node)
        children = [] if isinstance(node, yaml.ScalarNode) else (
            [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else list(node.value))
        if i == 0:
            if state.get(key) == 2:
                continue
            if state.get(key) == 1:
                raise ScenarioError(source, [f"{_at(source, node.start_mark)}: an alias refers to the node that contains it (a recursive document)"])
            state[key] = 1
        if i < len(children):
            stack.append((node, i + 1))
            child = children[i]
            if state.get(id(child)) == 1:
                raise ScenarioError(source, [f"{_at(source, child.start_mark)}: an alias refers to the node that contains it (a recursive document)"])
            if state.get(id(child)) != 2:
                stack.append((child, 0))
            continue
        size = 1 + sum(sizes[id(c)] for c in children)
        if size > MAX_EXPANDED_NODES:
            raise ScenarioError(source, [f"{_at(source, node.start_mark)}: aliases expand this to more than {MAX_EXPANDED_NODES:,} values (refused: a billion-laughs document?)"])
        sizes[key] = size
        state[key] = 2


def load_yaml(text: str, source: str = "<yaml>") -> LoadedDocument:
    try:
        _check_yaml_depth(text, source)
        loader = _UniqueKeyLoader(text)
        try:
            node = loader.get_single_node()
            _check_expansion(node, source)
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ScenarioError(source, [f"{_at(source, mark)}: invalid YAML: {exc.problem or exc.context}"]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(source, [f"{source}: invalid YAML: {exc}"]) from None
    positions: dict[Path_, tuple[int, int]] = {}
    _yaml_positions(node, (), positions)
    doc = LoadedDocument(source, data if data is not None else {}, positions, text)
    _check_values(doc)
    return doc


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


def _check_toml_depth(text: str, source: str) -> None:
    """Bracket depth outside strings and comments (tomllib parses arrays and inline tables
    recursively): refuse deep nesting before it does."""
    depth, line, col, quote, comment = 0, 1, 0, "", False
    i = 0
    while i < len(text):
        ch = text[i]
        col += 1
        if ch == "\n":
            line, col, comment = line + 1, 0, False
            if quote in ('"', "'"):
                quote = ""  # a basic string ends at the line (tomllib reports the error)
        elif comment:
            pass
        elif quote:
            if ch == "\\" and quote in ('"', '"""'):
                i += 1
                col += 1
            elif text.startswith(quote, i):
                i += len(quote) - 1
                col += len(quote) - 1
                quote = ""
        elif text.startswith('"""', i) or text.startswith("'''", i):
            quote = text[i:i + 3]
            i += 2
            col += 2
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            comment = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ScenarioError(source, [f"{source}:{line}:{col}: nested more than {MAX_DEPTH} levels deep (a scenario needs a handful)"])
        elif ch in "]}":
            depth = max(depth - 1, 0)
        i += 1


def load_toml(text: str, source: str = "<toml>") -> LoadedDocument:
    _check_toml_depth(text, source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"line (\d+), column (\d+)", msg)
        where = f"{source}:{m.group(1)}:{m.group(2)}" if m else source
        raise ScenarioError(source, [f"{where}: invalid TOML: {msg}"]) from None
    except RecursionError:
        raise ScenarioError(source, [f"{source}: nested too deeply to read"]) from None
    doc = LoadedDocument(source, data, _toml_positions(text), text)
    _check_values(doc)
    return doc


def _check_values(doc: LoadedDocument) -> None:
    """Integers wider than 128 bits and NUL characters, wherever they are (iteratively: the
    depth is bounded already, but a walk needs no recursion)."""
    problems: list[tuple[int, str]] = []
    stack: list[tuple[Path_, Any]] = [((), doc.data)]
    while stack and len(problems) < 20:
        path, value = stack.pop()
        message = None
        if isinstance(value, dict):
            stack += [(path + (k,), v) for k, v in reversed(list(value.items()))]
            for k in value:
                if isinstance(k, str) and "\x00" in k:
                    message = f"the key {k!r} contains a NUL character"
        elif isinstance(value, list):
            stack += [(path + (i,), v) for i, v in reversed(list(enumerate(value)))]
        elif isinstance(value, int) and not isinstance(value, bool) and not -MAX_INT <= value <= MAX_INT:
            message = f"the number is out of range ({value.bit_length()} bits; nothing in a scenario is wider than 128 bits)"
        elif isinstance(value, str) and "\x00" in value:
            message = "a NUL character in a string is not allowed"
        if message:
            _, pos = doc.locate(path)
            problems.append((pos[0] if pos else 0, f"{doc.source}:{pos[0]}:{pos[1]}: {dotted(path)}: {message}" if pos else f"{doc.source}: {dotted(path)}: {message}"))
    if problems:
        problems.sort(key=lambda p: p[0])
        raise ScenarioError(doc.source, [p for _, p in problems])


def read_scenario_text(path: Path) -> str:
    """The file as text, or a ScenarioError saying why not (never an OSError or a decode error)."""
    src = str(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ScenarioError(src, [f"{src}: no such scenario file"]) from None
    except OSError as exc:
        raise ScenarioError(src, [f"{src}: cannot read: {exc.strerror or exc}"]) from None
    if stat.S_ISDIR(info.st_mode):
        raise ScenarioError(src, [f"{src}: is a directory, not a scenario file"])
    if not stat.S_ISREG(info.st_mode):
        raise ScenarioError(src, [f"{src}: not a regular file (a device, pipe or socket cannot be a scenario)"])
    if info.st_size > MAX_FILE_BYTES:
        raise ScenarioError(src, [f"{src}: {info.st_size:,} bytes is over the {MAX_FILE_BYTES:,}-byte limit for a scenario file"])
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)  # files that lie about their size (/proc) are bounded too
    except OSError as exc:
        raise ScenarioError(src, [f"{src}: cannot read: {exc.strerror or exc}"]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(src, [f"{src}: over the {MAX_FILE_BYTES:,}-byte limit for a scenario file"])
    return decode_scenario(raw, src)


def _position_of(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    line = before.count(b"\n") + 1
    return line, offset - (before.rfind(b"\n") + 1) + 1


def decode_scenario(raw: bytes, source: str) -> str:
    """UTF-8 text (a UTF-8 byte-order mark is dropped), or a ScenarioError naming the position of
    the first byte that makes it binary, UTF-16 or otherwise not UTF-8."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ScenarioError(source, [f"{source}:1:1: the file is UTF-16; save it as UTF-8"])
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    nul = raw.find(b"\x00")
    if nul >= 0:
        line, col = _position_of(raw, nul)
        hint = "UTF-16 or binary data" if raw[1:2] == b"\x00" or raw[0:1] == b"\x00" else "binary data"
        raise ScenarioError(source, [f"{source}:{line}:{col}: a NUL byte: this is {hint}, not a UTF-8 scenario file"])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _position_of(raw, exc.start)
        raise ScenarioError(source, [f"{source}:{line}:{col}: not UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8"]) from None


def load_document(path: str | Path, text: str | None = None) -> LoadedDocument:
    """Load ``path`` (``.yaml``/``.yml`` or ``.toml``, by suffix)."""
    path = Path(path)
    if text is None:
        text = read_scenario_text(path)
    elif len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise ScenarioError(str(path), [f"{path}: over the {MAX_FILE_BYTES:,}-byte limit for a scenario file"])
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


def format_validation_error(doc: LoadedDocument, exc: ValidationError, prefix: Path_ = (), flags: dict[tuple[Any, ...], str] | None = None) -> ScenarioError:
    """One ``file:line:col: field: message`` per pydantic error, sorted by line. ``flags``: paths a
    command-line flag set (``("seed",)`` -> ``"--seed"``): their errors name the flag, not a line
    of the file the user did not write there (``--param nosuch: unknown field``)."""
    problems: list[tuple[int, str]] = []
    for err in exc.errors(include_url=False):
        loc = prefix + tuple(err["loc"])
        message = err["msg"]
        if err.get("type") == "extra_forbidden":
            message = "unknown field"
        flag = next(((k, v) for k, v in (flags or {}).items() if loc[:len(k)] == k), None)
        if flag is not None:
            message = message.removeprefix("Value error, ")
            field = "" if flag[1].endswith(dotted(loc)) else f"{dotted(loc)}: "  # the field, unless the flag already spells it
            problems.append((0, f"{flag[1]}: {field}{message}{_input_hint(err)}"))
            continue
        path, pos = doc.locate(loc)
        line, col = pos if pos else (0, 0)
        where = f"{doc.source}:{line}:{col}" if pos else doc.source
        problems.append((line, f"{where}: {dotted(path)}: {message}{_input_hint(err)}"))
    problems.sort(key=lambda p: p[0])
    shown = [p for _, p in problems[:MAX_PROBLEMS]]
    if len(problems) > MAX_PROBLEMS:
        shown.append(f"{doc.source}: ... and {len(problems) - MAX_PROBLEMS:,} more problems")
    return ScenarioError(doc.source, shown)
