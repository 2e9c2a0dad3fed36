"""Building hand-written source trees: templates, era filling, determinism, the zip's shape."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from xmplan._archive import read_plan
from xmplan._canonical import KEY_ORDERS
from xmplan._cli import main
from xmplan._eras import stable_uuid

SAMPLE = Path(__file__).parent / "samples" / "minimal"
UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


@pytest.fixture
def built(tmp_path: Path) -> Path:
    assert main(["build", str(SAMPLE), "-o", str(tmp_path)]) == 0
    return tmp_path / "MinimalPlan.zip"


def documents(zip_path: Path) -> dict[str, object]:
    return {entry.name: entry.data for entry in read_plan(zip_path).entries}


def test_build_is_deterministic(built: Path, tmp_path: Path) -> None:
    assert main(["build", str(SAMPLE), "-o", str(tmp_path / "again")]) == 0
    assert (tmp_path / "again" / "MinimalPlan.zip").read_bytes() == built.read_bytes()


def test_container_is_laid_out_like_an_export(built: Path) -> None:
    with zipfile.ZipFile(built) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos][:2] == ["engine.json", "properties/properties.json"]
    assert all(i.flag_bits == 0x0808 and i.create_system == 0 and i.compress_type == 8 for i in infos)
    assert {i.date_time for i in infos} == {(2021, 1, 1, 0, 0, 0)}


def test_form_is_numbered_and_filed_by_name(built: Path) -> None:
    (name,) = [n for n in documents(built) if n.startswith("forms/")]
    assert re.fullmatch(r"forms/Alert/\d{7,8}\.json", name)


def test_new_objects_get_stable_v4_ids_and_era_keys(built: Path) -> None:
    docs = documents(built)
    form = next(v for k, v in docs.items() if k.startswith("forms/"))
    assert form["uuid"] == stable_uuid("Minimal Plan", "form", "Alert")
    assert UUID4.fullmatch(form["uuid"])
    assert form["triggerType"] == "MESSAGING"
    items = form["layoutSections"][0]["sectionItems"]
    assert [item["order"] for item in items] == [0, 1]
    assert all(UUID4.fullmatch(item["id"]) and UUID4.fullmatch(item["panelSectionItemUuid"]) for item in items)
    accept = form["responses"][0]
    assert (accept["digit"], accept["isAllowComments"], accept["translations"][0]["textResponse"]) == (
        1, False, "Acknowledge")
    integration = docs["integrations/integrations.json"]["integrations"][0]
    assert integration["form"] == form["uuid"]
    assert (integration["environment"], integration["authType"], integration["createdBy"]) == ("HOSTED", "URL", "IB")
    assert all(UUID4.fullmatch(p["uuid"]) for p in docs["properties/properties.json"])


def test_keys_follow_the_exporters_order(built: Path) -> None:
    form = next(v for k, v in documents(built).items() if k.startswith("forms/"))
    assert list(form) == [k for k in KEY_ORDERS["form"] if k in form]
    response_keys = KEY_ORDERS["form.responses[]"]
    assert list(form["responses"][0]) == [k for k in response_keys if k in form["responses"][0]]


def test_properties_are_sorted_as_the_exporter_sorts(built: Path) -> None:
    names = [p["name"] for p in documents(built)["properties/properties.json"]]
    assert names == ["Acknowledged", "Severity", "Summary"]


def test_template_references_become_item_ids_with_case(built: Path) -> None:
    form = next(v for k, v in documents(built).items() if k.startswith("forms/"))
    summary, severity = (item["id"] for item in form["layoutSections"][0]["sectionItems"])
    email = form["messages"]["emailTemplates"][0]
    assert email["emailSubject"] == f"Alert: ${{{summary.upper()}}}"
    assert email["email"].startswith(f"<p>Severity ${{{severity}}}: ${{{summary.upper()}}}</p>")
    assert "${person.firstName}" in email["email"]
    steps = form["messages"]["internationalVoiceScriptSteps"][0]["voiceScriptSteps"]
    assert steps[2] == {"playType": "TTS", "voiceScriptStepType": 1, "phrase": "  an alert:  "}


def test_handling_names_carry_the_form_number(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(SAMPLE, tree)
    form_file = tree / "plan/forms/Alert/form.json"
    form = json.loads(form_file.read_text())
    form["layoutSections"].append({"sectionType": 4, "sectionItems": [
        {"property": {"baseType": 21, "name": ":system:handling:priority", "isSystem": True, "values": []}}]})
    form_file.rename(tree / "plan/forms/Alert/170366.json")
    (tree / "plan/forms/Alert/170366.json").write_text(json.dumps(form))
    assert main(["build", str(tree), "-o", str(tmp_path / "out")]) == 0
    docs = documents(tmp_path / "out" / "MinimalPlan.zip")
    handling = docs["forms/Alert/170366.json"]["layoutSections"][2]["sectionItems"][0]["property"]
    assert handling["name"] == ":system:handling:priority170366"


def test_values_come_from_the_values_file_and_set(built: Path, tmp_path: Path) -> None:
    assert documents(built)["integrations/integrations.json"]["endpoints"][0]["baseUrl"] == "https://api.example.com"
    out = tmp_path / "set"
    assert main(["build", str(SAMPLE), "-o", str(out), "--set", "plan_name=Other Plan",
                 "--set", "api_url=https://other.example.com"]) == 0
    docs = documents(out / "OtherPlan.zip")
    assert docs["engine.json"]["name"] == "Other Plan"
    assert docs["integrations/integrations.json"]["endpoints"][0]["baseUrl"] == "https://other.example.com"


def test_built_plan_round_trips(built: Path, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    assert main(["unpack", str(built), str(tree)]) == 0
    assert (tree / "scripts/integrations/Inbound Alert.js").read_text() == (
        SAMPLE / "scripts/integrations/Inbound Alert.js").read_text()
    assert "${property.Severity|lower}" in (tree / "plan/forms/Alert/email.en.html").read_text()
    assert main(["build", str(tree), "-o", str(tmp_path / "again")]) == 0
    assert (tmp_path / "again" / "MinimalPlan.zip").read_bytes() == built.read_bytes()


def test_built_plan_validates_clean(built: Path, capsys) -> None:
    assert main(["validate", str(built)]) == 0
    assert "0 error(s), 0 warning(s)" in capsys.readouterr().out


@pytest.mark.parametrize("era, present, absent", [
    ("E6", ["triggerType", "uuid"], []),
    ("E5", ["uuid"], ["triggerType"]),
    ("E2", ["isMobileEnabled"], ["triggerType"]),
])
def test_era_profile_decides_the_keys(era: str, present: list[str], absent: list[str], tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(SAMPLE, tree)
    (tree / "plan/xmplan.json").write_text(json.dumps({"era": era, "timestamp": "2019-02-03 04:05:06"}))
    assert main(["build", str(tree), "-o", str(tmp_path / "out")]) == 0
    docs = documents(tmp_path / "out" / "MinimalPlan.zip")
    form = next(v for k, v in docs.items() if k.startswith("forms/"))
    assert all(key in form for key in present) and not any(key in form for key in absent)
    props = docs["properties/properties.json"]
    assert all(("uuid" in p) == (era in ("E5", "E6")) for p in props)
    with zipfile.ZipFile(tmp_path / "out" / "MinimalPlan.zip") as archive:
        assert archive.infolist()[0].date_time == (2019, 2, 3, 4, 5, 6)


def test_a_bare_handling_section_gets_the_seven_standard_options(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(SAMPLE, tree)
    form_file = tree / "plan/forms/Alert/form.json"
    form = json.loads(form_file.read_text())
    form["layoutSections"].append({"sectionType": 4})
    form_file.write_text(json.dumps(form))
    assert main(["build", str(tree), "-o", str(tmp_path / "out")]) == 0
    (name, built_form), = [(k, v) for k, v in documents(tmp_path / "out" / "MinimalPlan.zip").items()
                           if k.startswith("forms/")]
    number = name.rsplit("/", 1)[1].removesuffix(".json")
    items = built_form["layoutSections"][2]["sectionItems"]
    assert [item["property"]["name"] for item in items] == [
        f":system:handling:{key}{number}" for key in ("priority", "duration", "overrideDeviceRestrictions",
                                                      "escalationOverride", "bypassPhoneIntro",
                                                      "requireAuthentication", "voiceMailOptions")]
    assert not any(item["isVisible"] for item in items)
    assert set(built_form["handlingOption"]) == {"voicemailNumRetries", "voicemailRetryInterval",
                                                 "voicemailNumRetriesId", "voicemailRetryIntervalId"}
    assert main(["validate", str(tmp_path / "out" / "MinimalPlan.zip")]) == 0


def test_unpack_into_the_empty_working_directory(built: Path, tmp_path: Path, monkeypatch) -> None:
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    assert main(["unpack", str(built), "."]) == 0
    assert Path.cwd() == here and (here / "plan" / "engine.json").is_file()  # the folder itself was kept


def test_unpack_force_replaces_the_plan_source_and_keeps_the_rest(built: Path, tmp_path: Path) -> None:
    """Updating a repository from a newer export: what the export no longer has goes away."""
    tree = tmp_path / "repo"
    assert main(["unpack", str(built), str(tree)]) == 0
    stale = [tree / "plan/forms/Old/form.json", tree / "scripts/integrations/Old.js"]
    mine = [tree / "README.md", tree / "tests/test_plan.py", tree / "plan/values.json", tree / "plan/.gitkeep",
            tree / "plan/forms/Alert/extra.json.j2", tree / "scripts/lib/.git/HEAD", tree / "scripts/.eslintrc.json"]
    for path in stale + mine:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}")
    assert main(["unpack", "--force", str(built), str(tree)]) == 0
    assert not any(path.exists() for path in stale) and not (tree / "plan/forms/Old").exists()
    assert all(path.exists() for path in mine)  # templates, values, hidden files and the rest are the user's
    (tree / "plan/forms/Alert/extra.json.j2").unlink()
    assert main(["build", str(tree), "-o", str(tmp_path / "again")]) == 0
    assert (tmp_path / "again" / built.name).read_bytes() == built.read_bytes()


def test_fill_returns_new_documents_and_leaves_its_input_alone() -> None:
    from xmplan._eras import fill
    from xmplan._model import Entry, Plan

    form = {"name": "Alert", "layoutSections": [], "messages": {"emailTemplates": [{"email": "x"}]}}
    plan = Plan((Entry("engine.json", {"name": "P"}), Entry("forms/Alert/form.json", form)))
    before = json.dumps([e.data for e in plan.entries], sort_keys=True)
    filled = fill(plan)
    assert json.dumps([e.data for e in plan.entries], sort_keys=True) == before
    assert "uuid" in filled.forms().__next__()[1] and "uuid" not in form


def test_fill_shares_the_documents_it_does_not_complete() -> None:
    from xmplan._eras import fill
    from xmplan._model import Entry, Plan

    canvas = {"name": "Main", "blocks": []}
    plan = Plan((Entry("engine.json", {"name": "P"}), Entry("canvases/Main.json", canvas)))
    filled = fill(plan)
    assert filled.get("canvases/Main.json") is canvas  # nothing to complete there: no copy
    assert filled.get("engine.json") is not plan.get("engine.json") and "version" not in plan.get("engine.json")


def test_resolving_file_references_returns_new_documents() -> None:
    from xmplan._source.reader import TreeReader
    from xmplan._source.resolve import resolve_files

    reader = TreeReader(Path("/nonexistent"))
    reader.rendered["scripts/a.js"] = "var a = 1;"
    reader.__dict__["file_set"] = frozenset()
    data = {"integrations": [{"name": "A", "script": {"$file": "scripts/a.js"}}], "endpoints": []}
    text = json.dumps(data)
    resolved = resolve_files(reader, data, "integrations/integrations.json", "plan/integrations/integrations.json",
                             text)
    assert resolved["integrations"][0]["script"] == "var a = 1;"
    assert data["integrations"][0]["script"] == {"$file": "scripts/a.js"}
    assert resolved["endpoints"] is data["endpoints"]
