"""Naming Python objects by import path, so a call log can rebuild the contracts a run deployed.

Service managers and ERC-20 tokens are Python objects, not calls: a log that only held calls would
replay against the default allow-everything manager and silently diverge. A deployment is logged
with the factory that rebuilds the contract (``"package.module:Class"``), when one can be named
honestly: the class (or factory function) is importable under that name, needs no arguments, and a
fresh object made by it is in the same state as the one deployed.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
from pathlib import Path
from typing import Any, Callable


class FactoryError(ValueError):
    """A factory named in a call log (or on the command line) cannot be loaded."""


def factory_path(factory: Any) -> str | None:
    """``"module:qualname"`` of a class or function importable under that name, else None."""
    module = getattr(factory, "__module__", None)
    qualname = getattr(factory, "__qualname__", None)
    if not module or not qualname or module == "__main__" or "<" in qualname:
        return None  # a lambda, a local class, or a script run as __main__: no name to import it by
    obj: Any = sys.modules.get(module)
    if obj is None:
        return None
    for part in qualname.split("."):
        obj = getattr(obj, part, None)
    return f"{module}:{qualname}" if obj is factory else None


def takes_no_arguments(factory: Callable[..., Any]) -> bool:
    try:
        params = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):
        return False
    return all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params)


def source_of(factory: Any) -> str | None:
    """The absolute path of the file that defines ``factory``: the fallback for modules imported
    under a name only their runner knew (a pytest test module), wherever the log is replayed from."""
    module = sys.modules.get(getattr(factory, "__module__", ""), None)
    file = getattr(module, "__file__", None)
    if not file:
        return None
    return Path(file).resolve().as_posix()


def same_state(a: Any, b: Any, depth: int = 4) -> bool:
    """Do two freshly built objects hold the same configuration? Plain values compare with ``==``;
    objects of the same type without their own ``__eq__`` compare attribute by attribute."""
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same_state(x, y, depth) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_state(a[k], b[k], depth) for k in a)
    if type(a).__eq__ is not object.__eq__ or depth == 0:
        try:
            return bool(a == b)
        except Exception:  # an __eq__ that refuses to compare: treat as different
            return False
    return same_state(_attributes(a), _attributes(b), depth - 1)


def _attributes(obj: Any) -> dict[str, Any]:
    out = dict(getattr(obj, "__dict__", {}))
    for klass in type(obj).__mro__:
        for slot in getattr(klass, "__slots__", ()):
            if hasattr(obj, slot):
                out[slot] = getattr(obj, slot)
    return out


def load_factory(path: str, source: str | None = None) -> Callable[[], Any]:
    """Resolve ``"module:qualname"``: import the module (the working directory is importable, as
    with ``python -m``), else load it from ``source``; then walk the qualified name."""
    module_name, sep, qualname = path.partition(":")
    if not sep or not module_name or not qualname:
        raise FactoryError(f"{path!r} is not of the form 'package.module:Name'")
    module = _import(module_name, source)
    obj: Any = module
    for part in qualname.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            if module_name in _FROM_SOURCE:  # the name did not import: say so, not only that the file lacks the function
                raise FactoryError(f"{path}: no module named {module_name!r} can be imported, and its file {_FROM_SOURCE[module_name]} "
                                   f"(loaded in its place) has no {qualname!r}") from None
            raise FactoryError(f"{path}: module {module_name!r} has no {qualname!r}") from None
    if not callable(obj):
        raise FactoryError(f"{path} is not callable")
    return obj  # type: ignore[no-any-return]


#: modules loaded from a log's ``source`` file because their name did not import -> that file
_FROM_SOURCE: dict[str, str] = {}


def _import(module_name: str, source: str | None) -> Any:
    if module_name in sys.modules:
        return sys.modules[module_name]
    cwd = str(Path.cwd())
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is None or not module_name.startswith(exc.name):
            raise FactoryError(f"importing {module_name!r} failed: {exc}") from None
        if source is None or not Path(source).is_file():
            raise FactoryError(f"no module named {module_name!r}" + (f" (and its file {source} is gone)" if source else "")) from None
    except Exception as exc:
        raise FactoryError(f"importing {module_name!r} failed: {exc!r}") from None
    spec = importlib.util.spec_from_file_location(module_name, source)
    if spec is None or spec.loader is None:
        raise FactoryError(f"cannot load {module_name!r} from {source}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[module_name]
        raise FactoryError(f"loading {source} failed: {exc!r}") from None
    _FROM_SOURCE[module_name] = str(source)
    return module


def describe_factory(obj: Any, factory: str | Callable[[], Any] | None = None) -> tuple[str | None, str | None]:
    """``(import path, source file)`` of what rebuilds ``obj``: ``factory`` when given, else its
    class if that takes no arguments and builds an object in ``obj``'s state; ``(None, None)`` when
    nothing honest can be named (then a replay must be told the factory)."""
    if isinstance(factory, str):
        module, sep, name = factory.partition(":")
        if not (module and sep and name):
            raise FactoryError(f"factory {factory!r} is not of the form 'package.module:Name'")
        return factory, None
    if factory is None:
        cls = type(obj)
        if factory_path(cls) is None or not takes_no_arguments(cls):
            return None, None
        try:
            fresh = cls()
        except Exception:
            return None, None
        if not same_state(fresh, obj):
            return None, None
        factory = cls
    path = factory_path(factory)
    return (path, source_of(factory)) if path else (None, None)
