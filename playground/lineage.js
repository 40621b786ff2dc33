// The lineage view (playground/lineage.html), part 2 of 2: the page. The GraphQL queries and
// their client, the page's state, the URL and the form, loading and error messages, the side
// panel (guide and details), the entity picker, switching between the graph and the search
// results (drawn by search.js), and start-up. Loaded after search.js and lineage-graph.js,
// whose functions it uses; its last line starts the page.
'use strict';

var GRAPHQL_URL = '/api/graphql';
// The model of the demo catalog (`mlcat serve --demo`): where the page
// starts when no URN is given, if the catalog has it.
var DEMO_URN = 'urn:li:mlModel:(urn:li:dataPlatform:snowflake,customer_segmentation_v2,PROD)';
var DEFAULT_DEPTH = 3;
var DIRECTIONS = ['UPSTREAM', 'BOTH', 'DOWNSTREAM'];
var PICKER_PAGE = 200;

// The picker lists the things people usually start from first.
var PICKER_ORDER = ['MLMODEL', 'MLMODEL_GROUP', 'MLMODEL_DEPLOYMENT', 'MLFEATURE_TABLE', 'MLFEATURE', 'MLPRIMARY_KEY', 'DATASET'];

var LINEAGE_QUERY = [
  'query LineageView($input: LineageGraphInput!) {',
  '  lineageGraph(input: $input) {',
  '    truncated',
  '    levels',
  '    nodes {',
  '      urn type name degree relation',
  '      entity {',
  '        ... on Dataset { platform { name } deprecation { deprecated } }',
  '        ... on MLFeature { deprecation { deprecated } }',
  '        ... on MLPrimaryKey { deprecation { deprecated } }',
  '        ... on MLFeatureTable { platform { name } deprecation { deprecated } }',
  '        ... on MLModel { platform { name } deprecation { deprecated } versionProperties { version { versionTag } } }',
  '        ... on DataProcessInstance { state(limit: 1) { status result { resultType } } }',
  '        ... on MLModelGroup { platform { name } deprecation { deprecated } }',
  '        ... on MLModelDeployment { platform { name } deprecation { deprecated } }',
  '      }',
  '    }',
  '    edges { source target relation }',
  '    dot',
  '    mermaid',
  '  }',
  '}'
].join('\n');

// What the column view adds to a graph: the columns of each dataset drawn (its schema), the
// column lineage between them (`fineGrainedLineages`), and the columns each feature or key is
// derived from.
var COLUMNS_QUERY = [
  'query LineageColumns($urns: [String!]!) {',
  '  entities(urns: $urns) {',
  '    urn',
  '    ... on Dataset {',
  '      schemaMetadata { fields { fieldPath schemaFieldEntity { urn } } }',
  '      fineGrainedLineages { upstreams { urn } downstreams { urn } }',
  '    }',
  '    ... on MLFeature { properties { sourceColumns { urn } } }',
  '    ... on MLPrimaryKey { properties { sourceColumns { urn } } }',
  '  }',
  '}'
].join('\n');

// Governance, as the details panel shows it: owners, tags, glossary terms, domain,
// deprecation and links. DataHub gives a deployment tags, owners and deprecation only.
var GOV_TAGS = 'tags { tags { tag { urn properties { name description colorHex } } } }';
var GOV_OWNERS = 'ownership { owners { owner {' +
  ' ... on CorpUser { urn username properties { displayName } editableProperties { displayName } }' +
  ' ... on CorpGroup { urn name properties { displayName } } }' +
  ' type ownershipType { urn info { name } } } }';
var GOV_DEPRECATION = 'deprecation { deprecated note decommissionTime actor }';
var GOV_REST = 'glossaryTerms { terms { term { urn properties { name description } } } }' +
  ' domain { domain { urn properties { name } } } institutionalMemory { elements { url label } }';
var GOVERNANCE = [GOV_TAGS, GOV_OWNERS, GOV_DEPRECATION, GOV_REST].join('\n      ');
var DEPLOYMENT_GOVERNANCE = [GOV_TAGS, GOV_OWNERS, GOV_DEPRECATION].join('\n      ');

// Aliases keep fields of different types apart (`version` is a string on a
// model and an object on a feature), as GraphQL requires.
var ENTITY_QUERY = [
  'query LineageEntity($urn: String!) {',
  '  entity(urn: $urn) {',
  '    urn',
  '    type',
  '    ... on Dataset { name description origin exists platform { name }',
  '      properties { qualifiedName description created externalUrl customProperties { key value } }',
  '      ' + GOVERNANCE + ' }',
  '    ... on MLFeature { name description exists featureNamespace dataType',
  '      properties { featureVersion: version { versionTag } sources { urn name } customProperties { key value } }',
  '      ' + GOVERNANCE + ' }',
  '    ... on MLPrimaryKey { name description exists featureNamespace dataType',
  '      properties { featureVersion: version { versionTag } sources { urn name } customProperties { key value } }',
  '      ' + GOVERNANCE + ' }',
  '    ... on MLFeatureTable { name description exists platform { name }',
  '      properties { mlPrimaryKeys { urn name } mlFeatures { urn name } customProperties { key value } }',
  '      ' + GOVERNANCE + ' }',
  '    ... on MLModel { name description origin exists platform { name }',
  '      properties { modelType: type modelVersion: version trainingMetrics { name value } hyperParams { name value }',
  '        tags groups { urn name } modelCreated: created { time actor } externalUrl customProperties { key value } }',
  '      ' + GOVERNANCE + ' }',
  '    ... on MLModelGroup { name description origin exists platform { name }',
  '      properties { groupVersion: version { versionTag } groupCreated: created { time actor } externalUrl customProperties { key value } }',
  '      ' + GOVERNANCE + ' }',
  '    ... on MLModelDeployment { name description origin exists platform { name }',
  '      properties { status deploymentVersion: version { versionTag } createdAt externalUrl customProperties { key value } }',
  '      ' + DEPLOYMENT_GOVERNANCE + ' }',
  '    ... on DataProcessInstance { name exists',
  '      properties { runCreated: created { time actor } externalUrl customProperties { key value } }',
  '      mlTrainingRunProperties { runId: id outputUrls hyperParams { name value } trainingMetrics { name value } }',
  '      runState: state(limit: 1) { status result { resultType } durationMillis timestampMillis } }',
  '    ... on DataPlatform { name properties { displayName } }',
  '  }',
  '}'
].join('\n');

