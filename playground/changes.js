// mlcat playground: the live feed (playground/changes.html). Subscribes to `entityChanged`
// over mlcat's WebSocket (/api/graphql/ws, graphql-transport-ws: connection_init, then
// subscribe), lists each change as it comes, newest first, and resubscribes with the chosen
// entity type as the filter. With access tokens on, the token goes in connection_init's
// payload (a browser cannot set headers on a WebSocket): the one entered here or in the
// lineage view, kept for this browser tab. Loaded after dom.js.

var TOKEN_KEY = 'mlcat:lineage:token'; // shared with the lineage view
var MAX_ROWS = 500; // older rows are dropped, so a long-open page stays light
var QUERY = 'subscription($filter: ChangeFilter) { entityChanged(filter: $filter) ' +
  '{ cursor urn type entityTypeName aspect version kind actor time } }';

var live = { socket: null, id: 0, count: 0, retry: null };

function token() {
  try { return window.sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
}

function setStatus(text, state) {
  var el = document.getElementById('status');
  el.textContent = text;
  if (state) { el.setAttribute('data-state', state); } else { el.removeAttribute('data-state'); }
}

function filter() {
  var type = document.getElementById('type').value;
  return type ? { entityTypes: [type] } : null;
}

function subscribe() {
  var s = live.socket;
  if (!s || s.readyState !== WebSocket.OPEN || !live.acked) { return; }
  if (live.id) { s.send(JSON.stringify({ id: String(live.id), type: 'complete' })); }
  live.id += 1;
  s.send(JSON.stringify({ id: String(live.id), type: 'subscribe', payload: { query: QUERY, variables: { filter: filter() } } }));
  var type = document.getElementById('type');
  setStatus('Live: ' + (type.value ? type.options[type.selectedIndex].text : 'every entity type'), 'live');
}

function connect() {
  clearTimeout(live.retry);
  var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/api/graphql/ws';
  var s = new WebSocket(url, 'graphql-transport-ws');
  live.socket = s;
  live.acked = false;
  live.id = 0;
  setStatus('Connecting…');
  s.onopen = function () {
    var t = token();
    s.send(JSON.stringify({ type: 'connection_init', payload: t ? { Authorization: 'Bearer ' + t } : {} }));
  };
  s.onmessage = function (event) {
    var m;
    try { m = JSON.parse(event.data); } catch (e) { return; }
    if (m.type === 'connection_ack') { live.acked = true; subscribe(); }
    else if (m.type === 'ping') { s.send(JSON.stringify({ type: 'pong' })); }
    else if (m.type === 'next' && m.id === String(live.id)) {
      if (m.payload.errors) { setStatus(m.payload.errors[0].message, 'error'); return; }
      show(m.payload.data.entityChanged);
    } else if (m.type === 'error' && m.id === String(live.id)) {
      setStatus((m.payload[0] && m.payload[0].message) || 'the subscription was refused', 'error');
    }
  };
  s.onclose = function (event) {
    if (live.socket !== s) { return; }
    if (event.code === 4403) {
      setStatus('This mlcat needs an access token', 'error');
      tokenForm(event.reason);
      return;
    }
    setStatus('Disconnected; reconnecting…', 'error');
    live.retry = setTimeout(connect, 2000);
  };
}

function tokenForm(reason) {
  var area = document.getElementById('token-area');
  var input = h('input', { type: 'password', id: 'token', 'aria-label': 'Access token', placeholder: 'access token', autocomplete: 'off', style: 'flex:1 1 auto;padding:5px 8px' });
  clear(area).hidden = false;
  append(area, [
    h('div', null, 'This mlcat runs with access tokens (', reason || 'none was given', '). Enter one (create one with ',
      h('code', { text: 'mlcat token create --name … --scope read' }), '); it is kept for this browser tab only.'),
    h('form', { onsubmit: function (e) {
      e.preventDefault();
      try { window.sessionStorage.setItem(TOKEN_KEY, input.value.trim()); } catch (err) { /* kept for this page only */ }
      area.hidden = true;
      connect();
    } }, input, h('button', { class: 'btn btn-small', type: 'submit' }, 'Connect'))
  ]);
  input.focus();
}

function two(n, width) { return String(n).padStart(width || 2, '0'); }

function when(ms) {
  var d = new Date(ms);
  return two(d.getHours()) + ':' + two(d.getMinutes()) + ':' + two(d.getSeconds()) + '.' + two(d.getMilliseconds(), 3);
}

function show(c) {
  var body = document.getElementById('changes');
  document.getElementById('empty').hidden = true;
  var row = h('tr', { class: 'fresh', 'data-urn': c.urn, 'data-kind': c.kind },
    h('td', { class: 'when', title: new Date(c.time).toISOString() }, when(c.time)),
    h('td', null, h('span', { class: 'kind kind-' + c.kind }, c.kind.replace('_', ' ').toLowerCase())),
    h('td', null, c.entityTypeName),
    h('td', { class: 'urn' }, h('a', { href: '/playground/lineage?urn=' + encodeURIComponent(c.urn), title: 'Open its lineage' }, c.urn)),
    h('td', null, c.aspect || '(the whole entity)'),
    h('td', null, c.version === null || c.version === undefined ? '' : String(c.version)),
    h('td', null, c.actor));
  body.insertBefore(row, body.firstChild);
  while (body.children.length > MAX_ROWS) { body.removeChild(body.lastChild); }
  live.count += 1;
}

// The entity types, from the schema: the filter offers exactly what the server accepts.
function loadTypes() {
  var headers = { 'Content-Type': 'application/json' };
  var t = token();
  if (t) { headers.Authorization = 'Bearer ' + t; }
  return fetch('/api/graphql', {
    method: 'POST', headers: headers,
    body: JSON.stringify({ query: '{ __type(name: "EntityType") { enumValues { name description } } }' })
  }).then(function (r) { return r.json(); }).then(function (answer) {
    var values = (answer.data && answer.data.__type && answer.data.__type.enumValues) || [];
    var select = document.getElementById('type');
    values.forEach(function (v) {
      select.appendChild(h('option', { value: v.name, title: v.description || null }, v.name));
    });
  }).catch(function () { /* the filter keeps "All types"; the feed works without the list */ });
}

document.getElementById('type').addEventListener('change', subscribe);
document.getElementById('clear').addEventListener('click', function () {
  clear(document.getElementById('changes'));
  document.getElementById('empty').hidden = false;
});
loadTypes().then(connect);
