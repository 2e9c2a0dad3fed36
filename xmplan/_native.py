"""A package's C extension loaded alone, without running the package's `__init__` and what it imports."""

from __future__ import annotations

import importlib
import sys
from types import ModuleType


def extension(name: str) -> ModuleType:
    """The extension module `name` (`package.module`), loaded without its package's `__init__`.

    dukpy's `__init__` imports its npm installer (urllib, http, ssl, email, tarfile) and
    tree-sitter-javascript's importlib.resources, for what xmplan never uses: that is most of what
    a script worker loads, and a tenth of what `xmplan run` does. The module is registered under
    its own name, so a later `import package` uses this one (an extension initialises once per
    process); only `package.module` as an attribute of the package is then missing.
    """
    loaded = sys.modules.get(name)
    if loaded is not None:
        return loaded
    from importlib.machinery import PathFinder

    package_name, _, _ = name.rpartition(".")
    package = PathFinder.find_spec(package_name)
    spec = PathFinder.find_spec(name, package.submodule_search_locations) if package else None
    if spec is None or spec.loader is None:  # found some other way (an import hook): the usual import
        return importlib.import_module(name)
    module = spec.loader.create_module(spec)
    if module is None:  # not an extension after all: the usual import
        return importlib.import_module(name)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