var FIELD_LABELS = {
  platform: 'Platform',
  origin: 'Environment',
  featureNamespace: 'Namespace',
  dataType: 'Data type',
  qualifiedName: 'Qualified name',
  created: 'Created',
  createdAt: 'Created',
  modelCreated: 'Created',
  groupCreated: 'Created',
  modelType: 'Model type',
  modelVersion: 'Version',
  runCreated: 'Created',
  runId: 'Run id',
  outputUrls: 'Output URLs',
  runState: 'State',
  featureVersion: 'Version',
  groupVersion: 'Version',
  deploymentVersion: 'Version',
  status: 'Status',
  trainingMetrics: 'Training metrics',
  hyperParams: 'Hyperparameters',
  tags: 'Tags in properties',
  groups: 'Model groups',
  sources: 'Sources',
  mlFeatures: 'Features',
  mlPrimaryKeys: 'Primary keys',
  externalUrl: 'External URL',
  customProperties: 'Custom properties',
  displayName: 'Display name'
};

// ------------------------------------------------------------ GraphQL

function GraphQLFailure(errors) {
  var first = errors[0] || {};
  this.name = 'GraphQLFailure';
  this.message = errors.map(function (e) { return e.message; }).join('; ');
  this.code = first.extensions && first.extensions.code || null;
  this.errors = errors;
}
GraphQLFailure.prototype = Object.create(Error.prototype);

// With access tokens on (`--auth tokens`), queries need `Authorization:
// Bearer <token>`: the token entered on this page, else the Authorization
// header typed into GraphiQL's Headers tab in this browser tab.
var TOKEN_KEY = 'mlcat:lineage:token';
var pageToken = null;
function sessionGet(key) {
  try { return window.sessionStorage.getItem(key); } catch (e) { return null; }
}
function authorization() {
  var token = pageToken || sessionGet(TOKEN_KEY);
  if (token) { return 'Bearer ' + token; }
  try {
    var headers = JSON.parse(sessionGet('graphiql:headers') || '{}');
    var found = null;
    Object.keys(headers || {}).forEach(function (k) {
      if (k.toLowerCase() === 'authorization' && typeof headers[k] === 'string') { found = headers[k]; }
    });
    return found;
  } catch (e) {
    return null;
  }
}

function gql(query, variables) {
  var headers = { 'content-type': 'application/json', accept: 'application/json' };
  var auth = authorization();
  if (auth) { headers.authorization = auth; }
  return fetch(GRAPHQL_URL, {
    method: 'POST',
    headers: headers,
    body: JSON.stringify({ query: query, variables: variables || {} })
  }).catch(function (e) {
    throw new Error('mlcat did not answer at ' + GRAPHQL_URL + ' (' + e.message + '). Is the server still running?');
  }).then(function (response) {
    return response.json().catch(function () {
      throw new Error(GRAPHQL_URL + ' answered HTTP ' + response.status + ' without a GraphQL answer.');
    }).then(function (body) {
      if (body && Array.isArray(body.errors) && body.errors.length) { throw new GraphQLFailure(body.errors); }
      if (!response.ok || !body || !body.data) {
        throw new Error(GRAPHQL_URL + ' answered HTTP ' + response.status + '.');
      }
      return body.data;
    });
  });
}

// ------------------------------------------------------------- state

var state = {
  params: null,       // { urn, direction, depth } of the graph shown
  data: null,         // lineageGraph answer
  parsed: null,       // the server's DOT, parsed
  nodeByUrn: {},
  svg: null,
  natural: null,      // { w, h } of the drawing, in Graphviz points
  scale: 1,           // CSS px per point
  panel: null,        // null (closed) | 'guide' | 'details'
  selected: null,     // URN
  loadToken: 0,
  entityToken: 0,
  searching: null,    // the search shown instead of the graph ({ query, filters, start }), or null
  picker: [],         // [{ urn, name, type }] from the list queries
  pickerLoaded: false
};

// ------------------------------------------------------------- URL

function readParams() {
  var q = new URLSearchParams(window.location.search);
  var direction = (q.get('direction') || 'BOTH').toUpperCase();
  return {
    urn: (q.get('urn') || '').trim(),
    direction: DIRECTIONS.indexOf(direction) === -1 ? 'BOTH' : direction,
    depth: q.has('depth') ? q.get('depth').trim() : String(DEFAULT_DEPTH),
    columns: q.get('columns') === '1'
  };
}

function urlFor(params) {
  var q = new URLSearchParams();
  q.set('urn', params.urn);
  q.set('direction', params.direction);
  q.set('depth', String(params.depth));
  if (params.columns) { q.set('columns', '1'); }
  return window.location.pathname + '?' + q.toString();
}

function setForm(params) {
  $('urn').value = params.urn;
  Array.prototype.forEach.call(document.querySelectorAll('input[name="direction"]'), function (r) {
    r.checked = r.value === params.direction;
  });
  $('depth').value = params.depth;
  $('columns').checked = !!params.columns;
}

function readForm() {
  var checked = document.querySelector('input[name="direction"]:checked');
  return {
    urn: $('urn').value.trim(),
    direction: checked ? checked.value : 'BOTH',
    depth: $('depth').value.trim(),
    columns: $('columns').checked
  };
}

// ---------------------------------------------------------- drawing

function setCanvas(content) {
  var inner = clear($('canvas-inner'));
  append(inner, content);
}

function showMessage(title, lines, kind) {
  setCanvas(h('div', { class: 'card' + (kind === 'error' ? ' card-error' : ''), role: kind === 'error' ? 'alert' : null, id: kind === 'error' ? 'error' : null },
    h('h2', { text: title }),
    lines.map(function (l) { return l.tagName === 'FORM' ? l : h('p', null, l); })));
}

function setBusy(busy) {
  $('show').disabled = busy;
  ['zoom-out', 'zoom-fit', 'zoom-in', 'download-svg', 'copy-dot', 'copy-mermaid'].forEach(function (id) {
    $(id).disabled = busy || !state.data;
  });
}

