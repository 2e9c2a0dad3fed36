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
from dataclasses import dataclass
from typing import Any, Callable

import js2py
import js2py.pyjs as pyjs
from js2py import base

from xmplan.runtime.engine import HOST_GLOBAL
from xmplan.runtime.engines import _js2py_fixes

BLOCKED = "Python objects are not available to scripts"
# js2py's console prints to stdout; the host prelude provides the IB console instead.
_OMITTED_GLOBALS = frozenset({"console"})


def _refuse(*_args: Any, **_kwargs: Any) -> Any:
    raise base.MakeError("TypeError", BLOCKED)


def _own_property_names(obj):  # noqa: ANN001, ANN202 - js2py calling convention
    if not obj.is_object():
        raise base.MakeError("TypeError", "Object.getOwnPropertyNames called on non-object")
    return list(obj.own)


@functools.cache
def harden() -> None:
    """Patch js2py once per process (idempotent)."""
    js2py.disable_pyimport()
    _js2py_fixes.apply()
    for name in ("get", "put", "delete", "callprop", "__call__"):
        setattr(base.PyObjectWrapper, name, _refuse)
    base.PyObjectWrapper.to_python = _refuse
    fixed = base.PyJsFunction(_own_property_names, base.FunctionPrototype)
    fixed._set_name("getOwnPropertyNames")
    pyjs.Object.own["getOwnPropertyNames"]["value"] = fixed


@dataclass(frozen=True)
class _Saved:
    obj: base.PyJs
    own: dict[str, dict[str, Any]]
    extensible: bool
    prototype: Any
    value: Any


class BuiltinsSnapshot:
    """The own properties, prototype, extensibility and value of every built-in object."""

    def __init__(self) -> None:
        self._saved = [
            _Saved(obj, {k: dict(d) for k, d in obj.own.items()}, obj.extensible, obj.prototype, obj.value)
            for obj in _reachable_builtins()
        ]
        self.size = len(self._saved)

    def restore(self) -> None:
        for saved in self._saved:
            obj = saved.obj
            obj.own = {k: d.copy() for k, d in saved.own.items()}
            obj.extensible = saved.extensible
            obj.prototype = saved.prototype
            obj.value = saved.value


def _reachable_builtins() -> list[base.PyJs]:
    found: dict[int, base.PyJs] = {}
    stack = list(pyjs.JS_BUILTINS.values())
    while stack:
        obj = stack.pop()
        # Primitives (numbers, strings...) are shared and cached by js2py but never get properties.
        if not isinstance(obj, base.PyJs) or id(obj) in found or obj.is_primitive():
            continue
        found[id(obj)] = obj
        if obj.prototype is not None:
            stack.append(obj.prototype)
        for desc in obj.own.values():
            stack.extend(desc[k] for k in ("value", "get", "set") if k in desc)
    return list(found.values())


class HostAbort(BaseException):
    """The host function raised: unwinds the run past any JS `catch` (which catches PyJsException)."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(error)
        self.error = error


def _js_host(host: Callable[[str, str], str]) -> base.PyJsFunction:
    def __xmplan_host__(operation, json_text, this, arguments, var=None):  # noqa: ANN001, ANN202, N807
        op, text = operation.to_string().value, json_text.to_string().value
        try:
            result = host(op, text)
        except Exception as err:  # noqa: BLE001 - re-raised by the engine after unwinding
            raise HostAbort(err) from err
        if not isinstance(result, str):
            raise HostAbort(TypeError(f"host function returned {type(result).__name__}, not str"))
        return base.Js(result)

    return base.PyJsFunction(__xmplan_host__, base.FunctionPrototype)


_NAMESPACE = {name: getattr(pyjs, name) for name in pyjs.__all__}


def new_globals(host: Callable[[str, str], str]) -> dict[str, Any]:
    """Python globals for one run's translated scripts: a fresh JS global scope with the host bound."""
    builtins = {k: v for k, v in pyjs.JS_BUILTINS.items() if k not in _OMITTED_GLOBALS}
    scope = pyjs.Scope(builtins)
    pyjs.set_global_object(scope)
    scope.define_own_property(
        HOST_GLOBAL, {"value": _js_host(host), "writable": False, "enumerable": False, "configurable": False}
    )
    namespace = dict(_NAMESPACE)
    namespace["var"] = scope
    return namespace
