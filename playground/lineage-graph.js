// The lineage view (playground/lineage.html), part 1 of 2: drawing the graph. The entity types
// and relations it shows, small DOM helpers, the Graphviz layout and rendering of the server's
// answer (viz-global.js), the legend, highlighting, zoom and pan, and the SVG, DOT and Mermaid
// exports.
//
// Plain scripts, no modules: lineage.html loads lineage-graph.js and then lineage.js, and they
// share the page's global scope. Apart from setting up its constants and starting Graphviz, this
// file only defines functions; nothing runs until lineage.js calls init() on its last line, so
// each file may call what the other defines.
'use strict';

// Entity types in pipeline order (sources first), with the names a person
// reads and the names used in URNs (`urn:li:<urnName>:...`).
var TYPES = [
  { type: 'DATASET', label: 'Dataset', urnName: 'dataset', list: 'listDatasets', group: 'Datasets' },
  { type: 'SCHEMA_FIELD', label: 'Column', urnName: 'schemaField', list: null, group: null },
  { type: 'MLPRIMARY_KEY', label: 'Primary key', urnName: 'mlPrimaryKey', list: 'listMLPrimaryKeys', group: 'Primary keys' },
  { type: 'MLFEATURE', label: 'Feature', urnName: 'mlFeature', list: 'listMLFeatures', group: 'Features' },
  { type: 'MLFEATURE_TABLE', label: 'Feature table', urnName: 'mlFeatureTable', list: 'listMLFeatureTables', group: 'Feature tables' },
  { type: 'DATA_PROCESS_INSTANCE', label: 'Run', urnName: 'dataProcessInstance', list: null, group: null },
  { type: 'MLMODEL', label: 'Model', urnName: 'mlModel', list: 'listMLModels', group: 'Models' },
  { type: 'MLMODEL_GROUP', label: 'Model group', urnName: 'mlModelGroup', list: 'listMLModelGroups', group: 'Model groups' },
  { type: 'MLMODEL_DEPLOYMENT', label: 'Deployment', urnName: 'mlModelDeployment', list: 'listMLModelDeployments', group: 'Deployments' },
  { type: 'DATA_PLATFORM', label: 'Data platform', urnName: 'dataPlatform', list: null, group: null }
];
var TYPE_BY_NAME = {};
TYPES.forEach(function (t, i) { t.order = i; TYPE_BY_NAME[t.type] = t; });

function typeInfo(type) {
  return TYPE_BY_NAME[type] || { type: type, label: type ? String(type).toLowerCase() : 'entity', urnName: type || '?', order: 99 };
}

// What each relation means, read along the arrow (upstream -> downstream).
// The relations are the catalog's (DESIGN.md, "The lineage model").
var RELATIONS = {
  DownstreamOf: ['dataset → dataset, column → column', 'the right-hand dataset (or column) is built from the left-hand one'],
  DerivedFrom: ['dataset or column → feature or key', 'the feature (or key) is computed from the dataset or column'],
  Contains: ['feature → feature table', 'the feature table holds the feature'],
  KeyedBy: ['primary key → feature table', 'the table’s rows are identified by the key'],
  Consumes: ['feature → model, or data → run', 'the model takes the feature as input, or the run reads the data'],
  TrainedOn: ['dataset → model', 'the model was trained on the dataset'],
  TrainedBy: ['run → model', 'the run trained the model'],
  UsedBy: ['model → job', 'the job uses the model'],
  UpstreamOf: ['run → run', 'the right-hand run came after the left-hand one'],
  MemberOf: ['model → model group', 'the model is one version in the group'],
  DeployedTo: ['model → deployment', 'the deployment serves the model'],
  Produces: ['model or run → dataset', 'the model writes its predictions to the dataset, or the run writes it']
};

// ---------------------------------------------------------------- helpers

function $(id) { return document.getElementById(id); }

// h, append and clear come from dom.js, loaded before this file.

function plural(n, one, many) { return n + ' ' + (n === 1 ? one : many); }

