"""xmplan: communication plans as code for xMatters."""

from .archive import read_plan
from .errors import Location, Problem, XmplanError
from .export import build_tree, plan_zip
from .model import Entry, Plan
from .source import load_source
from .unpack import source_files, unpack_zip
from .validate import validate_path, validate_plan

__version__ = "0.1.0"
__all__ = ["Entry", "Location", "Plan", "Problem", "XmplanError", "build_tree", "load_source", "plan_zip",
           "read_plan", "source_files", "unpack_zip", "validate_path", "validate_plan"]
