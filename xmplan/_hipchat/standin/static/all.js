/*
 * HipChat's JavaScript API for add-on pages, as served by the HipChat stand-in (a test double).
 * The page runs in an iframe on the add-on's origin; every call travels to the HipChat page around
 * it with postMessage, addressed to the origin this script came from, as HipChat's bridge did.
 */
(function () {
  'use strict';
  var PROTOCOL = 'hipchat-standin-bridge';
  var script = document.currentScript;
  var hostOrigin = new URL(script ? script.src : document.referrer).origin;
  var pending = {};
  var nextId = 1;
  var handlers = {};

  function call(method, args, callback) {
    var id = nextId++;
    if (callback) { pending[id] = callback; }
    window.parent.postMessage({protocol: PROTOCOL, id: id, method: method, args: args || {}}, hostOrigin);
  }

  function dispatch(name, data) {
    var listeners = handlers[name] || [];
    if (name === 'dialog-button-click') {
      var closed = false;
      var closeDialog = function (close) {
        if (close !== false && !closed) { closed = true; call('dialog.close'); }
      };
      // Without a listener a secondary button (Cancel, Close) just closes the dialog.
      if (!listeners.length && !data.primary) { closeDialog(true); }
      listeners.forEach(function (fn) { fn(data, closeDialog); });
      return;
    }
    listeners.forEach(function (fn) { fn(data); });
  }

  window.addEventListener('message', function (e) {
    if (e.source !== window.parent || e.origin !== hostOrigin) { return; }
    var m = e.data;
    if (!m || m.protocol !== PROTOCOL) { return; }
    if (m.reply) {
      var callback = pending[m.reply];
      delete pending[m.reply];
      if (callback) { callback(m.error || null, m.result); }
    } else if (m.event) {
      dispatch(m.event, m.data || {});
    }
  });

  function callbackOf(fn) { return typeof fn === 'function' ? fn : null; }

  window.HipChat = {
    register: function (map) {
      Object.keys(map || {}).forEach(function (name) {
        (handlers[name] = handlers[name] || []).push(map[name]);
      });
    },
    auth: {
      withToken: function (fn) {
        call('auth.withToken', {}, function (err, result) { fn(err, result ? result.token : undefined); });
      }
    },
    dialog: {
      update: function (options) { call('dialog.update', options || {}); },
      updatePrimaryAction: function (options) { call('dialog.updatePrimaryAction', options || {}); },
      close: function () { call('dialog.close'); },
      open: function (options) { call('dialog.open', options || {}); }
    },
    user: {
      getCurrentUser: function (fn) { call('user.getCurrentUser', {}, callbackOf(fn)); }
    },
    room: {
      getRoomDetails: function (fn) { call('room.getRoomDetails', {}, callbackOf(fn)); },
      getParticipants: function (fn) { call('room.getParticipants', {}, callbackOf(fn)); }
    }
  };
})();