function formatTime(ms) {
  var n = Number(ms);
  if (!isFinite(n) || n <= 0) { return String(ms); }
  return new Date(n).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

var toastTimer = null;
function toast(text) {
  var el = $('toast');
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(function () { el.hidden = true; }, 2600);
}

// -------------------------------------------------------- Graphviz (viz.js)

var vizReady = (window.Viz && typeof window.Viz.instance === 'function')
  ? window.Viz.instance()
  : Promise.reject(new Error('/playground/assets/viz-global.js did not load'));
vizReady.catch(function () { /* reported when a graph is drawn */ });

// The server's DOT, parsed by Graphviz itself (no layout), so the page
// draws every entity with exactly the shape and colour the API's DOT gives it.
function parseDot(viz, dot) {
  var result = viz.render(dot, { format: 'dot_json', engine: 'nop2' });
  if (result.status !== 'success') {
    throw new Error('Graphviz could not read the DOT: ' + result.errors.map(function (e) { return e.message; }).join('; '));
  }
  var json = JSON.parse(result.output);
  var byGvid = {};
  var nodes = {};
  (json.objects || []).forEach(function (o) { byGvid[o._gvid] = o; nodes[o.name] = o; });
  var edges = {};
  (json.edges || []).forEach(function (e) {
    var tail = byGvid[e.tail], head = byGvid[e.head];
    if (tail && head) { edges[tail.name + '\u0000' + head.name + '\u0000' + (e.label || '')] = e; }
  });
  return { graph: json, nodes: nodes, edges: edges };
}

// Attributes of a parsed object that describe its look (not its layout).
var LAYOUT_KEYS = { _gvid: 1, name: 1, label: 1, pos: 1, width: 1, height: 1, lp: 1, tail: 1, head: 1, bb: 1, _draw_: 1, _ldraw_: 1, _hdraw_: 1, _tdraw_: 1 };
function styleOf(obj) {
  var out = {};
  Object.keys(obj || {}).forEach(function (k) {
    if (!LAYOUT_KEYS[k] && typeof obj[k] !== 'object') { out[k] = obj[k]; }
  });
  return out;
}

function escapeHtmlLabel(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

// Split a long qualified name into lines after a '.' or '/' (else after
// '_' or '-') so a node stays narrow; every character is kept, so the
// label still reads as the name.
function wrapName(name, width) {
  var lines = [];
  var rest = name;
  function lastBreak(chars) {
    for (var i = Math.min(width, rest.length - 1); i > width / 3; i--) {
      if (chars.indexOf(rest.charAt(i - 1)) !== -1) { return i; }
    }
    return -1;
  }
  while (rest.length > width) {
    var cut = lastBreak('./');
    if (cut === -1) { cut = lastBreak('_-'); }
    if (cut === -1) { cut = width; }
    lines.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  lines.push(rest);
  return lines;
}

// A dataset name like "db.schema.table" or "bucket/dir/file.csv" reads
// best as a small qualifier above the table's own name.
function nameParts(node) {
  var name = node.name;
  if (node.type === 'DATASET') {
    // A path splits at its last '/', keeping the file's extension; a
    // dotted name at its last '.'.
    var slash = name.lastIndexOf('/');
    var cut = slash !== -1 ? slash : name.lastIndexOf('.');
    if (cut > 0 && cut < name.length - 1) {
      return { qualifier: name.slice(0, cut + 1), leaf: name.slice(cut + 1) };
    }
  }
  if (node.type === 'SCHEMA_FIELD') {
    // Inside its dataset's box a column is its path; alone, its table and path.
    var parts = typeof columnParts === 'function' ? columnParts(node.urn) : null;
    if (parts && state.data && state.data.clusters && state.data.clusters[parts.dataset]) {
      return { qualifier: '', leaf: parts.path };
    }
  }
  return { qualifier: '', leaf: name };
}

function platformOf(node) {
  var e = node.entity;
  return e && e.platform && e.platform.name || '';
}

// A model's version label (`versionProperties.version.versionTag`), as `v2`; '' when none.
function versionOf(node) {
  var e = node.entity;
  var tag = e && e.versionProperties && e.versionProperties.version && e.versionProperties.version.versionTag;
  if (!tag) { return ''; }
  return /^[0-9]/.test(tag) ? 'v' + tag : String(tag);
}

// A run's latest state: running, or how it ended; null for anything else or a run with no
// events.
function runStatus(node) {
  var e = node.entity;
  var last = e && e.state && e.state[0];
  if (!last) { return null; }
  if (last.status === 'STARTED') { return { text: 'RUNNING', color: '#1d4ed8' }; }
  var result = last.result && last.result.resultType;
  if (result === 'SUCCESS') { return { text: 'SUCCESS', color: '#15803d' }; }
  if (result === 'FAILURE') { return { text: 'FAILED', color: '#b91c1c' }; }
  return { text: result || 'COMPLETE', color: '#475569' };
}

// Whether the entity is marked deprecated (its `deprecation` aspect).
function isDeprecated(node) {
  var e = node && node.entity;
  return !!(e && e.deprecation && e.deprecation.deprecated);
}

function nodeLabel(node) {
  var parts = nameParts(node);
  var deprecated = isDeprecated(node);
  var html = [];
  if (parts.qualifier) {
    wrapName(parts.qualifier, 30).forEach(function (line) {
      html.push('<FONT POINT-SIZE="9.5" COLOR="#475569">' + escapeHtmlLabel(line) + '</FONT>');
    });
  }
  wrapName(parts.leaf, 28).forEach(function (line) {
    // A deprecated entity's name is struck through, as DataHub's UI marks it.
    var name = '<B>' + escapeHtmlLabel(line) + '</B>';
    html.push('<FONT POINT-SIZE="12">' + (deprecated ? '<S>' + name + '</S>' : name) + '</FONT>');
  });
  var info = typeInfo(node.type).urnName;
  var platform = platformOf(node);
  if (platform) { info += ' · ' + platform; }
  var version = versionOf(node);
  if (version) { info += ' · ' + version; }
  html.push('<FONT POINT-SIZE="9.5" COLOR="#475569">' + escapeHtmlLabel(info) + '</FONT>');
  var run = runStatus(node);
  if (run) { html.push('<FONT POINT-SIZE="9.5" COLOR="' + run.color + '"><B>' + escapeHtmlLabel(run.text) + '</B></FONT>'); }
  if (deprecated) { html.push('<FONT POINT-SIZE="9.5" COLOR="#b91c1c"><B>DEPRECATED</B></FONT>'); }
  return html.join('<BR/>');
}

// The graph the page draws: the server's nodes and edges with the server
// DOT's styles; only the labels are laid out for the screen.
function displayGraph(data, parsed) {
  var g = parsed.graph;
  var graphAttributes = {
    rankdir: g.rankdir || 'LR',
    ranksep: 0.25,
    nodesep: 0.34,
    bgcolor: 'transparent',
    pad: 0.1
  };
  var nodes = data.nodes.map(function (n, i) {
    var attrs = styleOf(parsed.nodes[n.urn]);
    if (!parsed.nodes[n.urn] && n.type === 'SCHEMA_FIELD') {
      // A column the column view added: drawn as the server draws the columns it walked to.
      attrs = { shape: 'note', style: 'rounded,filled', fillcolor: '#e0f2fe', fontname: 'Helvetica', fontsize: 11 };
    }
    attrs.id = 'n' + i;
    attrs.margin = '0.14,0.06';
    attrs.label = { html: nodeLabel(n) };
    if (isDeprecated(n)) {
      // A dashed red border and the class `deprecated` (on the node's <g>), in the page and
      // in the downloaded SVG alike.
      attrs.class = 'deprecated';
      attrs.style = (attrs.style ? attrs.style + ',' : '') + 'dashed';
      attrs.color = '#b91c1c';
    }
    return { name: n.urn, attributes: attrs };
  });
  var edges = data.edges.map(function (e, i) {
    var attrs = styleOf(parsed.edges[e.source + '\u0000' + e.target + '\u0000' + e.relation]);
    attrs.id = 'e' + i;
    // An edge the column view added is drawn as the server draws its own.
    if (!attrs.color) { attrs.color = '#64748b'; }
    if (!attrs.fontname) { attrs.fontname = 'Helvetica'; }
    attrs.label = ' ' + e.relation + ' ';
    attrs.fontcolor = attrs.fontcolor || '#334155';
    attrs.fontsize = 9;
    attrs.arrowsize = attrs.arrowsize || 0.8;
    var from = state.nodeByUrn[e.source], to = state.nodeByUrn[e.target];
    var explain = RELATIONS[e.relation] ? ': ' + RELATIONS[e.relation][1] : '';
    attrs.tooltip = (from ? from.name : e.source) + ' → ' + (to ? to.name : e.target) + ' (' + e.relation + explain + ')';
    return { tail: e.source, head: e.target, attributes: attrs };
  });
  // The column view: each dataset in a box with its columns.
  var subgraphs = Object.keys(data.clusters || {}).map(function (dataset, i) {
    return {
      name: 'cluster_' + i,
      graphAttributes: { label: '', style: 'rounded,dashed', color: '#93c5fd', margin: 8, class: 'columns-of' },
      nodes: [{ name: dataset }].concat(data.clusters[dataset].map(function (u) { return { name: u }; }))
    };
  });
  return { directed: true, graphAttributes: graphAttributes, nodes: nodes, edges: edges, subgraphs: subgraphs };
}

// ---------------------------------------------------------- drawing

function draw(params, data, viz) {
  state.params = params;
  state.data = data;
  state.nodeByUrn = {};
  data.nodes.forEach(function (n) { state.nodeByUrn[n.urn] = n; });
  state.parsed = parseDot(viz, data.dot);
  var svg = viz.renderSVGElement(displayGraph(data, state.parsed));
  svg.id = 'graph';
  svg.setAttribute('role', 'img');
  var root = state.nodeByUrn[params.urn] || data.nodes[0];
  svg.setAttribute('aria-label', 'Lineage graph of ' + (root ? root.name : params.urn));
  var vb = svg.viewBox.baseVal;
  state.natural = { w: vb.width, h: vb.height };
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  state.svg = svg;
  wireGraph(svg);
  setCanvas(svg);
  renderSummary();
  renderLegend(viz);
  renderTruncated();
  var keep = state.selected && state.nodeByUrn[state.selected] ? state.selected : null;
  state.selected = null;
  if (keep) { select(keep, false); }
  else if (state.panel === 'guide') { openGuide(); }
  else { closePanel(); }
  fit();
}

// One small Graphviz drawing per entity type present, in the graph's own
// shapes and colours.
var legendCache = {};
function legendIcon(viz, style) {
  var attrs = {};
  Object.keys(style).forEach(function (k) { attrs[k] = style[k]; });
  attrs.label = '';
  attrs.width = 0.42;
  attrs.height = 0.28;
  attrs.fixedsize = true;
  attrs.penwidth = 1;
  delete attrs.id;
  var key = JSON.stringify(attrs);
  if (!legendCache[key]) {
    try {
      var svg = viz.renderSVGElement({ graphAttributes: { bgcolor: 'transparent', pad: 0.02 }, nodes: [{ name: 'x', attributes: attrs }] });
      svg.removeAttribute('width');
      svg.removeAttribute('height');
      svg.setAttribute('aria-hidden', 'true');
      legendCache[key] = svg;
    } catch (e) {
      return h('span');
    }
  }
  return legendCache[key].cloneNode(true);
}

function renderLegend(viz) {
  var legend = clear($('legend'));
  var counts = {}, sample = {};
  state.data.nodes.forEach(function (n) {
    counts[n.type] = (counts[n.type] || 0) + 1;
    if (!sample[n.type]) { sample[n.type] = n; }
  });
  var types = Object.keys(counts).sort(function (a, b) { return typeInfo(a).order - typeInfo(b).order; });
  append(legend, h('span', { class: 'legend-title', text: 'Legend' }));
  types.forEach(function (t) {
    var info = typeInfo(t);
    var style = styleOf(state.parsed.nodes[sample[t].urn]);
    append(legend, h('span', { class: 'legend-item', title: counts[t] + ' in this graph; URNs start with urn:li:' + info.urnName },
      legendIcon(viz, style), info.label, ' ', h('code', { text: '×' + counts[t] })));
  });
  var deprecated = state.data.nodes.filter(isDeprecated).length;
  if (deprecated) {
    append(legend, h('span', { class: 'legend-item legend-deprecated', title: deprecated + ' deprecated in this graph' },
      h('span', { class: 'deprecated-sample', 'aria-hidden': 'true', text: 'name' }), 'Deprecated', ' ', h('code', { text: '×' + deprecated })));
  }
  append(legend, h('span', { class: 'legend-note', text: 'Arrows point downstream, from data to what uses it. Thick border: the start. Click a box for its details.' }));
  legend.hidden = false;
}

// -------------------------------------------------------- interaction

function nodeGroups() { return state.svg ? state.svg.querySelectorAll('g.node') : []; }
function urnOfGroup(g) {
  var i = Number(String(g.id).replace(/^n/, ''));
  return state.data && state.data.nodes[i] ? state.data.nodes[i].urn : null;
}

function wireGraph(svg) {
  Array.prototype.forEach.call(svg.querySelectorAll('g.node'), function (g) {
    var urn = urnOfGroup(g);
    var node = state.nodeByUrn[urn];
    g.setAttribute('tabindex', '0');
    g.setAttribute('role', 'button');
    g.setAttribute('data-urn', urn);
    g.setAttribute('aria-label', (node ? node.name + ', ' + typeInfo(node.type).label : urn) +
      (isDeprecated(node) ? ', deprecated' : '') + ': show details');
    g.addEventListener('click', function (ev) {
      if (panning.moved) { return; }
      ev.stopPropagation();
      select(urn, false);
    });
    g.addEventListener('keydown', function (ev) {
      if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); select(urn, false); }
    });
    g.addEventListener('mouseenter', function () { highlight(urn, true); });
    g.addEventListener('mouseleave', function () { highlight(state.selected, false); });
    g.addEventListener('focus', function () { highlight(urn, true); });
    g.addEventListener('blur', function () { highlight(state.selected, false); });
  });
}

// Mark the links of `urn`; with `focus`, fade everything else.
function highlight(urn, focus) {
  var svg = state.svg;
  if (!svg) { return; }
  var near = {};
  if (urn) { near[urn] = true; }
  state.data.edges.forEach(function (e, i) {
    var on = !!urn && (e.source === urn || e.target === urn);
    var g = svg.querySelector('#e' + i);
    if (g) { g.classList.toggle('hl', on); }
    if (on) { near[e.source] = true; near[e.target] = true; }
  });
  Array.prototype.forEach.call(nodeGroups(), function (g) {
    var u = g.getAttribute('data-urn');
    g.classList.toggle('hl', !!near[u]);
    g.classList.toggle('selected', u === state.selected);
  });
  svg.classList.toggle('focus', !!(focus && urn));
}

function scrollToNode(urn, centre) {
  var g = state.svg && state.svg.querySelector('g.node[data-urn="' + CSS.escape(urn) + '"]');
  if (!g) { return; }
  var canvas = $('canvas');
  var r = g.getBoundingClientRect(), box = canvas.getBoundingClientRect();
  var panel = $('panel');
  var right = panel.hidden ? box.right : Math.min(box.right, panel.getBoundingClientRect().left);
  var c = { left: box.left, top: box.top, right: right, bottom: box.bottom, width: right - box.left, height: box.height };
  if (centre || r.left < c.left || r.right > c.right || r.top < c.top || r.bottom > c.bottom) {
    canvas.scrollLeft += r.left + r.width / 2 - (c.left + c.width / 2);
    canvas.scrollTop += r.top + r.height / 2 - (c.top + c.height / 2);
  }
}

// ------------------------------------------------------------- zoom

function applyScale(scale, anchor) {
  if (!state.svg || !state.natural) { return; }
  var canvas = $('canvas');
  scale = Math.max(0.2, Math.min(3, scale));
  // Keep the point under `anchor` (or the centre) in place.
  var rect = canvas.getBoundingClientRect();
  var ax = anchor ? anchor.x - rect.left : rect.width / 2;
  var ay = anchor ? anchor.y - rect.top : rect.height / 2;
  var fx = (canvas.scrollLeft + ax) / Math.max(1, canvas.scrollWidth);
  var fy = (canvas.scrollTop + ay) / Math.max(1, canvas.scrollHeight);
  state.scale = scale;
  state.svg.style.width = Math.round(state.natural.w * scale) + 'px';
  state.svg.style.height = Math.round(state.natural.h * scale) + 'px';
  canvas.scrollLeft = fx * canvas.scrollWidth - ax;
  canvas.scrollTop = fy * canvas.scrollHeight - ay;
}

// Fit the drawing into the canvas, but never so small that labels cannot
// be read: then it stays larger, shows the start, and can be dragged.
function fit() {
  if (!state.natural || !state.svg) { return; }
  var canvas = $('canvas');
  var covered = $('panel').hidden ? 0 : $('panel').offsetWidth;
  var w = canvas.clientWidth - 48 - covered, h2 = canvas.clientHeight - 48;
  var scale = Math.min(1.5, w / state.natural.w, h2 / state.natural.h);
  applyScale(Math.max(0.85, scale));
  canvas.scrollLeft = 0;
  canvas.scrollTop = Math.max(0, (canvas.scrollHeight - canvas.clientHeight) / 2);
  if (canvas.scrollWidth > canvas.clientWidth + 1 && state.params) { scrollToNode(state.params.urn, true); }
}

var panning = { active: false, moved: false, x: 0, y: 0, left: 0, top: 0 };
function wirePanZoom() {
  var canvas = $('canvas');
  canvas.addEventListener('mousedown', function (ev) {
    if (ev.button !== 0 || !state.svg || ev.target.closest('.card')) { return; }
    panning.active = true;
    panning.moved = false;
    panning.x = ev.clientX; panning.y = ev.clientY;
    panning.left = canvas.scrollLeft; panning.top = canvas.scrollTop;
  });
  window.addEventListener('mousemove', function (ev) {
    if (!panning.active) { return; }
    var dx = ev.clientX - panning.x, dy = ev.clientY - panning.y;
    if (!panning.moved && Math.abs(dx) + Math.abs(dy) > 4) { panning.moved = true; canvas.classList.add('panning'); }
    if (panning.moved) {
      canvas.scrollLeft = panning.left - dx;
      canvas.scrollTop = panning.top - dy;
    }
  });
  window.addEventListener('mouseup', function () {
    if (!panning.active) { return; }
    panning.active = false;
    canvas.classList.remove('panning');
    // The click that ends a drag must not select a node.
    setTimeout(function () { panning.moved = false; }, 0);
  });
  canvas.addEventListener('wheel', function (ev) {
    if (!state.svg || !(ev.ctrlKey || ev.metaKey)) { return; }
    ev.preventDefault();
    applyScale(state.scale * (ev.deltaY < 0 ? 1.12 : 1 / 1.12), { x: ev.clientX, y: ev.clientY });
  }, { passive: false });
  canvas.addEventListener('click', function (ev) {
    if (panning.moved || !state.svg || ev.target.closest('g.node') || ev.target.closest('.card')) { return; }
    if (state.panel === 'details') { closePanel(); }
  });
  $('zoom-in').addEventListener('click', function () { applyScale(state.scale * 1.25); });
  $('zoom-out').addEventListener('click', function () { applyScale(state.scale / 1.25); });
  $('zoom-fit').addEventListener('click', fit);
  var resizeTimer = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(fit, 150);
  });
}

