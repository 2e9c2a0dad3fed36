"""Rule `unreferenced-file`: a file of a source tree that nothing refers to is a warning, in validate and build."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from xmplan._cli import main
from xmplan._errors import Problem
from xmplan._export import build_tree
from xmplan._validate import validate_path

SAMPLE = Path(__file__).parent / "samples" / "minimal"
LEFT_OUT = "warning: nothing refers to this file, so the build leaves it out of the zip"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """The minimal sample with a French email its form lacks and a script no integration names."""
    root = tmp_path / "tree"
    shutil.copytree(SAMPLE, root)
    (root / "plan" / "forms" / "Alert" / "email.fr.html").write_text("<p>Alerte : ${property.Summary}</p>\n", "utf-8")
    (root / "scripts" / "integrations" / "Unused.js").write_text("console.log('never run');\n", "utf-8")
    return root


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out, err=out)
    return code, out.getvalue()


EXPECTED = [
    f"plan/forms/Alert/email.fr.html: {LEFT_OUT}: form 'Alert' has no email message in 'fr'; to add one, put "
    '{"languageCode": "fr", "emailSubject": "...", "email": {"$file": "plan/forms/Alert/email.fr.html"}} in '
    "messages.emailTemplates of plan/forms/Alert/form.json [unreferenced-file]",
    f"scripts/integrations/Unused.js: {LEFT_OUT}: to use it, make it an integration's script in "
    'plan/integrations/integrations.json: {"$file": "scripts/integrations/Unused.js"} [unreferenced-file]',
]


def test_validate_names_each_file_nothing_refers_to(tree: Path) -> None:
    code, output = run("validate", str(tree))
    assert code == 0
    assert output == "".join(f"{tree}/{line}\n" for line in EXPECTED) + f"{tree}: 0 error(s), 2 warning(s)\n"


def test_build_prints_them_and_builds(tree: Path, tmp_path: Path) -> None:
    code, output = run("build", str(tree), "-o", str(tmp_path / "dist"))
    assert code == 0
    built = tmp_path / "dist" / "MinimalPlan.zip"
    assert output.splitlines() == [f"{tree}/{line}" for line in EXPECTED] + [f"built {built}"]
    # The files are left out: the zip is the one the sample without them gives.
    assert built.read_bytes() == build_tree(SAMPLE, tmp_path / "sample").read_bytes()


def test_the_build_api_hands_each_warning_over(tree: Path, tmp_path: Path) -> None:
    seen: list[Problem] = []
    path = build_tree(tree, tmp_path / "dist", on_warning=seen.append)
    assert path.is_file()
    assert [(p.severity, p.rule, Path(p.location.file).name) for p in seen] == [
        ("warning", "unreferenced-file", "email.fr.html"), ("warning", "unreferenced-file", "Unused.js")]


def test_set_to_error_it_stops_the_build(tree: Path, tmp_path: Path) -> None:
    code, output = run("build", str(tree), "-o", str(tmp_path / "dist"), "--rule", "unreferenced-file=error")
    assert code == 1
    assert "email.fr.html: error: nothing refers to this file" in output
    assert not (tmp_path / "dist").exists()


def test_the_message_once_the_form_has_that_language(tree: Path) -> None:
    form = tree / "plan" / "forms" / "Alert" / "form.json"
    form.write_text(form.read_text("utf-8").replace(
        '"emailTemplates": [', '"emailTemplates": [{"languageCode": "fr", "emailSubject": "Alerte", "email": "x"}, '),
        "utf-8")
    problems = [str(p) for p in validate_path(tree, {}) if "email.fr.html" in p.location.file]
    assert problems == [f"{tree}/plan/forms/Alert/email.fr.html: {LEFT_OUT}: form 'Alert' has its email message in "
                        "'fr' elsewhere (messages.emailTemplates in plan/forms/Alert/form.json) [unreferenced-file]"]


def test_what_templates_include_and_what_refers_to_a_template_is_used(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    shutil.copytree(SAMPLE, root)
    sms = root / "plan" / "forms" / "Alert" / "sms.en.txt"
    shutil.move(sms, sms.with_name("sms.en.txt.j2"))  # `{"$file": ".../sms.en.txt"}` now reads the template
    (root / "plan" / "forms" / "Alert" / "footer.txt").write_text("-- sent by xMatters\n", "utf-8")
    email = root / "plan" / "forms" / "Alert" / "email.en.html"
    shutil.move(email, email.with_name("email.en.html.j2"))
    email.with_name("email.en.html.j2").write_text('<p>Alert</p>\n{% include "plan/forms/Alert/footer.txt" %}', "utf-8")
    assert [p for p in validate_path(root, {}) if p.rule == "unreferenced-file"] == []


def test_a_file_with_a_problem_of_its_own_is_not_reported_twice(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    shutil.copytree(SAMPLE, root)
    (root / "plan" / "notes.json").write_text("{}", "utf-8")
    assert [p.rule for p in validate_path(root, {}) if p.location.file.endswith("notes.json")] == ["unknown-file"]


def test_a_form_that_does_not_read_leaves_its_messages_unreported(tmp_path: Path) -> None:
    # The form names its message files; while it is invalid JSON they would all look unreferenced.
    root = tmp_path / "tree"
    shutil.copytree(SAMPLE, root)
    form = root / "plan" / "forms" / "Alert" / "form.json"
    form.write_text(form.read_text("utf-8").replace('"emailTemplates": [', '"emailTemplates": [,', 1), "utf-8")
    assert [p.rule for p in validate_path(root, {})] == ["json-syntax"]