function describeDirection(direction) {
  return direction === 'UPSTREAM' ? 'upstream (where its data comes from)'
    : direction === 'DOWNSTREAM' ? 'downstream (what uses it)'
    : 'upstream and downstream';
}

// Resolve what was typed into a URN: a URN as is, else an entity name.
function resolveStart(text) {
  if (/^urn:/i.test(text) || !text) { return Promise.resolve(text); }
  var lower = text.toLowerCase();
  function matches(list) {
    return list.filter(function (e) { return e.name.toLowerCase() === lower || e.urn.toLowerCase() === lower; });
  }
  var found = matches(state.picker);
  var search = found.length ? Promise.resolve(found) : searchEntities(text, 50).then(matches);
  return search.then(function (list) {
    var urns = list.map(function (e) { return e.urn; }).filter(function (u, i, a) { return a.indexOf(u) === i; });
    if (urns.length === 1) { return urns[0]; }
    var err = new Error(urns.length
      ? '“' + text + '” is the name of ' + urns.length + ' entities. Pick the one you mean from the list, or paste its URN.'
      : '“' + text + '” is not a URN, and no entity has that name. Paste a URN (urn:li:…) or pick an entity from the list.');
    err.clientSide = true;
    throw err;
  });
}

// Load and draw the lineage for `params`; history: 'push' | 'replace' | null.
function show(params, history) {
  var token = ++state.loadToken;
  var fromSearch = leaveSearch();
  setForm(params);
  if (!params.urn) {
    showStart();
    return Promise.resolve();
  }
  setBusy(true);
  $('summary').textContent = 'Loading…';
  setCanvas(h('div', { class: 'card' }, h('span', { class: 'spinner' }), 'Walking the lineage of ', h('code', { text: params.urn }), '…'));
  return resolveStart(params.urn).then(function (urn) {
    params = { urn: urn, direction: params.direction, depth: params.depth, columns: !!params.columns };
    setForm(params);
    if (history === 'push' && (!state.params || fromSearch || urlFor(params) !== window.location.pathname + window.location.search)) {
      window.history.pushState(params, '', urlFor(params));
    } else if (history) {
      window.history.replaceState(params, '', urlFor(params));
    }
    var input = { urn: urn, direction: params.direction };
    if (params.depth !== '') {
      var depth = Number(params.depth);
      if (!/^-?\d+$/.test(params.depth)) {
        var err = new Error('Depth must be a whole number of hops, from 1 to 10; “' + params.depth + '” is not.');
        err.clientSide = true;
        throw err;
      }
      input.depth = depth;
    }
    return Promise.all([gql(LINEAGE_QUERY, { input: input }), vizReady]);
  }).then(function (answers) {
    if (token !== state.loadToken) { return null; }
    return columnsView(answers[0].lineageGraph, params.columns).then(function (data) {
      return [data, answers[1]];
    });
  }).then(function (answers) {
    if (!answers || token !== state.loadToken) { return; }
    var data = answers[0];
    if (data.nodes.length <= 150) { draw(params, data, answers[1]); return; }
    // Graphviz lays out on this thread: say so before the page pauses.
    setCanvas(h('div', { class: 'card' }, h('span', { class: 'spinner' }), 'Laying out ' + plural(data.nodes.length, 'entity', 'entities') + '…'));
    return new Promise(function (resolve) { setTimeout(resolve, 30); }).then(function () {
      if (token === state.loadToken) { draw(params, data, answers[1]); }
    });
  }).catch(function (error) {
    if (token !== state.loadToken) { return; }
    showFailure(params, error);
  }).then(function () {
    if (token === state.loadToken) { setBusy(false); }
  });
}

// ---------------------------------------------------------- columns

function isColumn(node) { return node.type === 'SCHEMA_FIELD'; }

// The dataset URN and field path of `urn:li:schemaField:(<dataset urn>,<field path>)`.
function columnParts(urn) {
  var m = /^urn:li:schemaField:\((urn:li:dataset:\([^()]*\)),(.*)\)$/.exec(urn);
  return m ? { dataset: m[1], path: m[2] } : null;
}

// The graph as the page draws it. Without columns, the columns the walk reached are left out
// (the datasets stand for them). With columns, each dataset of the graph is expanded into its
// columns, drawn inside a box with it, with the column lineage between the columns drawn and
// from them to the features and keys drawn; `clusters` maps a dataset to its columns.
function columnsView(data, on) {
  if (!on) {
    var root = data.nodes[0] && data.nodes[0].urn;
    var hidden = {};
    data.nodes.forEach(function (n) { if (isColumn(n) && n.urn !== root) { hidden[n.urn] = true; } });
    var count = Object.keys(hidden).length;
    if (!count) { return Promise.resolve(data); }
    return Promise.resolve(Object.assign({}, data, {
      nodes: data.nodes.filter(function (n) { return !hidden[n.urn]; }),
      edges: data.edges.filter(function (e) { return !hidden[e.source] && !hidden[e.target]; }),
      hiddenColumns: count
    }));
  }
  var urns = data.nodes.filter(function (n) {
    return n.type === 'DATASET' || n.type === 'MLFEATURE' || n.type === 'MLPRIMARY_KEY';
  }).map(function (n) { return n.urn; });
  if (!urns.length) { return Promise.resolve(Object.assign({}, data, { clusters: clustersOf(data.nodes) })); }
  return gql(COLUMNS_QUERY, { urns: urns }).then(function (answer) {
    var nodes = data.nodes.slice(), edges = data.edges.slice();
    var have = {}, linked = {};
    nodes.forEach(function (n) { have[n.urn] = true; });
    edges.forEach(function (e) { linked[e.source + '\u0000' + e.target + '\u0000' + e.relation] = true; });
    var found = (answer.entities || []).filter(function (e) { return e; });
    found.forEach(function (e) {
      var fields = e.schemaMetadata && e.schemaMetadata.fields || [];
      fields.forEach(function (f) {
        var urn = f.schemaFieldEntity && f.schemaFieldEntity.urn;
        if (!urn || have[urn]) { return; }
        have[urn] = true;
        nodes.push({ urn: urn, type: 'SCHEMA_FIELD', name: f.fieldPath, degree: null, relation: null, entity: null });
      });
    });
    function link(source, target, relation) {
      var key = source + '\u0000' + target + '\u0000' + relation;
      if (!have[source] || !have[target] || linked[key]) { return; }
      linked[key] = true;
      edges.push({ source: source, target: target, relation: relation });
    }
    found.forEach(function (e) {
      (e.fineGrainedLineages || []).forEach(function (l) {
        (l.upstreams || []).forEach(function (u) {
          (l.downstreams || []).forEach(function (d) { link(u.urn, d.urn, 'DownstreamOf'); });
        });
      });
      var sources = e.properties && e.properties.sourceColumns || [];
      sources.forEach(function (c) { link(c.urn, e.urn, 'DerivedFrom'); });
    });
    return Object.assign({}, data, { nodes: nodes, edges: edges, clusters: clustersOf(nodes) });
  });
}

