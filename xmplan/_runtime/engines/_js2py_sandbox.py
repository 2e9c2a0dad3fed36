"""Close js2py's ways out to Python and undo what a run did to its shared built-in objects.

js2py 0.74 hands scripts Python objects in a few places (`Object.getOwnPropertyNames` returns
`dict_keys`, `new ArrayBuffer` a `bytearray`), wrapped in `PyObjectWrapper`, whose property access
is Python `getattr`: `names.__getattribute__('__class__').__base__.__subclasses__()` reaches
`subprocess.Popen` (CVE-2024-28397). Here every `PyObjectWrapper` refuses all access, the leaking
built-ins return real JS arrays, and `pyimport` is off. Built-in objects (`Object.prototype`,
`String.prototype`, `JSON`...) are module-level singletons shared by every context, so a snapshot
of their own properties is taken once and restored before each run.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import js2py
import js2py.pyjs as pyjs
from js2py import base

from xmplan._runtime.engine import HOST_GLOBAL
from xmplan._runtime.engines import _js2py_fixes, _js2py_translate

BLOCKED = "Python objects are not available to scripts"
# js2py's console prints to stdout; the host prelude provides the IB console instead.
_OMITTED_GLOBALS = frozenset({"console"})


def _refuse(*_args: Any, **_kwargs: Any) -> Any:
    raise base.MakeError("TypeError", BLOCKED)


def _own_property_names(obj):
    if not obj.is_object():
        raise base.MakeError("TypeError", "Object.getOwnPropertyNames called on non-object")
    return _js2py_fixes.enumerable_keys(obj.own, every=True)  # a list, in engine order


@functools.cache
def harden() -> None:
    """Patch js2py once per process (idempotent); the engine calls it, importing patches nothing."""
    js2py.disable_pyimport()
    _js2py_translate.install()
    _js2py_fixes.apply()
    for name in ("get", "put", "delete", "callprop", "__call__"):
        setattr(base.PyObjectWrapper, name, _refuse)
    base.PyObjectWrapper.to_python = _refuse
    _js2py_fixes.replace_method(pyjs.Object, "getOwnPropertyNames", _own_property_names)


@dataclass(frozen=True)
class _Saved:
    obj: base.PyJs
    own: dict[str, Any]
    extensible: bool
    prototype: Any
    value: Any
    flat: bool  # a function's scope: own maps names to values, not to property descriptors


class Snapshot:
    """The own properties, prototype, extensibility and value of a set of objects, to put back later."""

    def __init__(self, objects: list[base.PyJs]) -> None:
        self._saved = [_save(obj) for obj in objects]
        self.size = len(self._saved)

    def restore(self) -> None:
        for saved in self._saved:
            obj = saved.obj
            if saved.flat:
                obj.own = dict(saved.own)
            else:
                obj.own = {k: d.copy() for k, d in saved.own.items()}
            obj.extensible = saved.extensible
            obj.prototype = saved.prototype
            obj.value = saved.value


def _is_flat(obj: base.PyJs) -> bool:
    return isinstance(obj, base.Scope) and obj.prototype is not None


def _save(obj: base.PyJs) -> _Saved:
    flat = _is_flat(obj)
    own = dict(obj.own) if flat else {k: dict(d) for k, d in obj.own.items()}
    return _Saved(obj, own, obj.extensible, obj.prototype, obj.value, flat)


class BuiltinsSnapshot(Snapshot):
    """Every built-in object, as js2py made it (after `harden()`)."""

    def __init__(self) -> None:
        super().__init__(reachable(pyjs.JS_BUILTINS.values()))


def reachable(roots: Iterable[Any]) -> list[base.PyJs]:
    """Every JS object reachable from `roots`: through prototypes, properties, accessors and, for
    functions, the scopes they close over (translated functions keep theirs as the `var` default)."""
    found: dict[int, base.PyJs] = {}
    stack = list(roots)
    while stack:
        obj = stack.pop()
        # Primitives (numbers, strings...) are shared and cached by js2py but never get properties.
        if not isinstance(obj, base.PyJs) or id(obj) in found or obj.is_primitive():
            continue
        found[id(obj)] = obj
        if obj.prototype is not None:
            stack.append(obj.prototype)
        if _is_flat(obj):
            stack.extend(obj.own.values())
        else:
            for desc in obj.own.values():
                stack.extend(desc[k] for k in ("value", "get", "set") if k in desc)
        code = getattr(obj, "code", None) if isinstance(obj, base.PyJsFunction) else None
        if isinstance(code, types.FunctionType):
            stack.extend(code.__defaults__ or ())
            stack.extend(_cell_contents(code.__closure__ or ()))
    return list(found.values())


def _cell_contents(cells: Iterable[types.CellType]) -> list[Any]:
    contents = []
    for cell in cells:
        try:
            contents.append(cell.cell_contents)
        except ValueError:  # an empty cell
            pass
    return contents


class HostAbort(BaseException):
    """The host function raised: unwinds the run past any JS `catch` (which catches PyJsException)."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(error)
        self.error = error


