// Progressive enhancement for the patient pages. Every page works without this file.
// - idle-timeout warning one minute before the session ends, with "Stay signed in"
// - drafts of messages and requests kept in this browser (per record) and restored
// - a character counter for message bodies; one submission per click
// No inline script is used anywhere (CSP script-src 'self').
(function () {
  'use strict';
  var body = document.body;
  if (!body) return;
  var live = document.getElementById('live-status');
  function announce(text) {
    if (!live || !text) return;
    live.textContent = '';
    setTimeout(function () { live.textContent = text; }, 50);
  }

  // ---------- drafts ----------
  var scope = body.getAttribute('data-draft-scope');
  var DRAFT_DAYS = 7;
  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }
  function draftKey(name) { return 'portal-draft:' + scope + ':' + name; }
  function draftFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      if (!el.name || el.name === '_csrf' || el.disabled) return false;
      var type = (el.type || '').toLowerCase();
      return type !== 'hidden' && type !== 'file' && type !== 'submit' && type !== 'button';
    });
  }
  function saveDraft(form) {
    var store = storage();
    if (!store || !scope) return;
    var values = {};
    var any = false;
    draftFields(form).forEach(function (el) {
      if (el.type === 'radio') { if (el.checked) values[el.name] = el.value; return; }
      values[el.name] = el.value;
      if (el.tagName === 'TEXTAREA' || el.type === 'text') { if (el.value.trim() !== '') any = true; }
    });
    try {
      if (any) store.setItem(draftKey(form.getAttribute('data-draft')), JSON.stringify({ at: Date.now(), values: values }));
      else store.removeItem(draftKey(form.getAttribute('data-draft')));
    } catch (e) { /* storage full or blocked: the server copy is the fallback */ }
  }
  function restoreDraft(form) {
    var store = storage();
    if (!store || !scope) return;
    var raw = store.getItem(draftKey(form.getAttribute('data-draft')));
    if (!raw) return;
    var draft;
    try { draft = JSON.parse(raw); } catch (e) { store.removeItem(draftKey(form.getAttribute('data-draft'))); return; }
    if (!draft || !draft.values || Date.now() - draft.at > DRAFT_DAYS * 86400000) { store.removeItem(draftKey(form.getAttribute('data-draft'))); return; }
    var fields = draftFields(form);
    // The server re-showed what was typed (e.g. after a correction): that copy wins.
    var typed = fields.some(function (el) { return (el.tagName === 'TEXTAREA' || el.type === 'text') && el.value.trim() !== ''; });
    if (typed) return;
    fields.forEach(function (el) {
      if (!(el.name in draft.values)) return;
      if (el.type === 'radio') el.checked = draft.values[el.name] === el.value;
      else el.value = draft.values[el.name];
    });
    announce(live && live.getAttribute('data-restored'));
  }
  var toClear = (body.getAttribute('data-clear-drafts') || '').split(/\s+/).filter(Boolean);
  toClear.forEach(function (name) { var s = storage(); if (s && scope) s.removeItem(draftKey(name)); });

  Array.prototype.forEach.call(document.querySelectorAll('form[data-draft]'), function (form) {
    restoreDraft(form);
    var timer = null;
    form.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () { saveDraft(form); }, 300);
    });
    form.addEventListener('change', function () { saveDraft(form); });
    form.addEventListener('submit', function () { saveDraft(form); });
  });
  // Signing out on purpose: leave no message text behind on a shared computer.
  Array.prototype.forEach.call(document.querySelectorAll('form.signout'), function (form) {
    form.addEventListener('submit', function () {
      var store = storage();
      if (!store || !scope) return;
      for (var i = store.length - 1; i >= 0; i--) {
        var k = store.key(i);
        if (k && k.indexOf('portal-draft:' + scope + ':') === 0) store.removeItem(k);
      }
    });
  });

  // ---------- character counters ----------
  Array.prototype.forEach.call(document.querySelectorAll('textarea[data-counter]'), function (area) {
    var out = document.getElementById(area.getAttribute('data-counter'));
    if (!out) return;
    var template = out.getAttribute('data-template') || '{n}';
    var max = Number(area.getAttribute('maxlength')) || 0;
    var warned = false;
    function update() {
      var n = area.value.length;
      out.textContent = template.replace('{n}', String(n));
      // Announce once when close to the limit, not on every key press.
      if (max && n >= max * 0.9 && !warned) { warned = true; announce(out.textContent); }
      if (max && n < max * 0.9) warned = false;
    }
    out.hidden = false;
    update();
    area.addEventListener('input', update);
  });

  // ---------- one submission per click, with a visible busy state ----------
  Array.prototype.forEach.call(document.querySelectorAll('form[data-busy]'), function (form) {
    form.addEventListener('submit', function (event) {
      if (form.getAttribute('data-submitting') === '1') { event.preventDefault(); return; }
      form.setAttribute('data-submitting', '1');
      var button = form.querySelector('button[type="submit"]');
      if (button) {
        button.setAttribute('aria-busy', 'true');
        var sending = live && live.getAttribute('data-sending');
        if (sending && form.getAttribute('data-draft')) button.textContent = sending;
      }
      // If the browser stays on the page (e.g. download or back), allow another try.
      setTimeout(function () { form.removeAttribute('data-submitting'); if (button) button.removeAttribute('aria-busy'); }, 15000);
    });
  });

  // ---------- idle timeout ----------
  if (body.getAttribute('data-session') !== 'active' || !window.fetch) return;
  var dialog = document.getElementById('idle-dialog');
  var stay = document.getElementById('idle-stay');
  var WARN_MS = 60000;
  var warnTimer = null;
  var endTimer = null;

  function sessionInfo(passive) {
    return fetch(passive ? '/api/session?passive=1' : '/api/session', { credentials: 'same-origin', headers: { Accept: 'application/json' } }).then(function (res) {
      if (res.status === 401) return { ended: true };
      if (!res.ok) return null;
      var serverNow = Date.parse(res.headers.get('date') || '') || Date.now();
      return res.json().then(function (s) {
        var idle = Date.parse(s.idleExpiresAt);
        var hard = Date.parse(s.expiresAt);
        var end = Math.min(isNaN(idle) ? Infinity : idle, isNaN(hard) ? Infinity : hard);
        return isFinite(end) ? { remaining: end - serverNow } : null;
      });
    }).catch(function () { return null; });
  }
  var leaving = false;
  function ended() {
    // A timer and a return to the tab can both find the session ended: leave once, or the second
    // navigation aborts the first.
    if (leaving) return;
    leaving = true;
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    Array.prototype.forEach.call(document.querySelectorAll('form[data-draft]'), saveDraft);
    window.location.assign('/session-ended');
  }
  function closeDialog() {
    if (dialog && dialog.open) dialog.close();
  }
  function schedule(info) {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    if (!info) return;
    if (info.ended) { ended(); return; }
    warnTimer = setTimeout(warn, Math.max(0, info.remaining - WARN_MS));
    endTimer = setTimeout(function () {
      sessionInfo(true).then(function (again) {
        if (again && !again.ended && again.remaining > 5000) { closeDialog(); schedule(again); }
        else ended();
      });
    }, Math.max(0, info.remaining + 1000));
  }
  function warn() {
    // Another tab may have kept the session alive: ask again before interrupting.
    sessionInfo(true).then(function (info) {
      if (!info) return;
      if (info.ended) { ended(); return; }
      if (info.remaining > WARN_MS + 10000) { schedule(info); return; }
      if (dialog && typeof dialog.showModal === 'function' && !dialog.open) {
        dialog.showModal();
        if (stay) stay.focus();
      }
    });
  }
  function keepAlive() {
    sessionInfo(false).then(function (info) {
      closeDialog();
      if (info && !info.ended) announce(live && live.getAttribute('data-stayed'));
      schedule(info);
    });
  }
  if (stay) stay.addEventListener('click', keepAlive);
  // Escape closes the dialog; treat it as "stay signed in" rather than losing the session.
  if (dialog) dialog.addEventListener('cancel', function (event) { event.preventDefault(); keepAlive(); });
  sessionInfo(true).then(schedule);
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible') sessionInfo(true).then(schedule);
  });
})();