// The columns of the graph by the dataset they belong to, for the datasets the graph has.
function clustersOf(nodes) {
  var datasets = {}, clusters = {};
  nodes.forEach(function (n) { if (n.type === 'DATASET') { datasets[n.urn] = true; } });
  nodes.forEach(function (n) {
    var parts = isColumn(n) && columnParts(n.urn);
    if (parts && datasets[parts.dataset]) {
      (clusters[parts.dataset] = clusters[parts.dataset] || []).push(n.urn);
    }
  });
  return clusters;
}

function showFailure(params, error) {
  state.data = null;
  state.svg = null;
  $('legend').hidden = true;
  $('truncated-banner').hidden = true;
  $('summary').textContent = 'No graph to show.';
  var code = error && error.code;
  var hint = error && error.clientSide ? null
    : code === 'UNAUTHENTICATED'
      ? h('span', null, 'This mlcat runs with access tokens. Enter one below (create one with ', h('code', { text: 'mlcat token create --name … --scope read' }), '); it is kept for this browser tab only.')
    : code === 'NOT_FOUND'
    ? 'The catalog has no entity with this URN. Check its spelling (URNs are case-sensitive), or pick an entity from the list above.'
    : code === 'BAD_USER_INPUT'
      ? 'Correct the value above and press “Show lineage”.'
      : /Graphviz|viz-global/.test(String(error && error.message))
        ? 'The graph could not be drawn in this browser.'
        : null;
  var message = String(error && error.message || error);
  showMessage('Could not show this lineage', [
    message.charAt(0).toUpperCase() + message.slice(1),
    hint,
    code ? h('span', null, 'Error code: ', h('code', { text: code })) : null,
    code === 'UNAUTHENTICATED' ? tokenForm(params) : null
  ].filter(Boolean), 'error');
  if (state.panel === 'guide') { renderGuide(); } else { closePanel(); }
}

function tokenForm(params) {
  var input = h('input', { type: 'password', id: 'token', 'aria-label': 'Access token', placeholder: 'access token', autocomplete: 'off', style: 'flex:1 1 auto;padding:5px 8px' });
  return h('form', {
    style: 'display:flex;gap:8px;margin-top:6px',
    onsubmit: function (ev) {
      ev.preventDefault();
      var token = input.value.trim().replace(/^Bearer\s+/i, '');
      if (!token) { return; }
      pageToken = token;
      try { window.sessionStorage.setItem(TOKEN_KEY, token); } catch (e) { /* kept for this page only */ }
      var pickerReady = state.pickerLoaded ? Promise.resolve() : loadPicker();
      if (params.urn) { show(params, 'replace'); } else { startWithoutUrn(params, pickerReady); }
    }
  }, input, h('button', { class: 'btn btn-small', type: 'submit', text: 'Use this token' }));
}

function showStart() {
  state.data = null;
  $('legend').hidden = true;
  $('truncated-banner').hidden = true;
  $('summary').textContent = 'Choose where to start.';
  if (state.pickerLoaded && !state.picker.length) {
    showMessage('The catalog is empty', [
      'There is no lineage to draw yet. Add metadata with the GraphQL mutations (see the examples in GraphiQL) or the DataHub SDK, then come back.',
      h('span', null, 'To explore an example catalog, start mlcat with ', h('code', { text: 'mlcat serve --demo' }), '.')
    ]);
  } else {
    showMessage('Choose where to start', [
      'Type the URN of an entity above (or part of its name), or pick one from “Pick an entity…”.',
      'Then choose which way to walk: upstream to see where its data comes from, downstream to see what uses it.'
    ]);
  }
  setBusy(false);
  if (state.panel === 'guide') { renderGuide(); } else { closePanel(); }
}

function renderSummary() {
  var p = state.params, d = state.data;
  var root = state.nodeByUrn[p.urn] || d.nodes[0];
  var s = $('summary');
  clear(s);
  append(s, [
    'Lineage of ', h('strong', { text: root ? root.name : p.urn }),
    ' (' + typeInfo(root && root.type).label.toLowerCase() + '), ' + describeDirection(p.direction) +
    ', up to ' + plural(Number(p.depth) || DEFAULT_DEPTH, 'hop', 'hops') + ': ' +
    plural(d.nodes.length, 'entity', 'entities') + ', ' + plural(d.edges.length, 'link', 'links') + '.' +
    (d.hiddenColumns ? ' ' + plural(d.hiddenColumns, 'column', 'columns') + ' hidden: tick “Show columns” to expand the datasets.' : '')
  ]);
}

function renderTruncated() {
  var banner = $('truncated-banner');
  if (!state.data.truncated) { banner.hidden = true; return; }
  var depth = Number(state.params.depth) || DEFAULT_DEPTH;
  var reached = state.data.nodes.reduce(function (m, n) { return Math.max(m, n.degree); }, 0);
  var byDepth = reached >= depth;
  $('truncated-text').textContent = byDepth
    ? 'The graph is truncated: the walk stopped after ' + plural(depth, 'hop', 'hops') +
      ', and there are more entities beyond the ones at the edge of this picture.'
    : 'The graph is truncated: the walk reached its limit of entities (the node budget) before it was done, so some entities are left out.';
  var deeper = $('deeper');
  deeper.hidden = !byDepth || depth >= 10;
  deeper.textContent = 'Walk ' + plural(depth + 1, 'hop', 'hops');
  banner.hidden = false;
}

