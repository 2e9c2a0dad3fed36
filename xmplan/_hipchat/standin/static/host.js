/*
 * The HipChat page's half of the postMessage bridge (HipChat stand-in, a test double): answers the
 * calls an add-on iframe makes through all.js, and only from that iframe and its origin.
 */
(function () {
  'use strict';
  var PROTOCOL = 'hipchat-standin-bridge';
  var csrf = document.querySelector('meta[name="csrf-token"]').content;

  function post(url, body) {
    return fetch(url, {method: 'POST', headers: {'X-CSRF-Token': csrf, 'Content-Type': 'application/x-www-form-urlencoded'},
                       body: body || ''}).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) { throw new Error(data.error || ('HTTP ' + r.status)); }
        return data;
      });
    });
  }

  // opts: {tokenUrl, user, room, dialog: {update, updatePrimaryAction, close} or null}
  function connect(iframe, opts) {
    var origin = new URL(iframe.src, location.href).origin;
    function listener(e) {
      if (e.source !== iframe.contentWindow || e.origin !== origin) { return; }
      var m = e.data;
      if (!m || m.protocol !== PROTOCOL || !m.method) { return; }
      function reply(error, result) {
        e.source.postMessage({protocol: PROTOCOL, reply: m.id, error: error, result: result}, origin);
      }
      var d = opts.dialog;
      switch (m.method) {
        case 'auth.withToken':
          post(opts.tokenUrl).then(function (data) { reply(null, {token: data.token}); },
                                   function (err) { reply(err.message); });
          break;
        case 'user.getCurrentUser': reply(null, opts.user); break;
        case 'room.getRoomDetails':
          if (opts.room) { reply(null, opts.room); } else { reply('This page is not in a room'); }
          break;
        case 'room.getParticipants': reply(null, opts.participants || []); break;
        case 'dialog.update': if (d) { d.update(m.args); } reply(null, true); break;
        case 'dialog.updatePrimaryAction': if (d) { d.updatePrimaryAction(m.args); } reply(null, true); break;
        case 'dialog.close': if (d) { d.close(); } reply(null, true); break;
        default: reply('HipChat.' + m.method + ' is not emulated by the stand-in');
      }
    }
    window.addEventListener('message', listener);
    return {
      send: function (event, data) { iframe.contentWindow.postMessage({protocol: PROTOCOL, event: event, data: data}, origin); },
      disconnect: function () { window.removeEventListener('message', listener); }
    };
  }

  window.StandinHost = {connect: connect, post: post};
})();
