"""A problem in an export is an ArchiveError (the zip is at fault), not a SourceError (a tree's)."""

from __future__ import annotations

import pytest

from xmplan._errors import ArchiveError
from xmplan._model import Entry, Plan
from xmplan._unpack import source_files


def test_an_export_holding_the_file_marker_shape_is_an_archive_error() -> None:
    plan = Plan((Entry("engine.json", {"name": "P", "x": {"$file": "a.js"}}),))
    with pytest.raises(ArchiveError, match="cannot represent"):
        source_files(plan)