// ------------------------------------------------------------ search

// The search results (search.js) take the place of the form and the graph while a search is
// shown; the address names the search (`?q=…&filter=field:value&start=…`), so Back returns
// from a result's lineage to the results.
function showSearch(search, history) {
  state.loadToken++;
  state.searching = search;
  document.body.classList.add('searching');
  $('search-area').hidden = false;
  $('controls').hidden = true;
  document.querySelector('.graph-area').hidden = true;
  $('search').value = search.query;
  document.title = 'Search' + (search.query.trim() ? ': ' + search.query.trim() : '') + ' · mlcat playground';
  var url = MlcatSearch.urlFor(search);
  if (history === 'push' && url !== window.location.pathname + window.location.search) {
    window.history.pushState(null, '', url);
  } else if (history) {
    window.history.replaceState(null, '', url);
  }
  return MlcatSearch.renderResults($('search-area'), search, {
    gql: gql,
    open: openFromSearch,
    navigate: function (next) { showSearch(next, 'push'); $('search-area').querySelector('.search-body').scrollTop = 0; }
  });
}

// Back to the graph; whether a search was shown.
function leaveSearch() {
  if (!state.searching) { return false; }
  state.searching = null;
  document.body.classList.remove('searching');
  $('search-area').hidden = true;
  $('controls').hidden = false;
  document.querySelector('.graph-area').hidden = false;
  document.title = LINEAGE_TITLE;
  return true;
}

// A result or a suggestion opens its lineage, walked as the form says.
function openFromSearch(urn) {
  var p = readForm();
  state.selected = null;
  show({ urn: urn, direction: p.direction, depth: p.depth || String(DEFAULT_DEPTH) }, 'push');
}

// -------------------------------------------------------- interaction

function select(urn, scroll) {
  if (!urn) { closePanel(); return; }
  state.selected = urn;
  highlight(urn, false);
  renderDetails(urn);
  openPanel('details');
  // The panel takes room from the canvas: keep the node in view.
  window.requestAnimationFrame(function () { scrollToNode(urn, false); });
}

function openPanel(kind) {
  state.panel = kind;
  $('panel').hidden = false;
  $('stage').classList.add('with-panel');
  $('guide-toggle').setAttribute('aria-pressed', String(kind === 'guide'));
}

function closePanel() {
  state.panel = null;
  state.selected = null;
  highlight(null, false);
  $('panel').hidden = true;
  $('stage').classList.remove('with-panel');
  $('guide-toggle').setAttribute('aria-pressed', 'false');
}

function openGuide() {
  state.selected = null;
  highlight(null, false);
  renderGuide();
  openPanel('guide');
}

function recentre(urn) {
  var p = readForm();
  state.selected = urn;
  show({ urn: urn, direction: p.direction || state.params.direction, depth: p.depth || String(DEFAULT_DEPTH) }, 'push');
}

// ------------------------------------------------------------ side panel

function closeButton(label) {
  return h('button', { class: 'close', type: 'button', title: 'Close (Esc)', 'aria-label': label, text: '×', onclick: closePanel });
}

function renderGuide() {
  var panel = clear($('panel'));
  var d = state.data;
  append(panel, h('div', { class: 'panel-head' }, h('h2', { text: 'How to read this graph' }), closeButton('Close the guide')));
  append(panel, h('ul', null,
    h('li', null, 'Each box is an entity of the catalog; its shape and colour say what kind (see the legend).'),
    h('li', null, 'Data flows from left to right: raw sources, the tables built from them, features, feature tables, training data, models, and where models are deployed.'),
    h('li', null, 'Each arrow is labelled with its relation and points downstream, from the data to what uses it.'),
    h('li', null, 'A dashed red border, a struck-through name and the word DEPRECATED mark an entity that is deprecated: its details say why, and when it goes away.'),
    h('li', null, h('strong', { text: 'Click a box' }), ' to see its properties, owners, tags, glossary terms and domain here, and to recentre the graph on it. Drag to move around; Ctrl + wheel zooms.')));
  var rels = d ? d.edges.map(function (e) { return e.relation; }).filter(function (r, i, a) { return a.indexOf(r) === i; }) : Object.keys(RELATIONS);
  if (rels.length) {
    append(panel, h('h3', { text: d ? 'Relations in this graph' : 'Relations' }));
    append(panel, h('table', { class: 'glossary' }, h('tbody', null, rels.map(function (r) {
      var info = RELATIONS[r];
      return h('tr', null, h('td', { text: r }), h('td', null,
        info ? [h('span', { class: 'muted', text: info[0] }), h('br'), info[1]] : 'a relation between the two entities'));
    }))));
  }
  if (d && state.params) {
    var root = state.nodeByUrn[state.params.urn];
    if (root) {
      append(panel, h('h3', { text: 'Start' }));
      append(panel, h('p', null, h('button', { class: 'linkish', type: 'button', text: root.name, onclick: function () { select(root.urn, true); } }),
        ' ', h('span', { class: 'muted', text: '(' + typeInfo(root.type).label.toLowerCase() + ')' })));
    }
  }
  append(panel, h('h3', { text: 'Share' }));
  append(panel, h('p', { class: 'muted' }, 'The address of this page names the graph (',
    h('code', { text: '?urn=…&direction=…&depth=…' }), '): copy it to link to this view.'));
}

function typeBadge(type) {
  var info = typeInfo(type);
  var node = null;
  Object.keys(state.nodeByUrn).some(function (u) { if (state.nodeByUrn[u].type === type) { node = state.nodeByUrn[u]; return true; } return false; });
  var style = node && state.parsed ? styleOf(state.parsed.nodes[node.urn]) : {};
  return h('span', { class: 'badge', style: style.fillcolor ? 'background:' + style.fillcolor : null }, info.label,
    h('code', { style: 'font-weight:400;font-size:11.5px', text: info.urnName }));
}