def _js_host(host: Callable[[str, str], str]) -> base.PyJsFunction:
    def __xmplan_host__(operation, json_text, this, arguments, var=None):
        op, text = operation.to_string().value, json_text.to_string().value
        try:
            result = host(op, text)
        except Exception as err:
            raise HostAbort(err) from err
        if not isinstance(result, str):
            raise HostAbort(TypeError(f"host function returned {type(result).__name__}, not str"))
        return base.Js(result)

    return base.PyJsFunction(__xmplan_host__, base.FunctionPrototype)


@functools.cache
def _namespace() -> dict[str, Any]:
    """The names translated code expects as globals, read after `harden()` patched some of them."""
    harden()
    return {name: getattr(pyjs, name) for name in pyjs.__all__}


@dataclass(frozen=True)
class Globals:
    """One global scope: the Python globals translated code runs in, and its `this` object."""

    scope: base.Scope
    this: base.PyJs
    namespace: dict[str, Any]

    def activate(self) -> None:
        # js2py keeps the global `this` in a class attribute; This shares the scope's properties.
        self.this.own = self.scope.own
        base.PyJs.GlobalObject = self.this


def new_globals(host: Callable[[str, str], str]) -> Globals:
    """A fresh JS global scope for translated scripts, with the host function bound."""
    builtins = {k: v for k, v in pyjs.JS_BUILTINS.items() if k not in _OMITTED_GLOBALS}
    scope = pyjs.Scope(builtins)
    # js2py makes every global read-only; in ES5.1 (15.1.4) the constructors are writable, and the
    # prelude's run clock (`--clock`) replaces `Date` (an image restore puts the real one back).
    scope.own["Date"]["writable"] = True
    pyjs.set_global_object(scope)
    scope.define_own_property(
        HOST_GLOBAL, {"value": _js_host(host), "writable": False, "enumerable": False, "configurable": False}
    )
    namespace = dict(_namespace())
    namespace["var"] = scope
    return Globals(scope, base.PyJs.GlobalObject, namespace)


class Image:
    """A global scope as some scripts left it, with everything reachable from it, to reuse in later runs.

    `restore()` puts back every object the scope reaches (the built-ins included) and the
    variables of every function scope: a run started from a restored image sees exactly the
    state the scripts left, whatever an earlier run changed.
    """

    def __init__(self, globals_: Globals) -> None:
        self.globals = globals_
        roots = [globals_.scope, globals_.this, *pyjs.JS_BUILTINS.values()]
        self._snapshot = Snapshot(reachable(roots))
        # Translated scripts define their functions as Python globals: put back the image's ones.
        self._namespace = dict(globals_.namespace)
        self.size = self._snapshot.size

    def restore(self) -> Globals:
        self._snapshot.restore()
        self.globals.activate()
        self.globals.namespace.clear()
        self.globals.namespace.update(self._namespace)
        return self.globals
