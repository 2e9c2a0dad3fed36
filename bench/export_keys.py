"""Derive, from the corpus, the keys every real export of an era carries on each kind of object.

xmplan/_validate/exportkeys.py holds the table this prints, reviewed and committed as code:
`xmplan validate` of a zip reports a key from it that an object lacks (rule `export-key`).
Run this again when the corpus grows, and compare:

    python bench/export_keys.py [CORPUS_DIR]          # prints the table as Python
    python bench/export_keys.py [CORPUS_DIR] --stats  # and how many objects each row stands on

Only the exporter's own zips count (INDEX.tsv `zip_producer` xmatters-export): a zip re-packed
by hand has new timestamps, so its era cannot be told from them. An object path is a document
kind, then keys, `[]` for the items of an array (`form.layoutSections[].sectionItems[]`), as in
xmplan/_canonical.py. A key is listed for an era and path when every object there carries it, and:

- every object of every later era that has the path carries it too. Eras E1 and E3 stand on a
  few plans (2 and 8 here): their 7 properties all happen to be text properties, and without
  this a number property of E1 would be an error for lacking `maxLength`. Exporters add keys
  over time, rarely drop one, so a key a later era does without is a key of some objects only;
- the format reference's Appendix A (a presence table of 332 exports, a superset of this corpus)
  has it in every object of that era too, where it has the path (read from
  ../shared/reference/plan-format.md when it is there).
"""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

from xmplan._archive import read_plan
from xmplan._canonical import document_kind
from xmplan._eras import ERAS, plan_era
from xmplan._model import Json

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEFAULT_CORPUS = SHARED / "corpus" / "plans"
DEFAULT_REFERENCE = SHARED / "reference" / "plan-format.md"
_TABLE = re.compile(r"^#### `([^`]+)`")


def objects_at(value: Json, path: str) -> Iterator[tuple[str, dict[str, Json]]]:
    """Every object in a document with its object path (`form.responses[]`)."""
    if isinstance(value, list):
        for item in value:
            yield from objects_at(item, path + "[]")
    elif isinstance(value, dict):
        yield path, value
        for key, child in value.items():
            yield from objects_at(child, f"{path}.{key}")


def derive(corpus: Path) -> tuple[dict[str, dict[str, frozenset[str]]], Counter[tuple[str, str]]]:
    """Per era, per object path, the keys every object carries; and how many objects each stands on."""
    with (corpus / "INDEX.tsv").open(encoding="utf-8", newline="") as stream:
        rows = [row for row in csv.DictReader(stream, delimiter="\t") if row["zip_producer"] == "xmatters-export"]
    common: dict[str, dict[str, frozenset[str]]] = defaultdict(dict)
    counts: Counter[tuple[str, str]] = Counter()
    for row in rows:
        plan = read_plan(corpus / row["file"])
        era = plan_era(plan)
        for entry in plan.entries:
            kind = document_kind(entry.name)
            if kind is None:
                continue
            for path, obj in objects_at(entry.data, kind):
                keys = frozenset(obj)
                seen = common[era].get(path)
                common[era][path] = keys if seen is None else seen & keys
                counts[era, path] += 1
    return common, counts


def later_eras_agree(common: dict[str, dict[str, frozenset[str]]]) -> dict[str, dict[str, frozenset[str]]]:
    """Each era's keys, less those some later era that has the path does without."""
    kept: dict[str, dict[str, frozenset[str]]] = {}
    for index, era in enumerate(ERAS):
        kept[era] = {}
        for path, keys in common.get(era, {}).items():
            for later in ERAS[index + 1:]:
                keys &= common.get(later, {}).get(path, keys)
            kept[era][path] = keys
    return kept


def reference_keys(text: str) -> dict[tuple[str, str], frozenset[str]]:
    """From Appendix A: per (era, object path), the keys present in `all` objects of that era.

    Its paths say `.json` and split some kinds by type (`properties.json[]{baseType=3}`); a key
    counts for the path when every split with objects in that era has it in all of them.
    """
    splits: dict[tuple[str, str], list[frozenset[str]]] = defaultdict(list)
    path, eras = "", list[str]()
    everywhere: defaultdict[str, set[str]] = defaultdict(set)
    for line in [*text.splitlines(), "#### `end`"]:
        heading = _TABLE.match(line)
        if heading:
            for era in eras:
                splits[era, path].append(frozenset(everywhere[era]))
            path = re.sub(r"\{[^}]*\}", "", heading.group(1)).replace(".json", "")
            eras, everywhere = [], defaultdict(set)  # a new table
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) > 3 and cells[0] == "#":
            eras = [cell for cell in cells[3:] if cell in ERAS]
        elif len(cells) > 3 and cells[0].isdigit() and eras:
            for era, cell in zip(eras, cells[3:], strict=False):
                if cell == "all":
                    everywhere[era].add(cells[1].strip("`"))
    return {key: frozenset.intersection(*found) for key, found in splits.items()}


def reference_agrees(common: dict[str, dict[str, frozenset[str]]],
                     reference: dict[tuple[str, str], frozenset[str]]) -> dict[str, dict[str, frozenset[str]]]:
    """Each era's keys, less those the reference's table for that era and path does not have everywhere."""
    return {era: {path: keys & reference.get((era, path), keys) for path, keys in paths.items()}
            for era, paths in common.items()}


def since_table(kept: dict[str, dict[str, frozenset[str]]]) -> str:
    """The table as Python: per object path, the keys each era adds (the filters leave no era dropping one)."""
    lines = ["EXPORT_KEYS: dict[str, dict[str, str]] = {"]
    for path in sorted({path for paths in kept.values() for path in paths}):
        added: list[str] = []
        before = frozenset[str]()
        for era in ERAS:
            keys = kept.get(era, {}).get(path)
            if keys is None:
                continue
            assert before <= keys, f"{path}: {era} drops {sorted(before - keys)}"
            if keys - before:
                added.append(f'"{era}": "' + " ".join(sorted(keys - before)) + '"')
            before = keys
        line = f'    "{path}": {{' + ", ".join(added) + "},"
        if len(line) <= 120:
            lines.append(line)
        elif added:  # one era a line, its keys wrapped as adjacent strings
            lines.append(f'    "{path}": {{')
            lines += [f"        {part}" for era in added for part in _wrapped(era)]
            lines.append("    },")
    lines.append("}")
    return "\n".join(lines)


def _wrapped(era: str) -> list[str]:
    """`"E1": "a b c ..."` cut into lines of at most 110 characters (adjacent strings join)."""
    words = era.split(" ")
    parts, line = [], words[0]
    for word in words[1:]:
        if len(line) + len(word) > 104:
            parts.append(line + ' "')
            line = '      "' + word
        else:
            line += " " + word
    return [*parts, line + ","]


def main(argv: list[str]) -> int:
    args = [arg for arg in argv if not arg.startswith("--")]
    corpus = Path(args[0]) if args else DEFAULT_CORPUS
    common, counts = derive(corpus)
    kept = common
    if DEFAULT_REFERENCE.is_file():
        kept = reference_agrees(kept, reference_keys(DEFAULT_REFERENCE.read_text("utf-8")))
    kept = later_eras_agree(kept)
    print(since_table(kept))
    if "--stats" in argv:
        for era in ERAS:
            for path, keys in sorted(common.get(era, {}).items()):
                if keys - kept[era][path]:
                    print(f"# {era} {path}: left out {', '.join(sorted(keys - kept[era][path]))}")
        for (era, path), count in sorted(counts.items()):
            print(f"# {era} {path}: {count} objects")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
