"""The source tree names what the zip holds by id (issue 9.13), and reads back to the same bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CORPUS, corpus_params

from xmplan._archive import read_plan
from xmplan._cli import main
from xmplan._eras import form_names
from xmplan._export import plan_zip, zip_name
from xmplan._jsontext import source_bytes
from xmplan._model import Entry, Plan
from xmplan._names import Context, resolve_canvas
from xmplan._source import load_source

GRAFANA = CORPUS / "xmatters__xm-labs-grafana__GrafanaAlert__20200303-e6419027.zip"
needs_grafana = pytest.mark.skipif(not GRAFANA.is_file(), reason="../shared/corpus/plans is not here")


def unpack(zip_path: Path, tree: Path) -> None:
    assert main(["unpack", str(zip_path), str(tree)]) == 0


def build(tree: Path, out: Path) -> bytes:
    assert main(["build", str(tree), "-o", str(out)]) == 0
    (built,) = out.glob("*.zip")
    return built.read_bytes()


def tree_json(tree: Path, relative: str) -> dict:
    return json.loads((tree / relative).read_text(encoding="utf-8"))


@needs_grafana
def test_integrations_name_their_form_and_build_its_uuid_back(tmp_path: Path) -> None:
    unpack(GRAFANA, tmp_path / "tree")
    integrations = tree_json(tmp_path / "tree", "plan/integrations/integrations.json")["integrations"]
    assert {i["form"] for i in integrations if "form" in i} == {"Grafana Alert"}
    assert build(tmp_path / "tree", tmp_path / "out") == GRAFANA.read_bytes()


@needs_grafana
def test_a_canvas_reads_by_label_and_input_name_with_its_layout_as_an_object(tmp_path: Path) -> None:
    unpack(GRAFANA, tmp_path / "tree")
    canvas = tree_json(tmp_path / "tree", "plan/canvases/GrafanaAlert.json")
    assert canvas["form"] == "Grafana Alert"
    blocks = {block["id"]: block for block in canvas["blocks"]}
    steps = {block["label"]: block.get("step") for block in canvas["blocks"]}
    assert steps["Grafana Alert - Inbound from Grafana"] == "Grafana Alert - Inbound from Grafana"  # integration
    assert steps["Events found?"] is None  # a switch runs no step
    switch = next(b for b in canvas["blocks"] if b["label"] == "Events found?")
    assert switch["presentation"] == {"w": 60, "x": 910, "h": 60, "y": 646}
    assert switch["inputMappings"][0]["mapping"] == "${Get Events.Number of Event IDs Returned}"
    edge = next(e for e in canvas["edges"] if e["fromBlock"] == "Grafana Alert - Do Nothing Trigger")
    # Two blocks are labelled "Grafana Alerts": an edge to one of them keeps its id.
    assert blocks[edge["toBlock"]]["label"] == "Grafana Alerts"
    alerts = [b for b in canvas["blocks"] if b["label"] == "Grafana Alerts"]
    assert [m["stepInput"] for m in alerts[0]["inputMappings"]][-2:] == ["ruleid", "paused"]
    assert {b["step"] for b in alerts} == {"Grafana Alerts"}  # a step of the plan
    # A built-in step and its inputs are not in the plan: their ids stay.
    get_events = next(b for b in canvas["blocks"] if b["label"] == "Get Events")
    assert get_events["step"] == "f36cf6ba-2225-5cb3-831f-030a05527c72"
    assert all(len(m["stepInput"]) == 36 for m in get_events["inputMappings"])


def _canvas_case() -> Plan:
    """A plan whose canvas has every kind of name that cannot stand for its id."""
    step = {"id": "5f0c3c0e-1111-4aaa-8aaa-000000000001", "name": "Post", "description": "", "icon": "",
            "script": "output.ok = 1;", "scriptStepType": "USER",
            "inputs": [{"id": "5f0c3c0e-1111-4aaa-8aaa-0000000000a1", "name": "Text"},
                       {"id": "5f0c3c0e-1111-4aaa-8aaa-0000000000a2", "name": "Twice"},
                       {"id": "5f0c3c0e-1111-4aaa-8aaa-0000000000a3", "name": "Twice"}],
            "outputs": []}

    def block(n: int, label: str, presentation: str, **more: object) -> dict[str, object]:
        return {"id": f"0b0c3c0e-2222-4bbb-8bbb-00000000000{n}", "label": label, "presentation": presentation,
                **more, "stepType": "SCRIPT_STEP"}

    inputs = [{"inputPort": "input", "mapping": "${0b0c3c0e-2222-4bbb-8bbb-000000000001.ok} ${event.properties.X}",
               "stepInput": "5f0c3c0e-1111-4aaa-8aaa-0000000000a1"},
              {"inputPort": "input", "mapping": "${0b0c3c0e-2222-4bbb-8bbb-000000000003.ok}",
               "stepInput": "5f0c3c0e-1111-4aaa-8aaa-0000000000a2"}]
    canvas = {"name": "Flow", "form": "f0000000-3333-4ccc-8ccc-000000000002", "blocks": [
        block(1, "Start", '{"w":60,"x":1.5,"h":60,"y":-2}', step=step["id"]),
        block(2, "Post", '{"w": 60, "x": 10}', step=step["id"], inputMappings=inputs),  # spaced: kept text
        block(3, "event", "{}", step=step["id"]),  # would read ${event.properties.X}: kept in text
        block(4, "Twin", "{}"), block(5, "Twin", "{}")],
        "edges": [{"fromBlock": "0b0c3c0e-2222-4bbb-8bbb-000000000001", "fromPort": "output",
                   "toBlock": "0b0c3c0e-2222-4bbb-8bbb-000000000004", "toPort": "input"},
                  {"fromBlock": "0b0c3c0e-2222-4bbb-8bbb-000000000003", "fromPort": "output",
                   "toBlock": "0b0c3c0e-2222-4bbb-8bbb-00000000dead", "toPort": "input"}]}
    form = {"name": "Alert", "uuid": "f0000000-3333-4ccc-8ccc-000000000001"}
    twin_forms = [{"name": "Same", "uuid": f"f0000000-3333-4ccc-8ccc-00000000000{n}"} for n in (2, 3)]
    integrations = {"integrations": [
        {"id": "1a000000-4444-4ddd-8ddd-000000000001", "name": "In", "form": form["uuid"]},
        {"id": "1a000000-4444-4ddd-8ddd-000000000002", "name": "Gone", "form": "f0000000-3333-4ccc-8ccc-0000000000ff"},
        {"id": "1a000000-4444-4ddd-8ddd-000000000003", "name": "Twin", "form": twin_forms[0]["uuid"]}],
        "endpoints": [], "constants": []}
    return Plan((Entry("engine.json", {"version": "1.9", "name": "Names", "description": "", "isActive": True,
                                       "order": 0}, (2021, 3, 4, 5, 6, 8)),
                 Entry("properties/properties.json", [], (2021, 3, 4, 5, 6, 8)),
                 Entry("forms/Alert/100001.json", form, (2021, 3, 4, 5, 6, 8)),
                 Entry("forms/Same/100002.json", twin_forms[0], (2021, 3, 4, 5, 6, 8)),
                 Entry("forms/Same/100003.json", twin_forms[1], (2021, 3, 4, 5, 6, 8)),
                 Entry("integrations/integrations.json", integrations, (2021, 3, 4, 5, 6, 8)),
                 Entry("integrations/scriptSteps.json", [step], (2021, 3, 4, 5, 6, 8)),
                 Entry("canvases/Flow.json", canvas, (2021, 3, 4, 5, 6, 8))))


def test_names_that_are_ambiguous_or_missing_keep_the_id_and_the_zip_comes_back_the_same(tmp_path: Path) -> None:
    export = tmp_path / "Names.zip"
    export.write_bytes(plan_zip(_canvas_case()))
    unpack(export, tmp_path / "tree")
    canvas = tree_json(tmp_path / "tree", "plan/canvases/Flow.json")
    start, post, event, twin, _ = canvas["blocks"]
    assert start["presentation"] == {"w": 60, "x": 1.5, "h": 60, "y": -2}
    assert start["step"] == "Post"
    assert canvas["form"] == "f0000000-3333-4ccc-8ccc-000000000002"  # two forms are named "Same"
    assert post["presentation"] == '{"w": 60, "x": 10}'  # not xMatters' spelling of that object
    assert [m["mapping"] for m in post["inputMappings"]] == [
        "${Start.ok} ${event.properties.X}", "${0b0c3c0e-2222-4bbb-8bbb-000000000003.ok}"]
    assert [m["stepInput"] for m in post["inputMappings"]] == ["Text", "5f0c3c0e-1111-4aaa-8aaa-0000000000a2"]
    assert canvas["edges"][0] == {"fromBlock": "Start", "fromPort": "output", "toBlock": twin["id"],
                                  "toPort": "input"}
    assert canvas["edges"][1]["fromBlock"] == "event"  # edges hold nothing but blocks
    assert canvas["edges"][1]["toBlock"] == "0b0c3c0e-2222-4bbb-8bbb-00000000dead"
    forms = [i["form"] for i in tree_json(tmp_path / "tree", "plan/integrations/integrations.json")["integrations"]]
    assert forms == ["f0000000-3333-4ccc-8ccc-0000000000ff", "Alert", "f0000000-3333-4ccc-8ccc-000000000002"]
    # (`xmplan build` would refuse the dangling edge and the two forms named alike: the zip is
    # written from the plan the build reads, without its checks.)
    assert plan_zip(load_source(tmp_path / "tree")) == export.read_bytes()


def test_an_id_that_would_read_as_a_label_is_refused_with_nothing_written(tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    plan = _canvas_case()
    canvas = plan.get("canvases/Flow.json")
    canvas["edges"][1]["toBlock"] = "Start"  # names no block's id, and is a block's label
    export = tmp_path / "Names.zip"
    export.write_bytes(plan_zip(plan))
    assert main(["unpack", str(export), str(tmp_path / "tree")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "canvases/Flow.json" in err[0] and "'Start'" in err[0]
    assert not (tmp_path / "tree").exists()


def test_a_hand_written_canvas_may_name_blocks_and_inputs(tmp_path: Path) -> None:
    export = tmp_path / "Names.zip"
    export.write_bytes(plan_zip(_canvas_case()))
    unpack(export, tmp_path / "tree")
    path = tmp_path / "tree" / "plan" / "canvases" / "Flow.json"
    canvas = json.loads(path.read_text(encoding="utf-8"))
    canvas["edges"].append({"fromBlock": "Post", "fromPort": "output", "toBlock": "Start", "toPort": "input"})
    path.write_text(json.dumps(canvas, indent=2), encoding="utf-8")
    edges = load_source(tmp_path / "tree").get("canvases/Flow.json")["edges"]
    assert edges[-1] == {"fromBlock": "0b0c3c0e-2222-4bbb-8bbb-000000000002", "fromPort": "output",
                         "toBlock": "0b0c3c0e-2222-4bbb-8bbb-000000000001", "toPort": "input"}


@pytest.mark.parametrize("export", corpus_params("xmatters-export"))
def test_a_tree_with_ids_reads_as_it_always_did(export: Path) -> None:
    """What older unpacks wrote (every id as the zip has it) reads back unchanged."""
    plan = read_plan(export)
    context = Context(plan)
    for _, canvas in plan.canvases():
        assert resolve_canvas(canvas, context) == canvas
    forms = form_names(plan)
    assert [forms.resolve(i["form"]) for i in plan.integrations if "form" in i] == \
        [i["form"] for i in plan.integrations if "form" in i]


def _has_canvases(row: dict[str, str]) -> bool:
    return int(row["canvases"] or 0) > 0 and int(row["script_steps"] or 0) > 0


@pytest.mark.parametrize("export", corpus_params("xmatters-export", _has_canvases)[::25])
def test_a_tree_written_by_the_old_unpack_builds_byte_identical(export: Path, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    unpack(export, tree)
    plan = read_plan(export)
    for name, canvas in plan.canvases():  # the old unpack wrote canvases as the zip holds them
        (tree / "plan" / name).write_bytes(source_bytes(canvas))
    path = tree / "plan" / "integrations" / "integrations.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    for old, new in zip(plan.integrations, document["integrations"], strict=True):
        if "form" in old:
            new["form"] = old["form"]
    path.write_bytes(source_bytes(document))
    assert build(tree, tmp_path / "out") == export.read_bytes()
    assert zip_name(plan) == next((tmp_path / "out").glob("*.zip")).name


@needs_grafana
def test_a_block_relabelled_in_the_tree_is_reported_where_it_is_still_named(tmp_path: Path,
                                                                            capsys: pytest.CaptureFixture[str]) -> None:
    unpack(GRAFANA, tmp_path / "tree")
    path = tmp_path / "tree" / "plan" / "canvases" / "GrafanaAlert.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"label": "Get Events"', '"label": "Find Events"'),
                    encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", str(tmp_path / "tree")]) == 1  # the edges to "Get Events" lead nowhere now
    out = capsys.readouterr().out
    assert "reads ${Get Events.Number of Event IDs Returned}, which names no block of this canvas" in out
    assert '/edges/1/toBlock: "Get Events" is not a lowercase RFC 4122 uuid [schema]' in out
