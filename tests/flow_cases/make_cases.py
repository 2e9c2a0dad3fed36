"""Writes tests/validate_cases/flow_wiring (a small clean flow plan) and one copy per wiring check,
each with one planted defect. Run from the repo root: python tests/flow_cases/make_cases.py
(the cases are committed; this says how they were made). Needs the corpus for the base plan."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "validate_cases"
BASE = (ROOT.parent / "shared/corpus/plans"
        / "ipugh-xm__xm-labs-steps-slack-slash-command__SlackSlashCommandSteps__20200219-c474c076.zip")
T, S, SH, M, E = ("9060387d-8736-4b29-91b1-f8ca3ae406ee", "5a7e0c61-3f1e-4c2b-9a51-1d2b3c4d5e01",
                  "5a7e0c61-3f1e-4c2b-9a51-1d2b3c4d5e02", "5a7e0c61-3f1e-4c2b-9a51-1d2b3c4d5e03",
                  "af2bcd1d-77f0-4117-ae21-85cb98df52ba")
CASE, PROP, ITEM, STEP, IN, OUT, MOUT = ("5a7e0c61-3f1e-4c2b-9a51-1d2b3c4d5e10", "5a7e0c61-3f1e-4c2b-9a51-1d2b3c4d5e11",
                                         "5a7e0c61-3f1e-4c2b-9a51-1d2b3c4d5e12", "5a7e0c61-3f1e-4c2b-9a51-1d2b3c4d5e13",
                                         "5a7e0c61-3f1e-4c2b-9a51-1d2b3c4d5e14", "5a7e0c61-3f1e-4c2b-9a51-1d2b3c4d5e15",
                                         "5a7e0c61-3f1e-4c2b-9a51-1d2b3c4d5e16")


def load(path: Path) -> object:
    return json.loads(path.read_text(encoding="utf-8"))


def dump(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def clean(target: Path) -> None:
    subprocess.run([sys.executable, "-m", "xmplan", "unpack", str(BASE), str(target)], check=True, cwd=ROOT)
    plan = target / "plan"
    dump(plan / "properties/properties.json", [{"baseType": 3, "name": "Message", "defaultValue": "",
                                                 "description": "", "helpText": "", "isSystem": False, "uuid": PROP}])
    form_file = next((plan / "forms").rglob("*.json"))
    form = load(form_file)
    form["layoutSections"].append({"sectionType": 1, "isVisible": True, "isCollapsed": False, "order": 0,
                                   "panelSectionUuid": "5a7e0c61-3f1e-4c2b-9a51-1d2b3c4d5e17", "sectionItems": [
        {"id": ITEM, "order": 0, "textIsMultiLine": False, "persist_missing_values": False,
         "lenient_list_values": False, "isRequired": False, "isVisible": True, "isIncludeInCallbacks": False,
         "panelSectionItemUuid": ITEM, "propertyName": "Message"}]})
    dump(form_file, form)
    steps = load(plan / "integrations/scriptSteps.json")
    (target / "scripts/steps/Shout.js").write_text("output['loud'] = input['text'].toUpperCase() + '!';\n")
    steps.append({"id": STEP, "name": "Shout", "description": "Upper-cases a text", "icon": "/static/images/x.png",
                  "script": {"$file": "scripts/steps/Shout.js"}, "allowedEnvironment": "HOSTED",
                  "accessibleByAll": "NotShared", "scriptStepType": "USER",
                  "inputs": [{"id": IN, "name": "text", "helpText": "", "defaultValue": "", "multiline": False,
                              "required": True, "validationRegex": "", "maxLength": 2000, "minLength": 0,
                              "position": 0}],
                  "outputs": [{"id": OUT, "name": "loud", "position": 0}]})
    dump(plan / "integrations/scriptSteps.json", steps)
    canvas_file = next((plan / "canvases").glob("*.json"))
    canvas = load(canvas_file)
    assert isinstance(canvas, dict)
    pres = "{}"
    canvas["blocks"] = [
        canvas["blocks"][0],
        {"id": S, "label": "Urgent?", "environment": "HOSTED", "presentation": pres, "stepType": "SWITCH",
         "inputMappings": [{"inputPort": "input", "mapping": f"${{{T}.command}}"}],
         "switchCases": [{"caseId": CASE, "caseValue": "/page"}]},
        {"id": SH, "label": "Shout", "environment": "HOSTED", "presentation": pres, "step": STEP,
         "stepType": "SCRIPT_STEP", "inputMappings": [{"inputPort": "input", "mapping": f"${{{T}.text}}",
                                                       "stepInput": IN}]},
        {"id": M, "label": "Merge", "environment": "HOSTED", "presentation": pres, "stepType": "MERGE",
         "inputMappings": [{"inputPort": SH, "mapping": f"${{{SH}.loud}}", "outputId": MOUT},
                           {"inputPort": S, "mapping": f"${{{T}.text}}", "outputId": MOUT}],
         "mergeOutputs": [{"outputId": MOUT, "name": "Message", "order": 0}]},
        {**canvas["blocks"][1], "inputMappings": [
            {"inputPort": "input", "mapping": f"${{{M}.Message}} (from ${{{T}.user_name}})", "sectionItemKey": PROP},
            {"inputPort": "input", "mapping": f"${{{T}.user_name}}", "sectionItemKey": "recipients"}]},
    ]
    canvas["edges"] = [
        {"fromBlock": T, "fromPort": "output", "toBlock": S, "toPort": "input"},
        {"fromBlock": S, "fromPort": CASE, "toBlock": SH, "toPort": "input"},
        {"fromBlock": S, "fromPort": "output", "toBlock": M, "toPort": S},
        {"fromBlock": SH, "fromPort": "output", "toBlock": M, "toPort": SH},
        {"fromBlock": M, "fromPort": "output", "toBlock": E, "toPort": "input"},
    ]
    dump(canvas_file, canvas)


def edit_json(folder: Path, relative: str, change) -> None:  # type: ignore[no-untyped-def]
    path = folder / relative
    data = load(path)
    change(data)
    dump(path, data)


def canvas(folder: Path, change) -> None:  # type: ignore[no-untyped-def]
    edit_json(folder, "plan/canvases/SlackSlashCommand.json", change)


DEFECTS = {
    "step-input-name": lambda f: (f / "scripts/steps/Shout.js").write_text(
        "output['loud'] = input['txt'].toUpperCase() + '!';\n"),
    "step-output-name": lambda f: (f / "scripts/steps/Shout.js").write_text(
        "output['Loud'] = input['text'].toUpperCase() + '!';\n"),
    "mapping-step-input": lambda f: canvas(f, lambda c: c["blocks"][2]["inputMappings"][0].update(
        stepInput="5a7e0c61-3f1e-4c2b-9a51-1d2b3c4d5eff")),
    "mapping-block": lambda f: canvas(f, lambda c: c["blocks"][2]["inputMappings"][0].update(
        mapping=f"${{{E}.event.id}}")),
    "mapping-output": lambda f: canvas(f, lambda c: c["blocks"][3]["inputMappings"][0].update(
        mapping=f"${{{SH}.shouted}}")),
    "edge-port": lambda f: canvas(f, lambda c: c["edges"][4].update(fromPort="5a7e0c61-3f1e-4c2b-9a51-1d2b3c4d5eee")),
    "switch-case": lambda f: canvas(f, lambda c: c["edges"][1].update(fromPort="5a7e0c61-3f1e-4c2b-9a51-1d2b3c4d5edd")),
    "section-item-key": lambda f: canvas(f, lambda c: c["blocks"][4]["inputMappings"][0].update(
        sectionItemKey="5a7e0c61-3f1e-4c2b-9a51-1d2b3c4d5ecc")),
    "flow-trigger": lambda f: edit_json(f, "plan/integrations/integrations.json",
                                        lambda d: d["integrations"][0].pop("integrationScriptStepUuid")),
}


def main() -> None:
    base = CASES / "flow_wiring"
    shutil.rmtree(base, ignore_errors=True)
    clean(base)
    for rule, plant in DEFECTS.items():
        target = CASES / f"flow_{rule.replace('-', '_')}"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(base, target)
        plant(target)
    for folder in [base, *(CASES / f"flow_{r.replace('-', '_')}" for r in DEFECTS)]:
        (folder / ".gitattributes").unlink(missing_ok=True)
        shown = subprocess.run([sys.executable, "-m", "xmplan", "validate", folder.name], cwd=CASES,
                               capture_output=True, text=True)
        (folder / "expected.txt").write_text(shown.stdout, encoding="utf-8")


if __name__ == "__main__":
    main()
