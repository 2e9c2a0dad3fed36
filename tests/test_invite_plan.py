"""The flagship Invite to Room plan: it builds, validates, round-trips and has the shape of a real E6 export."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pytest
from conftest import CORPUS, xmplan_cli

from xmplan._export import build_tree

ROOT = Path(__file__).parents[1]
ZIP_NAME = "HipChatInvitetoRoom.zip"
ENTRY_ORDER = ["engine.json", "properties/properties.json", "forms/", "integrations/integrations.json",
               "integrations/sharedfunctions.json", "integrations/scriptSteps.json",
               "integrations/triggerFilters.json", "canvases/"]




@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tree(ROOT, tmp_path_factory.mktemp("dist"), {})


@pytest.fixture(scope="module")
def entries(built: Path) -> dict[str, object]:
    with zipfile.ZipFile(built) as archive:
        return {name: json.loads(archive.read(name)) for name in archive.namelist()}


def test_plan_builds_under_its_name(built: Path) -> None:
    assert built.name == ZIP_NAME


def test_building_twice_gives_identical_bytes(built: Path, tmp_path: Path) -> None:
    assert build_tree(ROOT, tmp_path, {}).read_bytes() == built.read_bytes()


def test_built_plan_validates_without_warnings(built: Path) -> None:
    assert xmplan_cli("validate", str(built)) == (0, f"{built}: 0 error(s), 0 warning(s)\n", "")


def test_source_tree_validates_without_warnings() -> None:
    code, out, _ = xmplan_cli("validate", str(ROOT))
    assert (code, out.splitlines()[-1]) == (0, f"{ROOT}: 0 error(s), 0 warning(s)")


def test_unpack_then_build_round_trips_byte_for_byte(built: Path, tmp_path: Path) -> None:
    assert xmplan_cli("unpack", str(built), str(tmp_path / "src"))[0] == 0
    assert xmplan_cli("build", str(tmp_path / "src"), "-o", str(tmp_path / "again"))[0] == 0
    assert (tmp_path / "again" / ZIP_NAME).read_bytes() == built.read_bytes()


def test_zip_container_is_written_like_the_java_exporter(built: Path) -> None:
    with zipfile.ZipFile(built) as archive:
        infos = archive.infolist()
    assert all((i.compress_type, i.create_system, i.flag_bits & 0x0808) == (8, 0, 0x0808) for i in infos)
    assert not any(i.filename.endswith("/") for i in infos)
    names = [i.filename for i in infos]
    ranks = [next(n for n, prefix in enumerate(ENTRY_ORDER) if name.startswith(prefix)) for name in names]
    assert ranks == sorted(ranks)


def _form(entries: dict) -> dict:
    [form] = [data for name, data in entries.items() if name.startswith("forms/InvitetoRoom/")]
    return form


def test_form_is_enabled_for_web_ui_and_web_services(entries: dict) -> None:
    form = _form(entries)
    assert (form["name"], form["isActive"], form["isREST"], form["triggerType"]) == ("Invite to Room", True, True,
                                                                                      "MESSAGING")
    sections = {s["sectionType"]: s for s in form["layoutSections"]}
    assert set(sections) == {1, 2}
    assert [i["propertyName"] for i in sections[1]["sectionItems"]] == [
        "Room Name", "Room ID", "Room Link", "Message", "Invited By"]
    callbacks = {i["propertyName"] for i in sections[1]["sectionItems"] if i["isIncludeInCallbacks"]}
    assert {"Room ID", "Room Name"} <= callbacks


def test_messages_reference_form_items_and_read_well(entries: dict) -> None:
    form = _form(entries)
    items = {i["id"].upper(): i["propertyName"] for s in form["layoutSections"] for i in s["sectionItems"]}
    messages = form["messages"]
    texts = [messages["emailTemplates"][0]["emailSubject"], messages["emailTemplates"][0]["email"],
             messages["smsTemplates"][0]["sms"]]
    for text in texts:
        assert "${property." not in text
        for ref in (part.split("}")[0] for part in text.split("${")[1:]):
            assert ref in items or ref.startswith("event."), ref
    sms = messages["smsTemplates"][0]["sms"]
    fixed_text = "".join(part.split("}", 1)[-1] for part in sms.split("${"))
    assert len(fixed_text) <= 80  # leaves room in one SMS for the room name, inviter and message
    steps = messages["internationalVoiceScriptSteps"][0]["voiceScriptSteps"]
    assert {s["propertyName"] for s in steps if s["voiceScriptStepType"] == 2} == {"Room Name", "Invited By", "Message"}


def test_responses_accept_and_decline(entries: dict) -> None:
    responses = [(r["textResponse"], r["contribution"], r["action"], r["isAllowComments"], r["digit"])
                 for r in _form(entries)["responses"]]
    assert responses == [("Accept", "POSITIVE", "STOP_NOTIFYING_TARGET", True, 1),
                         ("Decline", "NEGATIVE", "ESCALATE", True, 2)]


def test_integrations_endpoint_and_blank_token(entries: dict) -> None:
    doc = entries["integrations/integrations.json"]
    form_uuid = _form(entries)["uuid"]
    inbound, outbound = doc["integrations"]
    assert (inbound["name"], inbound["action"], inbound["type"], inbound["authType"], inbound["createdBy"],
            inbound["environment"], inbound["form"]) == ("Invite to Room", "CREATE_EVENT", "INBOUND_WEBHOOK",
                                                         "BASIC", "IB", "HOSTED", form_uuid)
    assert (outbound["type"], outbound["triggeredBy"], outbound["action"], outbound["form"]) == (
        "OUTBOUND_WEBHOOK", "RESPONSE", "RUN_SCRIPT", form_uuid)
    assert doc["endpoints"] == [{"name": "HipChat", "baseUrl": "https://hipchat.example.com", "type": "EXTERNAL",
                                 "authentication": "NO_AUTH"}]
    constants = {c["name"]: c["value"] for c in doc["constants"]}
    assert constants == {"HipChat Token": "", "HipChat URL": "https://hipchat.example.com"}
    assert [lib["name"] for lib in entries["integrations/sharedfunctions.json"]] == ["HipChat", "Invite Payload"]


def test_no_token_lands_in_the_zip_even_when_one_is_offered(tmp_path: Path) -> None:
    path = build_tree(ROOT, tmp_path, {"hipchat_token": "s3cret-token", "HipChat Token": "s3cret-token"})
    with zipfile.ZipFile(path) as archive:
        text = "".join(archive.read(n).decode("utf-8") for n in archive.namelist())
        doc = json.loads(archive.read("integrations/integrations.json"))
    assert "s3cret-token" not in text
    assert {c["name"]: c["value"] for c in doc["constants"]}["HipChat Token"] == ""


def test_values_can_be_overridden(tmp_path: Path) -> None:
    path = build_tree(ROOT, tmp_path, {"plan_name": "Acme Invite", "hipchat_url": "https://chat.acme.test"})
    assert path.name == "AcmeInvite.zip"
    with zipfile.ZipFile(path) as archive:
        engine = json.loads(archive.read("engine.json"))
        doc = json.loads(archive.read("integrations/integrations.json"))
    assert engine["name"] == "Acme Invite"
    assert doc["endpoints"][0]["baseUrl"] == "https://chat.acme.test"
    assert {c["name"]: c["value"] for c in doc["constants"]}["HipChat URL"] == "https://chat.acme.test"


# --- shape against real exports of the same era (E6: engine 1.9, exported 2020-05-20 or later) -------------

def _kind(entry: str) -> str:
    return "forms" if entry.startswith("forms/") else entry


def key_sequences(entry: str, data: object, path: str = "") -> set[tuple[str, tuple[str, ...]]]:
    """(object path, its keys in order) for every object in a document; arrays add `[]`."""
    found: set[tuple[str, tuple[str, ...]]] = set()
    where = f"{_kind(entry)}:{path}"
    if isinstance(data, dict):
        variant = ""
        if "baseType" in data and not path.endswith("property"):
            variant = f"{{baseType={data['baseType']}}}"
        elif "voiceScriptStepType" in data:
            variant = f"{{step={data['voiceScriptStepType']}}}"
        elif "type" in data and "action" in data:
            variant = f"{{{data['type']}}}"
        found.add((where + variant, tuple(data)))
        for key, value in data.items():
            found |= key_sequences(entry, value, f"{path}.{key}")
    elif isinstance(data, list):
        for item in data:
            found |= key_sequences(entry, item, path + "[]")
    return found


@pytest.fixture(scope="module")
def corpus_e6() -> dict[str, set[tuple[str, ...]]]:
    index = CORPUS / "INDEX.tsv"
    if not index.exists():
        pytest.skip("../shared/corpus is not available")
    seen: dict[str, set[tuple[str, ...]]] = {}
    with index.open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle, delimiter="\t")
                if r["engine_version"] == "1.9" and r["export_time_utc"] >= "2020-05-20"
                and r["zip_producer"] == "xmatters-export"]
    for row in rows:
        with zipfile.ZipFile(CORPUS / row["file"]) as archive:
            for name in archive.namelist():
                if name.endswith(".json") and not name.startswith("canvases/"):
                    for path, keys in key_sequences(name, json.loads(archive.read(name))):
                        seen.setdefault(path, set()).add(keys)
    return seen


@pytest.mark.corpus
def test_every_object_has_the_keys_and_order_of_a_real_e6_export(entries: dict, corpus_e6: dict) -> None:
    ours = set().union(*(key_sequences(name, data) for name, data in entries.items()))
    unmatched = sorted(f"{path} {list(keys)}" for path, keys in ours if keys not in corpus_e6.get(path, set()))
    assert unmatched == []
