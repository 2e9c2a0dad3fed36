"""Time the JavaScript engines on a 150-line inbound script and on a moment.js shared library, against V8.

Usage: python bench/runtime.py [--runs N]. For each engine: cold (new engine, empty caches) and
warm (median per run) times; js2py also with its disk translation cache filled. V8 (mini-racer,
when installed) runs the same scripts with a JS stand-in host function, both in one reused context
("warm", V8's best case, globals leak between runs) and in a new isolate per run ("fresh").
moment.js is read at run time from the first corpus plan in ../shared whose
integrations/sharedfunctions.json holds it; that part is skipped when the corpus is absent.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Callable

from xmplan.runtime.engine import HOST_GLOBAL, Script
from xmplan.runtime.engines import available_engines

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "plans"

# A minimal stand-in for the host engineer's prelude: IB objects over the one host function.
STAND_IN_PRELUDE = f"""
var __libs = {{}}, __modules = {{}};
function __call(op, value) {{ return JSON.parse({HOST_GLOBAL}(op, JSON.stringify(value))); }}
var console = {{ log: function (m) {{ __call('console.log', String(m)); }} }};
var form = {{ post: function (trigger) {{ return __call('form.post', trigger); }} }};
function require(name) {{
  if (!__modules[name]) {{
    var module = {{ exports: {{}} }};
    __modules[name] = module;
    __libs[name].call(module.exports, module, module.exports, require);
  }}
  return __modules[name].exports;
}}
"""

INBOUND_BODY = """
var payload = JSON.parse(request.body);
var alerts = payload.alerts || [];
var severityRank = { critical: 1, major: 2, minor: 3, warning: 4, info: 5 };

function pad(n, width) {
  var s = String(n);
  while (s.length < width) {
    s = '0' + s;
  }
  return s;
}

function formatTime(epochSeconds) {
  var d = new Date(epochSeconds * 1000);
  return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1, 2) + '-' + pad(d.getUTCDate(), 2) +
    ' ' + pad(d.getUTCHours(), 2) + ':' + pad(d.getUTCMinutes(), 2);
}

function normaliseSeverity(value) {
  var key = String(value || 'info').toLowerCase();
  if (!severityRank.hasOwnProperty(key)) {
    key = 'info';
  }
  return key;
}