function entityLink(ref) {
  var inGraph = !!state.nodeByUrn[ref.urn];
  return h('a', {
    class: 'chip',
    href: urlFor({ urn: ref.urn, direction: state.params ? state.params.direction : 'BOTH', depth: state.params ? state.params.depth : DEFAULT_DEPTH }),
    title: inGraph ? ref.urn + '\n(in this graph: click to select it)' : ref.urn + '\n(not in this graph: click to show its lineage)',
    onclick: function (ev) {
      if (ev.ctrlKey || ev.metaKey || ev.shiftKey) { return; }
      ev.preventDefault();
      if (inGraph) { select(ref.urn, true); } else { recentre(ref.urn); }
    }
  }, ref.name || ref.urn);
}

function valueView(key, value) {
  if (value === null || value === undefined || value === '') { return null; }
  if (Array.isArray(value)) {
    var items = value.filter(function (v) { return v !== null && v !== undefined; });
    if (!items.length) { return null; }
    if (typeof items[0] === 'object' && 'urn' in items[0]) {
      return h('div', { class: 'chips' }, items.map(entityLink));
    }
    if (typeof items[0] === 'object') {
      return h('table', { class: 'kv' }, h('tbody', null, items.map(function (it) {
        return h('tr', null, h('td', { text: it.key !== undefined ? it.key : it.name }), h('td', { text: it.value === null ? '' : String(it.value) }));
      })));
    }
    return h('div', { class: 'chips' }, items.map(function (s) { return h('span', { class: 'chip', text: String(s) }); }));
  }
  if (typeof value === 'object') {
    if ('versionTag' in value) { return value.versionTag ? String(value.versionTag) : null; }
    if ('time' in value) { return formatTime(value.time) + (value.actor ? ' by ' + value.actor : ''); }
    if ('name' in value) { return String(value.displayName || value.name); }
    return JSON.stringify(value);
  }
  if (/created/i.test(key) && typeof value === 'number') { return formatTime(value); }
  if (key === 'externalUrl') {
    // Only http(s) links are links: a `javascript:` or `data:` URL stored in the catalog is
    // shown as text, never made clickable.
    if (isWebUrl(value)) {
      return h('a', { href: String(value), rel: 'noopener noreferrer', target: '_blank', text: String(value) });
    }
    return String(value);
  }
  return String(value);
}

