// The invite dialog: live recipient lookup (debounced, cancelable) and Send Invite, the dialog's primary action.
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("invite-config").textContent);
  var box = document.getElementById("recipient");
  var list = document.getElementById("results");
  var status = document.getElementById("lookup-status");
  var pickedBox = document.getElementById("picked");
  var description = document.getElementById("description");
  var count = document.getElementById("count");
  var result = document.getElementById("result");
  var picked = [];
  var timer = null;
  var pending = null;
  var sending = false;
  var hc = window.HipChat;

  // Calls to our back end carry a fresh JWT from HipChat; outside HipChat, the one the page was opened with.
  function token() {
    if (hc && hc.auth && typeof hc.auth.withToken === "function") {
      return new Promise(function (resolve, reject) {
        hc.auth.withToken(function (err, t) { if (err) { reject(err); } else { resolve(t); } });
      });
    }
    return Promise.resolve(cfg.token);
  }

  function call(url, options) {
    return token().then(function (t) {
      options.headers = Object.assign({"Authorization": "JWT " + t}, options.headers || {});
      return fetch(url, options);
    }).then(function (response) {
      return response.json().catch(function () { return {error: "The add-on answered HTTP " + response.status + "."}; })
        .then(function (body) { return {ok: response.ok, body: body}; });
    });
  }

  function show(items) {
    list.textContent = "";
    items.forEach(function (item, index) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = "result-" + index;
      var name = document.createElement("span");
      name.className = "name";
      name.textContent = item.name;
      var target = document.createElement("span");
      target.className = "hint target";
      target.textContent = " " + item.targetName;
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = item.type;
      li.appendChild(name); li.appendChild(target); li.appendChild(kind);
      li.addEventListener("mousedown", function (e) { e.preventDefault(); pick(item); });
      list.appendChild(li);
    });
    box.setAttribute("aria-expanded", items.length ? "true" : "false");
  }

  function lookup() {
    var text = box.value.trim();
    if (pending) { pending.abort(); pending = null; }  // only the newest query may answer
    if (text.length < cfg.minQuery) { show([]); status.textContent = ""; return; }
    var controller = new AbortController();
    pending = controller;
    status.textContent = "Searching…";
    call(cfg.lookupUrl + "?q=" + encodeURIComponent(text), {signal: controller.signal}).then(function (r) {
      if (pending !== controller) { return; }
      pending = null;
      if (!r.ok) { show([]); status.textContent = r.body.error || "The lookup failed."; return; }
      show(r.body.results);
      status.textContent = r.body.results.length ? "" : "No xMatters user or group matches “" + text + "”.";
    }).catch(function (err) {
      if (err && err.name === "AbortError") { return; }
      if (pending === controller) { pending = null; status.textContent = "The lookup failed: " + err; }
    });
  }

  function renderPicked() {
    pickedBox.textContent = "";
    picked.forEach(function (item, index) {
      var chip = document.createElement("span");
      chip.className = "chip";
      chip.textContent = item.name + " (" + item.type + ")";
      var remove = document.createElement("button");
      remove.type = "button";
      remove.setAttribute("aria-label", "Remove " + item.name);
      remove.textContent = "×";
      remove.addEventListener("click", function () { picked.splice(index, 1); renderPicked(); });
      chip.appendChild(remove);
      pickedBox.appendChild(chip);
    });
  }

  function pick(item) {
    var known = picked.some(function (p) { return p.id === item.id && p.type === item.type; });
    if (!known && picked.length < cfg.maxRecipients) { picked.push(item); }
    renderPicked();
    box.value = ""; show([]); status.textContent = "";
    box.focus();
  }

  function counted() {
    var n = Array.from(description.value.trim()).length;  // characters, not UTF-16 units, as the plan counts
    count.textContent = String(n);
    count.parentNode.className = n > cfg.limit ? "hint error" : "hint";
    return n;
  }

  function say(text, ok) { result.textContent = text; result.className = ok ? "notice" : "error"; }

  function send(done) {
    if (sending) { return; }
    var n = counted();
    if (!picked.length) { say("Pick at least one xMatters user or group.", false); return; }
    if (!n) { say("Describe why you invite them.", false); return; }
    if (n > cfg.limit) { say("The description is " + n + " characters long; the limit is " + cfg.limit + ".", false); return; }
    sending = true;
    say("Sending…", true);
    var body = {recipients: picked.map(function (p) { return {id: p.id, type: p.type}; }), message: description.value};
    call(cfg.sendUrl, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)})
      .then(function (r) {
        sending = false;
        if (r.ok) {
          say("Sent: xMatters request " + r.body.requestId + " invites " + r.body.recipients + " recipient(s).", true);
          picked = []; renderPicked(); description.value = ""; counted();
          if (done) { done(); }
        } else { say(r.body.error || "Sending failed.", false); }
      }).catch(function (err) { sending = false; say("Sending failed: " + err, false); });
  }

  box.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(lookup, 250); });
  box.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && list.firstChild) { e.preventDefault(); list.firstChild.dispatchEvent(new MouseEvent("mousedown")); }
    if (e.key === "Escape") { show([]); }
  });
  description.addEventListener("input", counted);

  if (hc && typeof hc.register === "function") {
    hc.register({
      "dialog-button-click": function (event, closeDialog) {
        // Sent: leave the confirmation up long enough to read, then close; on an error the dialog stays open.
        if (event.action === cfg.sendKey) {
          send(function () { setTimeout(function () { closeDialog(true); }, 1500); });
        } else { closeDialog(true); }
      }
    });
  } else {
    var button = document.getElementById("send");  // opened outside HipChat: no dialog buttons, so offer one here
    button.hidden = false;
    button.addEventListener("click", function () { send(); });
  }
  window.xmattersInvite = {send: send, pick: pick, picked: function () { return picked.slice(); }};
})();