// ------------------------------------------------------- export / copy

function copyText(text, what) {
  function fallback() {
    var area = h('textarea', { style: 'position:fixed;top:-1000px;opacity:0' });
    area.value = text;
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    document.body.removeChild(area);
    if (ok) { toast(what + ' copied to the clipboard.'); return; }
    // No clipboard at all: show the text to copy by hand.
    $('copy-dialog-text').textContent = 'Copy the ' + what + ' below (Ctrl+C / ⌘C):';
    $('copy-dialog-area').value = text;
    $('copy-dialog').showModal();
    $('copy-dialog-area').select();
  }
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(function () { toast(what + ' copied to the clipboard.'); }, fallback);
  } else {
    fallback();
  }
}

function fileStem() {
  var p = state.params;
  var root = state.nodeByUrn[p.urn];
  var name = (root ? root.name : 'graph').replace(/[^A-Za-z0-9._-]+/g, '_');
  return 'lineage-' + name + '-' + p.direction.toLowerCase() + '-' + (p.depth || DEFAULT_DEPTH);
}

function downloadSvg() {
  if (!state.svg) { return; }
  var copy = state.svg.cloneNode(true);
  copy.removeAttribute('style');
  copy.removeAttribute('id');
  copy.removeAttribute('class');
  copy.setAttribute('width', (state.natural.w * 0.75).toFixed(2) + 'pt');
  copy.setAttribute('height', (state.natural.h * 0.75).toFixed(2) + 'pt');
  copy.setAttribute('style', 'background:#ffffff');
  Array.prototype.forEach.call(copy.querySelectorAll('[tabindex],[role],[data-urn],.hl,.selected'), function (el) {
    ['tabindex', 'role', 'data-urn', 'aria-label'].forEach(function (a) { el.removeAttribute(a); });
    el.classList.remove('hl');
    el.classList.remove('selected');
  });
  var text = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + new XMLSerializer().serializeToString(copy);
  var url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
  var a = h('a', { href: url, download: fileStem() + '.svg' });
  document.body.appendChild(a);
  a.click();
  document.body.removeChild(a);
  setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  toast('Saved ' + fileStem() + '.svg');
}
