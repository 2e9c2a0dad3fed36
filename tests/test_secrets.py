"""Secret checks both ways: placeholders are not secrets; webhook URLs and literal credential headers are."""

from __future__ import annotations

import pytest
from conftest import CORPUS

from xmplan._secrets import is_placeholder, secret_in_url
from xmplan._validate import validate_path
from xmplan._validate.leaks import script_leaks

RALLY = CORPUS / "xmatters__xm-labs-CA-Agile-Central-Rally__CAAgileCentralRally__20170724-64333931.zip"
TRELLO = CORPUS / "ipugh-xm__xm-labs-steps-trello__TrelloSteps__20200626-35a98cba.zip"
INCOMPLETE_GROUPS = CORPUS / "xMTinkerer__xm-labs-incomplete-groups__IncompleteGroups.zip"


@pytest.mark.parametrize("value", ["TOKEN_GOES_HERE", "<your token>", "changeme", "change-me", "[INSERT API KEY HERE]",
                                   "Bearer [INSERT API KEY HERE]", "api token here", "API-KEY-HERE", "${TOKEN}",
                                   "{{token}}", "xxxxxxxx", "********", "YOUR_API_KEY", "API Token", "", "  ",
                                   "THE ENCRYPTED PASSWORD AS CREATED BY THE IAPASSWORD UTILITY."])
def test_placeholders(value):
    assert is_placeholder(value)


@pytest.mark.parametrize("value", ["Qz7RkW2mTa9LxP4bNc8VdE", "Bearer eyJrIjoiTGE5c2oz", "hunter2",
                                   "ZSESSIONID=_G0HXXXXXQ9yLnbnLP8sp9XXXXXTsEiOtWFD", "s3cr3t-here-x"])
def test_secrets_are_not_placeholders(value):
    assert not is_placeholder(value)


@pytest.mark.parametrize(("text", "kind"), [
    ("https://hooks.slack.com/services/T0FAKE001/B0FAKE002/q1W2e3R4t5Y6u7I8o9P0aSdF", "a Slack webhook URL"),
    ("post to https://hooks.slack.com/workflows/T0FAKE001/A0FAKE/123456/abcdefABCDEF1234", "a Slack webhook URL"),
    ("https://contoso.webhook.office.com/webhookb2/1c2d3e4f-1111@0a1b/IncomingWebhook/0f1e2d3c4b5a69788796a5b4c3d2e1f0/x",
     "a Microsoft Teams webhook URL"),
    ("https://outlook.office.com/webhook/1c2d3e4f-1111-2222-3333-444455556666@0a1b/IncomingWebhook/0f1e2d3c",
     "a Microsoft Teams webhook URL"),
    ("https://discord.com/api/webhooks/123456789012/AbCdEfGhIjKlMnOpQrStUvWx", "a Discord webhook URL"),
    ("https://x.logic.azure.com/workflows/1/invoke?api-version=2016-06-01&sig=Zm9vYmFyYmF6cXV4MTIz",
     "a URL with a secret `sig=` value"),
    ("/api/integration/1/functions/6dc33533-90f5-4fc2-b959-d9e82ff739f9/triggers?apiKey=5bf63cba-e4e6-4ed4-83f7-4c75",
     "a URL with a secret `apiKey=` value"),
    ("https://api.example.com/hook?token=9f8e7d6c5b4a3f2e1d0c", "a URL with a secret `token=` value"),
    ("https://api.example.com/v1/k/Zx81Ka0PqLm2Nb7Vc4Xs9Dd3Ff6Gg", "a URL with a long random path segment"),
    # No secret: placeholders, ids, words, an empty value the script appends to.
    ("https://hooks.slack.com/services/<your webhook>", None),
    ("https://hooks.slack.com/services/XXXXXXXXX/XXXXXXXXX/XXXXXXXXXXXXXXXXXXXXXXXX", None),
    ("/api/xm/1/forms/6dc33533-90f5-4fc2-b959-d9e82ff739f9/triggers", None),
    ("/api/integration/1/functions/UUID/triggers?apiKey=API_KEY", None),
    ("https://company.xmatters.com/api/xm/1/people?search=jsmith&offset=100", None),
    ("conversations.invite?token=", None),
    ("https://docs.example.com/integrations/configuring-the-integration-builder-endpoints", None),
])
def test_secret_urls(text, kind):
    assert secret_in_url(text) == kind
    if kind:
        assert "q1W2" not in kind and "Zm9v" not in kind  # messages never repeat the secret


def leaks(script):
    return [(leak.rule, leak.line, leak.column) for leak in script_leaks(script)]


def test_literal_credential_headers_in_pairs_and_assignments():
    script = ("var h = {'Authorization': 'Basic dXNlcjpwYXNzd29yZA==', 'Content-Type': 'application/json'};\n"
              "h.Cookie = 'ZSESSIONID=' + 'abc123def456';\n"
              "h['x-cachet-token'] = `FeV7abc123`;")
    assert leaks(script) == [("secret-header", 1, 10), ("secret-header", 2, 1), ("secret-header", 3, 1)]


def test_computed_and_placeholder_headers_are_fine():
    script = ("var h = {Authorization: 'Bearer ' + constants['Token'], Cookie: `sid=${sid}`,\n"
              "         'X-API-Key': input['API Key'], Authorization2: 'Bearer abc123def',\n"
              "         Authorization: 'Bearer [INSERT API KEY HERE]', 'Content-Type': 'text/plain'};")
    assert leaks(script) == []


def test_urls_in_script_literals():
    script = ("var a = 'https://hooks.slack.com/services/T0FAKE001/B0FAKE002/q1W2e3R4t5Y6u7I8o9P0aSdF';\n"
              "// https://hooks.slack.com/services/T0FAKE001/B0FAKE002/q1W2e3R4t5Y6u7I8o9P0aSdF in a comment\n"
              "var b = `https://hooks.slack.com/services/${team}/${hook}`;")
    assert leaks(script) == [("secret-url", 1, 9)]


def _rules(plan, rule):
    if not plan.is_file():
        pytest.skip(f"needs {plan}")
    return [p for p in validate_path(plan, {}) if p.rule == rule]


@pytest.mark.corpus
def test_rally_cookie_is_a_hard_coded_secret():
    [problem] = _rules(RALLY, "secret-header")
    assert problem.message.startswith("header 'Cookie' is set to a value written into the script")
    assert "ZSESSIONID" not in problem.message
    assert problem.message.endswith("(in integration 'CA Agile Central - Change State')")  # a zip: say which script


@pytest.mark.corpus
def test_trello_placeholders_are_not_secrets():
    assert _rules(TRELLO, "constant-secret") == []  # 'Trello API Key': '<api key>', 'Trello API Token': '<api token>'


@pytest.mark.corpus
def test_an_integration_url_with_its_api_key_is_a_secret():
    [problem] = _rules(INCOMPLETE_GROUPS, "secret-url")
    assert "constant 'HTTP Trigger Path' holds a URL with a secret `apiKey=` value" in problem.message


@pytest.mark.parametrize("text", ["a/" * 50_000, "https://x.example/" + "a/" * 50_000, "/" * 80_000,
                                  "https://" + "a?" * 50_000, "?" + "&key=" * 30_000])
def test_long_texts_are_read_in_one_pass(text):
    assert secret_in_url(text) is None  # each took minutes with a pattern that backtracked over slashes


def test_a_header_value_thousands_of_parts_deep():
    script = "var h = {Authorization: 'Basic '" + " + 'ab'" * 5000 + "};"
    assert leaks(script) == [("secret-header", 1, 10)]