function escapeHtml(text) {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function summarise(items) {
  var counts = {};
  for (var i = 0; i < items.length; i++) {
    var sev = items[i].severity;
    counts[sev] = (counts[sev] || 0) + 1;
  }
  var parts = [];
  for (var key in counts) {
    if (counts.hasOwnProperty(key)) {
      parts.push(key + ': ' + counts[key]);
    }
  }
  parts.sort();
  return parts.join(', ');
}

function buildTable(items) {
  var rows = ['<table>', '<tr><th>Host</th><th>Check</th><th>Severity</th><th>Since</th></tr>'];
  for (var i = 0; i < items.length; i++) {
    var a = items[i];
    rows.push('<tr><td>' + escapeHtml(a.host) + '</td><td>' + escapeHtml(a.check) + '</td><td>' +
      a.severity.toUpperCase() + '</td><td>' + formatTime(a.since) + '</td></tr>');
  }
  rows.push('</table>');
  return rows.join('\\n');
}

var normalised = [];
for (var i = 0; i < alerts.length; i++) {
  var raw = alerts[i];
  if (!raw || !raw.host) {
    continue;
  }
  normalised.push({
    host: raw.host.toLowerCase(),
    check: raw.check || 'unknown',
    severity: normaliseSeverity(raw.severity),
    since: raw.since || payload.timestamp,
    tags: (raw.tags || []).map(function (t) { return String(t).trim(); }).filter(function (t) { return t; })
  });
}

normalised.sort(function (a, b) {
  var bySeverity = severityRank[a.severity] - severityRank[b.severity];
  return bySeverity !== 0 ? bySeverity : (a.host < b.host ? -1 : a.host > b.host ? 1 : 0);
});

if (normalised.length === 0) {
  console.log('No alerts in payload; nothing to do.');
  return;
}

var worst = normalised[0];
var hosts = [];
var seenHosts = {};
normalised.forEach(function (a) {
  if (!seenHosts[a.host]) {
    seenHosts[a.host] = true;
    hosts.push(a.host);
  }
});

var allTags = [];
for (var j = 0; j < normalised.length; j++) {
  for (var k = 0; k < normalised[j].tags.length; k++) {
    if (allTags.indexOf(normalised[j].tags[k]) < 0) {
      allTags.push(normalised[j].tags[k]);
    }
  }
}

function groupByHost(items) {
  var groups = {};
  for (var i = 0; i < items.length; i++) {
    var key = items[i].host;
    if (!groups[key]) {
      groups[key] = [];
    }
    groups[key].push(items[i].check + ' (' + items[i].severity + ')');
  }
  return groups;
}

var groups = groupByHost(normalised);
var lines = [];
for (var h = 0; h < hosts.length; h++) {
  lines.push(hosts[h] + ': ' + groups[hosts[h]].join(', '));
}
var textSummary = lines.join('\\n');

var trigger = {
  properties: {
    'Text': textSummary,
    'Summary': worst.severity.toUpperCase() + ' on ' + worst.host + ': ' + worst.check,
    'Severity': worst.severity,
    'Hosts': hosts.join(', '),
    'Counts': summarise(normalised),
    'Tags': allTags.join(';'),
    'Details': buildTable(normalised),
    'Source': payload.source || 'monitoring'
  },
  recipients: [{ targetName: payload.team || 'Operations' }],
  priority: worst.severity === 'critical' ? 'HIGH' : 'MEDIUM'
};

if (payload.conference) {
  trigger.conference = { bridgeId: String(payload.conference), type: 'BRIDGE' };
}

var response = form.post(trigger);
if (response.statusCode >= 300) {
  throw new Error('form.post failed with ' + response.statusCode);
}
var answer = JSON.parse(response.body);
console.log('Created event ' + answer.id + ' with ' + normalised.length + ' alerts for ' + hosts.length + ' hosts');
"""


def inbound_scripts(count: int = 3) -> list[Script]:
    alerts = [{"host": f"Web{i % 7}.example.com", "check": f"check_{i % 5}", "since": 1700000000 + 60 * i,
               "severity": ["CRITICAL", "major", "minor", "warning", "info"][i % 5], "tags": [" prod ", "eu", ""]}
              for i in range(count)]
    body = json.dumps({"alerts": alerts, "timestamp": 1700000000, "team": "Ops", "conference": 12345})
    wrapped = "(function (request, form, console, require) {" + INBOUND_BODY + "\n})(" + json.dumps({"body": body}) \
        + ", form, console, require);"
    return [*_prelude(), Script("scripts/integrations/Inbound.js", wrapped)]


def _prelude() -> list[Script]:
    # The real prelude (xmplan/runtime/prelude.js) needs the host engineer's Python host behind
    # it; until the bench can call that host, the stand-in keeps the engines comparable.
    return [Script("prelude/stand-in.js", STAND_IN_PRELUDE)]


def moment_source() -> tuple[str, str] | None:
    if not CORPUS.is_dir():
        return None
    for plan in sorted(CORPUS.glob("*.zip")):
        with zipfile.ZipFile(plan) as zf:
            for name in zf.namelist():
                if name.endswith("integrations/sharedfunctions.json"):
                    for lib in json.loads(zf.read(name)):
                        if lib.get("name") == "moment" and "moment" in lib.get("script", ""):
                            return plan.name, lib["script"]
    return None


def moment_scripts(source: str) -> list[Script]:
    library = "__libs['moment'] = function (module, exports, require) {" + source + "\n};"
    use = ("(function (console, require) {\nvar moment = require('moment');\n"
           "var m = moment.utc(1700000000000).add(3, 'days').startOf('day');\n"
           "console.log(m.format('YYYY-MM-DD HH:mm') + ' ' + m.toISOString());\n})(console, require);")
    return [*_prelude(), Script("shared/moment.js", library), Script("scripts/integrations/UsesMoment.js", use)]


def host(operation: str, json_text: str) -> str:
    if operation == "form.post":
        return json.dumps({"statusCode": 200, "body": json.dumps({"id": "evt-1"})})
    return "{}"


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def bench_engine(name: str, scripts: list[Script], runs: int) -> dict[str, float]:
    from xmplan.runtime.engines import _create

    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as cache:
        os.environ["XMPLAN_CACHE_DIR"] = cache
        engine = _create(name)
        results["cold"] = timed(lambda: engine.run(scripts, host, time_limit=120))
        warm = [timed(lambda: engine.run(scripts, host, time_limit=120)) for _ in range(runs)]
        results["warm"] = statistics.median(warm)
        if name == "js2py":
            results["cold, disk cache"] = timed(lambda: _create(name).run(scripts, host, time_limit=120))
    return results


def bench_v8(scripts: list[Script], runs: int) -> dict[str, float] | None:
    try:
        from py_mini_racer import MiniRacer
    except ImportError:
        return None
    source = f"var {HOST_GLOBAL} = function (op, text) {{ return op === 'form.post' ? " \
             "JSON.stringify({statusCode: 200, body: JSON.stringify({id: 'evt-1'})}) : '{}'; };\n"
    code = source + "\n".join(s.text for s in scripts) + "\n;void 0;"
    started = time.perf_counter()
    ctx = MiniRacer()
    ctx.eval(code)
    cold = (time.perf_counter() - started) * 1000
    warm = [timed(lambda: ctx.eval(code)) for _ in range(runs)]
    fresh = [timed(lambda: MiniRacer().eval(code)) for _ in range(max(3, runs // 4))]
    return {"cold": cold, "warm": statistics.median(warm), "fresh": statistics.median(fresh)}


def report(title: str, scripts: list[Script], runs: int) -> None:
    print(f"\n== {title} ({sum(s.text.count(chr(10)) + 1 for s in scripts)} lines, "
          f"{sum(len(s.text) for s in scripts) // 1024} KiB, median of {runs} warm runs)")
    v8 = bench_v8(scripts, runs)
    for name in available_engines():
        try:
            times = bench_engine(name, scripts, runs)
        except Exception as err:  # noqa: BLE001 - a bench reports failures and goes on
            print(f"  {name:8} failed: {str(err).splitlines()[0]}")
            continue
        ratio = f"  ({times['warm'] / v8['warm']:.1f}x V8 warm, {times['warm'] / v8['fresh']:.2f}x V8 fresh)" if v8 else ""
        print(f"  {name:8} " + ", ".join(f"{k} {v:8.2f} ms" for k, v in times.items()) + ratio)
    if v8:
        print(f"  {'v8':8} cold {v8['cold']:8.2f} ms, warm {v8['warm']:8.2f} ms (reused context), "
              f"fresh {v8['fresh']:8.2f} ms (new isolate per run, as isolation needs)")
    else:
        print("  v8       skipped: mini-racer not installed")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    print(f"Python {sys.version.split()[0]}; prelude: stand-in")
    inbound = inbound_scripts()
    assert INBOUND_BODY.count("\n") >= 145, "the inbound script should be about 150 lines"
    report("150-line inbound script, webhook with 3 alerts", inbound, args.runs)
    report("same script, 40 alerts", inbound_scripts(40), max(3, args.runs // 4))
    found = moment_source()
    if found is None:
        print("\n== moment.js: skipped (no ../shared corpus plan with moment in sharedfunctions.json)")
    else:
        report(f"moment.js shared library from {found[0]}", moment_scripts(found[1]), max(3, args.runs // 4))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
