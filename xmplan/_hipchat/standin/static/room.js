/* The room page of the HipChat stand-in (a test double): messages, the + menu, authorization, dialogs. */
(function () {
  'use strict';
  var bridge = window.STANDIN_BRIDGE;
  var roomId = bridge.room.id;
  var base = '/chat/room/' + roomId;
  var $ = function (id) { return document.getElementById(id); };
  var messages = $('messages');
  var plus = $('plus');
  var menu = $('plus-menu');

  function scrollDown() { messages.scrollTop = messages.scrollHeight; }
  var shown = messages.innerHTML;
  function refresh() {
    fetch(base + '/messages').then(function (r) { return r.text(); }).then(function (html) {
      if (html !== shown) { shown = html; messages.innerHTML = html; scrollDown(); }
    }).catch(function () {});
  }
  setInterval(refresh, 700);
  scrollDown();

  $('composer').addEventListener('submit', function (e) {
    e.preventDefault();
    var input = $('message-input');
    if (!input.value.trim()) { return; }
    StandinHost.post(base + '/messages', 'message=' + encodeURIComponent(input.value)).catch(function () {});
    input.value = '';
    setTimeout(refresh, 100);
  });

  function toggleMenu(open) {
    menu.hidden = !open;
    plus.setAttribute('aria-expanded', String(open));
  }
  plus.addEventListener('click', function () { toggleMenu(menu.hidden); });
  document.addEventListener('click', function (e) {
    if (!menu.hidden && !menu.contains(e.target) && e.target !== plus) { toggleMenu(false); }
  });

  var pendingAction = null;
  function openAction(oauthId, actionKey) {
    toggleMenu(false);
    var url = base + '/actions/' + encodeURIComponent(oauthId) + '/' + encodeURIComponent(actionKey);
    StandinHost.post(url).then(function (data) {
      if (data.authorize) { askAuthorization(oauthId, actionKey, data.authorize); } else { openDialog(oauthId, data.dialog); }
    }, function (err) { alert(err.message); });
  }
  Array.prototype.forEach.call(menu.querySelectorAll('li[data-action]'), function (item) {
    item.addEventListener('click', function () { openAction(item.dataset.oauthId, item.dataset.action); });
    item.addEventListener('keydown', function (e) { if (e.key === 'Enter') { openAction(item.dataset.oauthId, item.dataset.action); } });
  });

  // The first use in a room asks the user to let the integration act here.
  function askAuthorization(oauthId, actionKey, info) {
    pendingAction = [oauthId, actionKey];
    var box = $('authorize');
    $('authorize-title').textContent = 'Authorize ' + info.name + ' Integration';
    box.querySelector('.authorize-text').textContent = info.name + ' (' + info.description +
      ') would like to access ' + bridge.room.name + ' on your behalf:';
    var list = box.querySelector('.authorize-scopes');
    list.textContent = '';
    info.scopes.forEach(function (s) { var li = document.createElement('li'); li.textContent = s; list.appendChild(li); });
    box.hidden = false;
  }
  $('grant').addEventListener('click', function () {
    var action = pendingAction;
    StandinHost.post(base + '/authorize/' + encodeURIComponent(action[0])).then(function () {
      $('authorize').hidden = true;
      openAction(action[0], action[1]);
    });
  });
  $('authorize-cancel').addEventListener('click', function (e) { e.preventDefault(); $('authorize').hidden = true; });

  var current = null;
  function name(n) { return n && (n.value || n) || ''; }
  function openDialog(oauthId, spec) {
    closeDialog();
    var box = $('dialog');
    $('dialog-title').textContent = spec.title;
    $('dialog-hint').textContent = spec.hint || '';
    var modal = box.querySelector('.modal');
    modal.style.width = spec.width;
    modal.classList.toggle('warning', spec.style === 'warning');
    var frame = document.createElement('iframe');
    frame.id = 'dialog-frame';
    frame.title = spec.title;
    frame.style.height = spec.height;
    frame.src = spec.url;
    $('dialog-frame-wrap').appendChild(frame);
    var buttons = $('dialog-buttons');
    buttons.textContent = '';
    (spec.secondary || []).forEach(function (action) { buttons.appendChild(button(action, false)); });
    var primary = spec.primary ? button(spec.primary, true) : null;
    if (primary) { buttons.appendChild(primary); }
    var controls = {
      update: function (options) {
        if (options.title) { $('dialog-title').textContent = name(options.title); }
        if (options.options && options.options.size && options.options.size.height) {
          frame.style.height = options.options.size.height;
        }
        if (options.options && options.options.primaryAction && primary) { controls.updatePrimaryAction(options.options.primaryAction); }
      },
      updatePrimaryAction: function (options) {
        if (!primary) { return; }
        if (options.enabled !== undefined) { primary.disabled = !options.enabled; }
        if (options.name) { primary.textContent = name(options.name); }
      },
      close: closeDialog
    };
    var link = StandinHost.connect(frame, {tokenUrl: base + '/token/' + encodeURIComponent(oauthId),
                                           user: bridge.user, room: bridge.room, dialog: controls});
    current = {link: link};
    function button(action, isPrimary) {
      var b = document.createElement('button');
      b.type = 'button';
      b.textContent = name(action.name);
      b.className = isPrimary ? 'primary' : 'link';
      if (isPrimary && action.enabled === false) { b.disabled = true; }
      b.addEventListener('click', function () {
        // HipChat told the page which button it was; a default Close has no key.
        if (!action.key && !isPrimary) { closeDialog(); return; }
        link.send('dialog-button-click', {action: action.key || 'primary-action-selected', primary: isPrimary});
      });
      return b;
    }
    box.hidden = false;
  }
  function closeDialog() {
    if (current) { current.link.disconnect(); current = null; }
    $('dialog-frame-wrap').textContent = '';
    $('dialog').hidden = true;
  }
})();