/** Whether `value` is an absolute http: or https: URL, the only links the view makes. */
function isWebUrl(value) {
  try {
    var url = new URL(String(value));
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch (e) {
    return false;
  }
}

function renderDetails(urn) {
  var node = state.nodeByUrn[urn];
  var token = ++state.entityToken;
  var panel = clear($('panel'));
  var isStart = state.params && urn === state.params.urn;
  var parts = node ? nameParts(node) : { qualifier: '', leaf: urn };
  append(panel, h('div', { class: 'panel-head' },
    h('h2', null,
      parts.qualifier ? h('span', { class: 'qualifier', text: parts.qualifier }) : null,
      h('span', { id: 'details-name', text: parts.leaf })),
    closeButton('Close the details')));
  append(panel, typeBadge(node && node.type));
  if (isDeprecated(node)) { append(panel, h('span', { class: 'badge badge-deprecated', text: 'Deprecated' })); }
  append(panel, h('code', { class: 'urn', text: urn }));
  append(panel, h('div', { class: 'actions' },
    isStart ? null : h('button', { class: 'btn btn-primary btn-small', type: 'button', id: 'recentre', text: 'Recentre graph here', onclick: function () { recentre(urn); } }),
    h('button', { class: 'btn btn-small', type: 'button', text: 'Copy URN', onclick: function () { copyText(urn, 'URN'); } })));
  if (isStart) { append(panel, h('p', { class: 'muted', text: 'The graph starts here.' })); }
  else if (node) {
    append(panel, h('p', { class: 'muted', text: plural(node.degree, 'hop', 'hops') + ' from the start' + (node.relation ? ', first reached through ' + node.relation : '') + '.' }));
  }

  // Its links in this graph, both ways.
  var up = [], down = [];
  state.data.edges.forEach(function (e) {
    if (e.target === urn) { up.push({ rel: e.relation, ref: state.nodeByUrn[e.source] || { urn: e.source, name: e.source } }); }
    if (e.source === urn) { down.push({ rel: e.relation, ref: state.nodeByUrn[e.target] || { urn: e.target, name: e.target } }); }
  });
  function relList(title, list) {
    if (!list.length) { return null; }
    return [h('h3', { text: title + ' (' + list.length + ')' }), h('ul', { class: 'rel-list' }, list.map(function (x) {
      return h('li', null, h('span', { class: 'rel', text: x.rel }),
        h('button', { class: 'linkish', type: 'button', title: x.ref.urn, text: x.ref.name, onclick: function () { select(x.ref.urn, true); } }));
    }))];
  }
  var body = h('div', { id: 'details-body' }, h('p', { class: 'muted' }, h('span', { class: 'spinner' }), 'Loading properties…'));
  append(panel, body);
  append(panel, relList('Upstream in this graph', up));
  append(panel, relList('Downstream in this graph', down));

  gql(ENTITY_QUERY, { urn: urn }).then(function (data) {
    if (token !== state.entityToken) { return; }
    renderEntity(clear(body), data.entity);
  }, function (error) {
    if (token !== state.entityToken) { return; }
    clear(body);
    append(body, h('p', { class: 'card-error', style: 'padding:6px 8px;border-radius:4px', role: 'alert',
      text: 'Could not load its properties: ' + (error && error.message || error) }));
  });
}

function renderEntity(body, entity) {
  if (!entity) {
    append(body, h('p', { class: 'muted', text: 'The catalog has no entity with this URN any more.' }));
    return;
  }
  var props = entity.properties || {};
  var description = entity.description || props.description;
  renderDeprecation(body, entity.deprecation);
  renderGovernance(body, entity);
  append(body, h('h3', { text: 'Properties' }));
  if (description) { append(body, h('p', { text: description })); }
  var rows = [];
  ['platform', 'origin', 'featureNamespace', 'dataType'].forEach(function (k) {
    var v = valueView(k, entity[k]);
    if (v !== null) { rows.push([k, v]); }
  });
  Object.keys(props).forEach(function (k) {
    if (k === 'description') { return; }
    var v = valueView(k, props[k]);
    if (v !== null) { rows.push([k, v]); }
  });
  // A run: what the training run recorded, and its latest state.
  var training = entity.mlTrainingRunProperties || {};
  Object.keys(training).forEach(function (k) {
    var v = valueView(k, training[k]);
    if (v !== null) { rows.push([k, v]); }
  });
  if (entity.runState && entity.runState[0]) { rows.push(['runState', runStateText(entity.runState[0])]); }
  if (rows.length) {
    append(body, h('table', { class: 'facts', id: 'details-properties' }, h('tbody', null, rows.map(function (r) {
      return h('tr', null, h('th', { scope: 'row', text: FIELD_LABELS[r[0]] || r[0] }), h('td', null, r[1]));
    }))));
  }
  if (entity.exists === false) {
    append(body, h('p', { class: 'muted', text: 'Only referenced by other entities: nothing else has been recorded about it yet.' }));
  } else if (!entity.properties) {
    append(body, h('p', { class: 'muted', text: 'No properties recorded.' }));
  }
  append(body, h('details', null, h('summary', { text: 'The answer as JSON' }),
    h('pre', { class: 'raw', text: JSON.stringify(entity, null, 2) })));
}

// A run event as a person reads it: "COMPLETE (SUCCESS) at <time>, took 4.0 s".
function runStateText(event) {
  var text = event.status + (event.result && event.result.resultType ? ' (' + event.result.resultType + ')' : '');
  if (event.timestampMillis) { text += ' at ' + formatTime(event.timestampMillis); }
  if (event.durationMillis) { text += ', took ' + (event.durationMillis / 1000).toFixed(1) + ' s'; }
  return text;
}

// A deprecated entity says so first: the note, and when it goes away.
function renderDeprecation(body, deprecation) {
  if (!deprecation || !deprecation.deprecated) { return; }
  var when = deprecation.decommissionTime ? formatTime(deprecation.decommissionTime) : null;
  append(body, h('div', { class: 'deprecation', id: 'details-deprecation', role: 'note', 'aria-label': 'Deprecated' },
    h('strong', { text: 'Deprecated' }),
    deprecation.note ? h('p', { text: deprecation.note }) : null,
    when ? h('p', { class: 'muted' }, 'To be decommissioned: ', h('time', { text: when })) : null,
    deprecation.actor ? h('p', { class: 'muted', text: 'Deprecated by ' + deprecation.actor.replace(/^urn:li:corp(user|Group):/, '') }) : null));
}

// `__system__technical_owner` or `TECHNICAL_OWNER` as a person reads it: "Technical owner".
function humanize(id) {
  var words = String(id).replace(/^__system__/, '').replace(/[_-]+/g, ' ').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

// The kind of ownership: the ownership type's name, else its id, else the fixed type.
function ownershipLabel(owner) {
  var t = owner.ownershipType;
  if (t && t.info && t.info.name) { return t.info.name; }
  if (t && t.urn) { return humanize(t.urn.replace(/^urn:li:ownershipType:/, '')); }
  return owner.type ? humanize(owner.type) : null;
}

function ownerName(who) {
  return who.properties && who.properties.displayName ||
    who.editableProperties && who.editableProperties.displayName ||
    who.username || who.name || who.urn;
}

// Only a colour written as #rgb or #rrggbb is used as one.
function safeColour(value) {
  return /^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/.test(String(value || '')) ? value : null;
}

// Owners, tags, glossary terms, domain and links: the governance the catalog holds.
function renderGovernance(body, entity) {
  var rows = [];
  var owners = (entity.ownership && entity.ownership.owners || []).filter(function (o) { return o && o.owner; });
  if (owners.length) {
    rows.push(['Owners', h('ul', { class: 'owners', id: 'details-owners' }, owners.map(function (o) {
      var kind = ownershipLabel(o);
      return h('li', { title: o.owner.urn }, h('span', { class: 'owner-name', text: ownerName(o.owner) }),
        kind ? h('span', { class: 'muted', text: ' · ' + kind }) : null);
    }))]);
  }
  var tags = (entity.tags && entity.tags.tags || []).filter(function (t) { return t && t.tag; });
  if (tags.length) {
    rows.push(['Tags', h('div', { class: 'chips', id: 'details-tags' }, tags.map(function (t) {
      var p = t.tag.properties || {};
      var colour = safeColour(p.colorHex);
      return h('span', { class: 'chip tag', title: (p.description ? p.description + '\n' : '') + t.tag.urn },
        colour ? h('span', { class: 'swatch', style: 'background:' + colour, 'aria-hidden': 'true' }) : null,
        p.name || t.tag.urn.replace(/^urn:li:tag:/, ''));
    }))]);
  }
  var terms = (entity.glossaryTerms && entity.glossaryTerms.terms || []).filter(function (t) { return t && t.term; });
  if (terms.length) {
    rows.push(['Glossary terms', h('div', { class: 'chips', id: 'details-terms' }, terms.map(function (t) {
      var p = t.term.properties || {};
      return h('span', { class: 'chip', title: (p.description ? p.description + '\n' : '') + t.term.urn },
        p.name || t.term.urn.replace(/^urn:li:glossaryTerm:/, ''));
    }))]);
  }
  var domain = entity.domain && entity.domain.domain;
  if (domain) {
    rows.push(['Domain', h('span', { id: 'details-domain', title: domain.urn },
      domain.properties && domain.properties.name || domain.urn.replace(/^urn:li:domain:/, ''))]);
  }
  var links = (entity.institutionalMemory && entity.institutionalMemory.elements || []).filter(Boolean);
  if (links.length) {
    rows.push(['Links', h('ul', { class: 'links' }, links.map(function (l) {
      var label = l.label || l.url;
      // As for external URLs: only http(s) links are links.
      return h('li', null, isWebUrl(l.url)
        ? h('a', { href: String(l.url), rel: 'noopener noreferrer', target: '_blank', title: l.url, text: label })
        : h('span', { title: l.url, text: label + ' (' + l.url + ')' }));
    }))]);
  }
  if (!rows.length) { return; }
  append(body, h('h3', { text: 'Governance' }));
  append(body, h('table', { class: 'facts', id: 'details-governance' }, h('tbody', null, rows.map(function (r) {
    return h('tr', null, h('th', { scope: 'row', text: r[0] }), h('td', null, r[1]));
  }))));
}

// ------------------------------------------------------------- picker

function listQuery(filter, count) {
  var parts = TYPES.filter(function (t) { return t.list; }).map(function (t) {
    return '  ' + t.type + ': ' + t.list + '(input: { count: ' + count + (filter !== null ? ', query: $q' : '') + ' }) { total entities { urn name } }';
  });
  return 'query LineagePicker' + (filter !== null ? '($q: String!)' : '') + ' {\n' + parts.join('\n') + '\n}';
}

function entriesOf(data) {
  var out = [];
  Object.keys(data).forEach(function (type) {
    (data[type].entities || []).forEach(function (e) { out.push({ urn: e.urn, name: e.name, type: type }); });
  });
  return out;
}

function searchEntities(text, count) {
  return gql(listQuery(text, count), { q: text }).then(entriesOf, function () { return []; });
}

function fillDatalist(entries) {
  var list = clear($('urn-options'));
  entries.slice(0, 400).forEach(function (e) {
    append(list, h('option', { value: e.urn, label: e.name + ' · ' + typeInfo(e.type).label }));
  });
}

var pickerComplete = true;
function loadPicker() {
  return gql(listQuery(null, PICKER_PAGE)).then(function (data) {
    var select = $('picker');
    state.picker = entriesOf(data);
    PICKER_ORDER.forEach(function (type) {
      var part = data[type];
      if (!part || !part.entities.length) { return; }
      var group = h('optgroup', { label: typeInfo(type).group + ' (' + part.total + ')' });
      part.entities.forEach(function (e) { append(group, h('option', { value: e.urn, text: e.name })); });
      if (part.total > part.entities.length) {
        pickerComplete = false;
        append(group, h('option', { disabled: true, text: '… ' + (part.total - part.entities.length) + ' more: type part of a name in the box' }));
      }
      append(select, group);
    });
    fillDatalist(state.picker);
    state.pickerLoaded = true;
    $('picker').options[0].textContent = 'Pick an entity…';
    $('picker').removeAttribute('title');
    if (!state.picker.length) {
      $('picker').options[0].textContent = 'The catalog is empty';
    }
  }, function (error) {
    $('picker').options[0].textContent = 'Entities could not be listed';
    $('picker').title = String(error && error.message || error);
  });
}

// With a large catalog the picker holds only the first page of each type:
// search by name as the user types.
var searchTimer = null;
function onUrnInput() {
  var text = $('urn').value.trim();
  clearTimeout(searchTimer);
  if (pickerComplete || text.length < 2 || /^urn:/i.test(text)) { return; }
  searchTimer = setTimeout(function () {
    searchEntities(text, 25).then(function (found) {
      if ($('urn').value.trim() === text) { fillDatalist(found.concat(state.picker)); }
    });
  }, 250);
}

// --------------------------------------------------------------- start

var LINEAGE_TITLE = document.title;

// The page's address: a search, or a graph.
function route(history) {
  var search = MlcatSearch.readState(window.location.search);
  if (search) { return showSearch(search, history); }
  return show(readParams(), history);
}

function init() {
  wirePanZoom();
  MlcatSearch.attachBox($('search'), {
    gql: gql,
    open: openFromSearch,
    search: function (text) { showSearch({ query: text, filters: {}, start: 0 }, 'push'); }
  });
  $('search').closest('form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    showSearch({ query: $('search').value, filters: {}, start: 0 }, 'push');
  });
  $('columns').addEventListener('change', function () {
    if (!$('urn').value.trim()) { return; }
    state.selected = null;
    show(readForm(), 'push');
  });
  $('controls').addEventListener('submit', function (ev) {
    ev.preventDefault();
    state.selected = null;
    show(readForm(), 'push');
  });
  $('picker').addEventListener('change', function () {
    var urn = $('picker').value;
    if (!urn) { return; }
    $('picker').value = '';
    $('urn').value = urn;
    state.selected = null;
    show(readForm(), 'push');
  });
  $('urn').addEventListener('input', onUrnInput);
  Array.prototype.forEach.call(document.querySelectorAll('input[name="direction"]'), function (r) {
    r.addEventListener('change', function () {
      if (state.data && $('urn').value.trim()) { show(readForm(), 'push'); }
    });
  });
  $('deeper').addEventListener('click', function () {
    var p = readForm();
    p.depth = String(Math.min(10, (Number(state.params.depth) || DEFAULT_DEPTH) + 1));
    show(p, 'push');
  });
  $('download-svg').addEventListener('click', downloadSvg);
  $('copy-dot').addEventListener('click', function () { if (state.data) { copyText(state.data.dot, 'DOT'); } });
  $('copy-mermaid').addEventListener('click', function () { if (state.data) { copyText(state.data.mermaid, 'Mermaid flowchart'); } });
  document.addEventListener('keydown', function (ev) {
    if (ev.key === 'Escape' && state.panel && !state.searching && !$('copy-dialog').open) { closePanel(); }
  });
  window.addEventListener('popstate', function () {
    state.selected = null;
    route(null);
  });

  $('guide-toggle').addEventListener('click', function () {
    if (state.panel === 'guide') { closePanel(); } else { openGuide(); }
  });
  setBusy(true);
  var pickerReady = loadPicker();
  var search = MlcatSearch.readState(window.location.search);
  if (search) {
    setBusy(false);
    showSearch(search, null);
    return;
  }
  var params = readParams();
  if (params.urn) {
    show(params, 'replace');
    return;
  }
  startWithoutUrn(params, pickerReady);
}

// No URN given: start on the demo model when the catalog has it, else ask.
function startWithoutUrn(params, pickerReady) {
  var demo = gql('query LineageDemoStart($urn: String!) { entity(urn: $urn) { urn } }', { urn: DEMO_URN }).then(function (data) {
    return data.entity ? data.entity.urn : '';
  }, function (error) {
    if (error && error.code === 'UNAUTHENTICATED') { throw error; }
    return '';
  });
  Promise.all([demo, pickerReady]).then(function (answers) {
    // A search started meanwhile keeps the page.
    if (state.searching) { return; }
    var urn = answers[0];
    params.urn = urn;
    show(params, urn ? 'replace' : null);
    if (!urn) { $('picker').focus(); }
  }, function (error) {
    showFailure(params, error);
    setBusy(false);
  });
}

init();
