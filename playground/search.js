// The playground's search (playground/search.js): the search box in the header of the GraphiQL
// page and of the lineage view, with type-ahead (autoCompleteForMultiple), and the results page
// of the lineage view (searchAcrossEntities) with its facets, paging and links to each result's
// lineage.
//
// One plain script, no modules and no framework, usable on both pages: it keeps to itself and
// defines only `window.MlcatSearch`. The lineage view (lineage.js) drives the results page and
// hands in its own GraphQL client; the GraphiQL page only attaches the box, whose choices open
// the lineage view.
(function () {
  'use strict';

  var GRAPHQL_URL = '/api/graphql';
  var LINEAGE_PAGE = '/playground/lineage';
  // The entity types that have lineage: the ones a search here finds.
  var TYPES = ['DATASET', 'MLFEATURE', 'MLPRIMARY_KEY', 'MLFEATURE_TABLE', 'MLMODEL', 'MLMODEL_GROUP', 'MLMODEL_DEPLOYMENT'];
  var TYPE_LABELS = {
    DATASET: 'Dataset',
    MLFEATURE: 'Feature',
    MLPRIMARY_KEY: 'Primary key',
    MLFEATURE_TABLE: 'Feature table',
    MLMODEL: 'Model',
    MLMODEL_GROUP: 'Model group',
    MLMODEL_DEPLOYMENT: 'Deployment'
  };
  // The facets, in the order they are shown, with a heading for when the server gives none.
  var FACETS = [
    ['_entityType', 'Type'],
    ['platform', 'Platform'],
    ['origin', 'Environment'],
    ['tags', 'Tags'],
    ['glossaryTerms', 'Glossary terms'],
    ['owners', 'Owners'],
    ['domains', 'Domain']
  ];
  var PAGE_SIZE = 10;
  var SUGGESTIONS_PER_TYPE = 3;
  var DEBOUNCE_MS = 150;

  // ------------------------------------------------------------ queries

  var PLATFORM = 'platform { urn name properties { displayName } }';
  var GOVERNANCE = 'deprecation { deprecated }' +
    ' tags { tags { tag { urn properties { name colorHex } } } }' +
    ' ownership { owners { owner {' +
    ' ... on CorpUser { urn username properties { displayName } }' +
    ' ... on CorpGroup { urn name properties { displayName } } } } }';
  // What a result shows, per type: name, description, platform (or a feature's namespace),
  // environment, deprecation, tags and owners.
  var RESULT_FIELDS = [
    'urn type',
    '... on Dataset { name description origin ' + PLATFORM + ' ' + GOVERNANCE + ' }',
    '... on MLFeature { name description featureNamespace ' + GOVERNANCE + ' }',
    '... on MLPrimaryKey { name description featureNamespace ' + GOVERNANCE + ' }',
    '... on MLFeatureTable { name description ' + PLATFORM + ' ' + GOVERNANCE + ' }',
    '... on MLModel { name description origin ' + PLATFORM + ' ' + GOVERNANCE + ' }',
    '... on MLModelGroup { name description origin ' + PLATFORM + ' ' + GOVERNANCE + ' }',
    '... on MLModelDeployment { name description origin ' + PLATFORM + ' ' + GOVERNANCE + ' }'
  ].join('\n        ');
  // The names of the entities a facet value stands for.
  var FACET_FIELDS = 'facets { field displayName aggregations { value count entity { urn type' +
    ' ... on DataPlatform { name properties { displayName } }' +
    ' ... on Tag { properties { name colorHex } }' +
    ' ... on GlossaryTerm { name properties { name } }' +
    ' ... on CorpUser { username properties { displayName } }' +
    ' ... on CorpGroup { name properties { displayName } }' +
    ' ... on Domain { properties { name } } } } }';
  var SUGGEST_QUERY = [
    'query PlaygroundTypeAhead($input: AutoCompleteMultipleInput!) {',
    '  autoCompleteForMultiple(input: $input) {',
    '    suggestions { type suggestions entities { urn type',
    '      ... on Dataset { ' + PLATFORM + ' }',
    '      ... on MLFeature { featureNamespace }',
    '      ... on MLPrimaryKey { featureNamespace }',
    '      ... on MLFeatureTable { ' + PLATFORM + ' }',
    '      ... on MLModel { ' + PLATFORM + ' }',
    '      ... on MLModelGroup { ' + PLATFORM + ' }',
    '      ... on MLModelDeployment { ' + PLATFORM + ' } } }',
    '  }',
    '}'
  ].join('\n');

  // The search, and for each facet with a selected value one more search without that
  // facet's own condition (no results, only facets): its values then count what choosing each
  // one would find, so several values of a facet can be combined. All in one request.
  function searchQuery(state) {
    var selected = selectedFields(state);
    var vars = ['$main: SearchAcrossEntitiesInput!'].concat(selected.map(function (f, i) { return '$f' + i + ': SearchAcrossEntitiesInput!'; }));
    var lines = [
      'query PlaygroundSearch(' + vars.join(', ') + ') {',
      '  results: searchAcrossEntities(input: $main) {',
      '    start count total',
      '    searchResults { entity {',
      '        ' + RESULT_FIELDS,
      '    } matchedFields { name value } }',
      '    ' + FACET_FIELDS,
      '  }'
    ];
    selected.forEach(function (f, i) {
      lines.push('  f' + i + ': searchAcrossEntities(input: $f' + i + ') { ' + FACET_FIELDS + ' }');
    });
    lines.push('}');
    var variables = { main: searchInput(state, null, state.start, PAGE_SIZE) };
    selected.forEach(function (f, i) { variables['f' + i] = searchInput(state, f, 0, 0); });
    return { query: lines.join('\n'), variables: variables, selected: selected };
  }

  // Every filter of the address goes to the server, also on fields the page shows no facet
  // for: the server knows what it can filter on, and says so.
  function searchInput(state, without, start, count) {
    var and = [];
    filterFields(state).forEach(function (field) {
      var values = state.filters[field];
      if (field !== without && values && values.length) { and.push({ field: field, values: values.slice(), condition: 'EQUAL' }); }
    });
    return {
      types: TYPES,
      query: state.query.trim() || '*',
      start: start,
      count: count,
      orFilters: and.length ? [{ and: and }] : null
    };
  }

  // The fields filtered on: the facets' in their order, then any other.
  function filterFields(state) {
    var known = FACETS.map(function (f) { return f[0]; });
    return known.concat(Object.keys(state.filters).filter(function (f) { return known.indexOf(f) === -1; }));
  }

  function selectedFields(state) {
    return FACETS.map(function (f) { return f[0]; }).filter(function (field) {
      return state.filters[field] && state.filters[field].length;
    });
  }

  // ------------------------------------------------------------ helpers

  // h, append and clear: dom.js, loaded before this file.
  function plural(n, one, many) { return n.toLocaleString('en') + ' ' + (n === 1 ? one : many); }
  function typeLabel(type) { return TYPE_LABELS[type] || String(type || 'entity').toLowerCase(); }

  function Failure(errors) {
    var first = errors[0] || {};
    this.name = 'GraphQLFailure';
    this.message = errors.map(function (e) { return e.message; }).join('; ');
    this.code = first.extensions && first.extensions.code || null;
  }
  Failure.prototype = Object.create(Error.prototype);

  // The GraphQL client of a page that has none of its own (the GraphiQL page): with access
  // tokens on, it sends the Authorization header typed into GraphiQL's Headers tab, or the
  // token given to the lineage view in this browser tab.
  function authorization() {
    try {
      var token = window.sessionStorage.getItem('mlcat:lineage:token');
      if (token) { return 'Bearer ' + token; }
      var headers = JSON.parse(window.sessionStorage.getItem('graphiql:headers') || '{}') || {};
      var found = null;
      Object.keys(headers).forEach(function (k) {
        if (k.toLowerCase() === 'authorization' && typeof headers[k] === 'string') { found = headers[k]; }
      });
      return found;
    } catch (e) {
      return null;
    }
  }
  function defaultGql(query, variables) {
    var headers = { 'content-type': 'application/json', accept: 'application/json' };
    var auth = authorization();
    if (auth) { headers.authorization = auth; }
    return fetch(GRAPHQL_URL, { method: 'POST', headers: headers, body: JSON.stringify({ query: query, variables: variables || {} }) })
      .catch(function (e) {
        throw new Error('mlcat did not answer at ' + GRAPHQL_URL + ' (' + e.message + '). Is the server still running?');
      }).then(function (response) {
        return response.json().catch(function () {
          throw new Error(GRAPHQL_URL + ' answered HTTP ' + response.status + ' without a GraphQL answer.');
        }).then(function (body) {
          if (body && Array.isArray(body.errors) && body.errors.length) { throw new Failure(body.errors); }
          if (!response.ok || !body || !body.data) { throw new Error(GRAPHQL_URL + ' answered HTTP ' + response.status + '.'); }
          return body.data;
        });
      });
  }

  // The server's message (or the browser's), as a sentence.
  function describeError(error) {
    var message = String(error && error.message || error);
    return message.charAt(0).toUpperCase() + message.slice(1);
  }

  // The words of the query, for marking them in names and descriptions.
  function queryWords(query) {
    return String(query || '').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  }

  // `text` with each word starting with one of `words` marked, as text nodes and <mark>s.
  function marked(text, words) {
    text = String(text);
    if (!words.length) { return [text]; }
    var pattern = new RegExp('(?<![\\p{L}\\p{N}])(' + words.map(function (w) { return w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }).join('|') + ')', 'giu');
    var out = [], last = 0, m;
    while ((m = pattern.exec(text)) !== null) {
      if (m[0] === '') { pattern.lastIndex++; continue; }
      if (m.index > last) { out.push(text.slice(last, m.index)); }
      out.push(h('mark', { text: m[0] }));
      last = m.index + m[0].length;
    }
    if (last < text.length) { out.push(text.slice(last)); }
    return out;
  }

  // At most about `max` characters of a description, around the first word of the query in it.
  function snippet(text, words, max) {
    text = String(text).replace(/\s+/g, ' ').trim();
    if (text.length <= max) { return text; }
    var lower = text.toLowerCase();
    var at = words.reduce(function (best, w) {
      var i = lower.indexOf(w);
      return i !== -1 && (best === -1 || i < best) ? i : best;
    }, -1);
    var from = at > max / 3 ? text.lastIndexOf(' ', at - Math.floor(max / 3)) + 1 : 0;
    var to = Math.min(text.length, from + max);
    var cut = text.slice(from, to);
    if (to < text.length) { cut = cut.replace(/\s+\S*$/, ''); }
    return (from > 0 ? '… ' : '') + cut + (to < text.length ? ' …' : '');
  }

  function platformName(p) {
    return p ? (p.properties && p.properties.displayName) || p.name || p.urn : null;
  }

  // The name to show for a facet value: the name of the entity it stands for, else the value.
  function valueLabel(field, agg) {
    var e = agg.entity;
    if (field === '_entityType') { return typeLabel(agg.value); }
    if (e) {
      var p = e.properties || {};
      var name = p.displayName || p.name || e.username || e.name;
      if (name) { return name; }
    }
    return String(agg.value).replace(/^urn:li:[A-Za-z]+:/, '');
  }

  function ownerName(who) {
    return who.properties && who.properties.displayName || who.username || who.name || who.urn;
  }

  // ------------------------------------------------------------ URL

  /** The search a page address names (`?q=…&filter=field:value&start=…`), or null. */
  function readState(search) {
    var q = new URLSearchParams(search);
    if (!q.has('q')) { return null; }
    var filters = {};
    q.getAll('filter').forEach(function (f) {
      var i = f.indexOf(':');
      if (i <= 0) { return; }
      var field = f.slice(0, i), value = f.slice(i + 1);
      filters[field] = filters[field] || [];
      if (filters[field].indexOf(value) === -1) { filters[field].push(value); }
    });
    var start = Number(q.get('start'));
    return { query: q.get('q'), filters: filters, start: isFinite(start) && start > 0 ? Math.floor(start) : 0 };
  }

  /** The address of the lineage view's results page for `state`. */
  function urlFor(state) {
    var q = new URLSearchParams();
    q.set('q', state.query);
    Object.keys(state.filters).forEach(function (field) {
      state.filters[field].forEach(function (v) { q.append('filter', field + ':' + v); });
    });
    if (state.start) { q.set('start', String(state.start)); }
    return LINEAGE_PAGE + '?' + q.toString();
  }

  function lineageUrl(urn) {
    return LINEAGE_PAGE + '?' + new URLSearchParams({ urn: urn, direction: 'BOTH', depth: '3' }).toString();
  }

  // ------------------------------------------------------------ type-ahead

  var boxes = 0;

  /**
   * Makes `input` a search box with type-ahead. `options`: `gql(query, variables)` (a promise
   * of the data; the page's own client, else this file's), `open(urn)` when a suggestion is
   * chosen, `search(text)` when Enter is pressed with no suggestion chosen. Without them, the
   * box navigates to the lineage view.
   */
  function attachBox(input, options) {
    options = options || {};
    var gql = options.gql || defaultGql;
    var open = options.open || function (urn) { window.location.assign(lineageUrl(urn)); };
    var search = options.search || function (text) { window.location.assign(urlFor({ query: text, filters: {}, start: 0 })); };
    var id = 'mlcat-suggestions-' + (++boxes);
    var wrap = input.parentNode;
    var list = h('ul', { class: 'mlcat-suggestions', id: id, role: 'listbox', 'aria-label': 'Suggestions' });
    list.hidden = true;
    wrap.appendChild(list);
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', id);
    var timer = null, token = 0, choices = [], active = -1;

    function close() {
      clearTimeout(timer);
      token++;
      list.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      active = -1;
    }
    function setActive(i) {
      choices.forEach(function (o, j) { o.el.setAttribute('aria-selected', String(j === i)); });
      active = i;
      if (i >= 0) {
        input.setAttribute('aria-activedescendant', choices[i].el.id);
        choices[i].el.scrollIntoView({ block: 'nearest' });
      } else {
        input.removeAttribute('aria-activedescendant');
      }
    }
    function choose(i) {
      var o = choices[i];
      close();
      if (o.urn) { open(o.urn); } else { search(o.text); }
    }
    function show(items) {
      clear(list);
      choices = items.filter(function (it) { return it.option; });
      items.forEach(function (it) { list.appendChild(it.el); });
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      setActive(-1);
    }
    function option(n, entry, children) {
      var el = h('li', { class: 'mlcat-suggestion', role: 'option', id: id + '-' + n, 'aria-selected': 'false' }, children);
      // Keeps the focus in the box, so the click lands before the list closes.
      el.addEventListener('mousedown', function (ev) { ev.preventDefault(); });
      el.addEventListener('click', function () { choose(choices.indexOf(entry)); });
      entry.el = el;
      entry.option = true;
      return entry;
    }
    function render(text, data) {
      var words = queryWords(text);
      var items = [], n = 0;
      var groups = (data.autoCompleteForMultiple.suggestions || []).filter(function (g) { return g.entities && g.entities.length; });
      groups.forEach(function (g) {
        items.push({ el: h('li', { class: 'mlcat-suggestion-group', role: 'presentation', text: TYPE_LABELS[g.type] ? typeLabel(g.type) + 's' : typeLabel(g.type) }) });
        g.entities.forEach(function (e, i) {
          var name = g.suggestions[i] || e.urn;
          var where = platformName(e.platform) || e.featureNamespace;
          items.push(option(n++, { urn: e.urn, name: name }, [
            h('span', { class: 'mlcat-suggestion-name' }, marked(name, words)),
            h('span', { class: 'mlcat-suggestion-meta', text: typeLabel(e.type) + (where ? ' · ' + where : '') })
          ]));
        });
      });
      if (!groups.length) {
        items.push({ el: h('li', { class: 'mlcat-suggestion-none', role: 'presentation', text: 'No name starts with “' + text + '”.' }) });
      }
      items.push(option(n++, { text: text }, [
        h('span', { class: 'mlcat-suggestion-name' }, 'Search for “', h('strong', { text: text }), '”'),
        h('span', { class: 'mlcat-suggestion-meta', text: 'Enter' })
      ]));
      show(items);
    }
    function fail(text, error) {
      var code = error && error.code;
      show([
        { el: h('li', { class: 'mlcat-suggestion-error', role: 'presentation' },
          'Suggestions failed: ' + describeError(error) + (code ? ' (' + code + ')' : '')) },
        option(0, { text: text }, [h('span', { class: 'mlcat-suggestion-name' }, 'Search for “', h('strong', { text: text }), '”')])
      ]);
    }
    function suggest() {
      var text = input.value.trim();
      clearTimeout(timer);
      if (!text) { close(); return; }
      var mine = ++token;
      timer = setTimeout(function () {
        gql(SUGGEST_QUERY, { input: { query: text, types: TYPES, limit: SUGGESTIONS_PER_TYPE } }).then(function (data) {
          if (mine === token) { render(text, data); }
        }, function (error) {
          if (mine === token) { fail(text, error); }
        });
      }, DEBOUNCE_MS);
    }

    input.addEventListener('input', suggest);
    input.addEventListener('focus', function () { if (input.value.trim() && list.hidden) { suggest(); } });
    input.addEventListener('blur', close);
    input.addEventListener('keydown', function (ev) {
      // Keys that finish a character being composed (an input method's Enter) are not ours.
      if (ev.isComposing) { return; }
      var openList = !list.hidden && choices.length;
      if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
        if (!openList) { if (ev.key === 'ArrowDown') { suggest(); } return; }
        ev.preventDefault();
        var step = ev.key === 'ArrowDown' ? 1 : -1;
        var next = active + step;
        setActive(next < -1 ? choices.length - 1 : next >= choices.length ? -1 : next);
      } else if (ev.key === 'Enter') {
        ev.preventDefault();
        if (openList && active >= 0) { choose(active); return; }
        var text = input.value.trim();
        close();
        search(text);
      } else if (ev.key === 'Escape') {
        if (!list.hidden) { ev.preventDefault(); ev.stopPropagation(); close(); }
      }
    });
    return { close: close };
  }

  // ------------------------------------------------------------ results

  var renderToken = 0;

  /**
   * Runs the search `state` ({query, filters: {field: [values]}, start}) and shows its results
   * in `container`. `options`: `gql`, `open(urn)` when a result is chosen, and `navigate(state)`
   * when a facet value or a page is (the page then shows that search).
   */
  function renderResults(container, state, options) {
    var gql = options.gql || defaultGql;
    var mine = ++renderToken;
    var request = searchQuery(state);
    var summary = container.querySelector('#search-summary');
    summary.textContent = '';
    append(summary, [h('span', { class: 'spinner' }), 'Searching…']);
    container.setAttribute('aria-busy', 'true');
    return gql(request.query, request.variables).then(function (data) {
      if (mine !== renderToken) { return; }
      container.removeAttribute('aria-busy');
      draw(container, state, data, request.selected, options);
    }, function (error) {
      if (mine !== renderToken) { return; }
      container.removeAttribute('aria-busy');
      var code = error && error.code;
      clear(summary).textContent = 'The search failed.';
      clear(container.querySelector('#search-facets'));
      clear(container.querySelector('#search-pager'));
      // The filters stay removable: one of them may be what the server refused.
      var chosen = [];
      filterFields(state).forEach(function (field) {
        (state.filters[field] || []).forEach(function (v) { chosen.push({ field: field, heading: field, value: v, label: v }); });
      });
      var list = clear(container.querySelector('#search-results'));
      append(list, activeFilters(state, chosen, options));
      append(list, h('div', { class: 'card card-error', role: 'alert', id: 'search-error' },
        h('h2', { text: 'Could not search' }),
        h('p', { text: describeError(error) }),
        code === 'BAD_USER_INPUT' ? h('p', { text: 'Change the words or the filters and search again.' }) : null,
        code ? h('p', null, 'Error code: ', h('code', { text: code })) : null));
    });
  }

  function withFilter(state, field, value, on) {
    var filters = {};
    Object.keys(state.filters).forEach(function (f) { filters[f] = state.filters[f].slice(); });
    var values = filters[field] || [];
    var i = values.indexOf(value);
    if (on && i === -1) { values.push(value); }
    if (!on && i !== -1) { values.splice(i, 1); }
    if (values.length) { filters[field] = values; } else { delete filters[field]; }
    return { query: state.query, filters: filters, start: 0 };
  }

  function draw(container, state, data, selected, options) {
    var results = data.results;
    var words = queryWords(state.query);
    var query = state.query.trim();
    var summary = clear(container.querySelector('#search-summary'));
    var shown = results.searchResults.length;
    append(summary, [
      h('strong', { id: 'search-total', text: plural(results.total, 'result', 'results') }),
      query && query !== '*' ? [' for “', h('span', { text: query }), '”'] : ' in the catalog',
      results.total > shown && shown ? ' (' + (results.start + 1) + '–' + (results.start + shown) + ')' : ''
    ]);

    // Facets: a value's count is what choosing it would find; chosen values stay shown.
    var facetsEl = clear(container.querySelector('#search-facets'));
    var byField = {};
    (results.facets || []).forEach(function (f) { byField[f.field] = f; });
    selected.forEach(function (field, i) {
      var own = (data['f' + i].facets || []).filter(function (f) { return f.field === field; })[0];
      if (own) { byField[field] = own; }
    });
    var chosen = [];
    FACETS.forEach(function (spec) {
      var field = spec[0];
      var facet = byField[field];
      var on = state.filters[field] || [];
      var aggs = facet ? facet.aggregations.slice() : [];
      on.forEach(function (v) {
        if (!aggs.some(function (a) { return a.value === v; })) { aggs.push({ value: v, count: 0, entity: null }); }
      });
      if (!aggs.length) { return; }
      var heading = facet && facet.displayName || spec[1];
      facetsEl.appendChild(h('section', { class: 'facet', 'data-field': field },
        h('h3', { text: heading }),
        h('ul', null, aggs.map(function (a) {
          var pressed = on.indexOf(a.value) !== -1;
          var label = valueLabel(field, a);
          if (pressed) { chosen.push({ field: field, heading: heading, value: a.value, label: label }); }
          var colour = a.entity && a.entity.properties && /^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/.test(a.entity.properties.colorHex || '') ? a.entity.properties.colorHex : null;
          return h('li', null, h('button', {
            type: 'button',
            class: 'facet-value',
            'aria-pressed': String(pressed),
            'data-value': a.value,
            title: (pressed ? 'Remove this filter: ' : 'Show only results with ') + heading.toLowerCase() + ' ' + a.value,
            onclick: function () { options.navigate(withFilter(state, field, a.value, !pressed)); }
          },
          colour ? h('span', { class: 'swatch', style: 'background:' + colour, 'aria-hidden': 'true' }) : null,
          h('span', { class: 'facet-label', text: label }),
          h('span', { class: 'facet-count', text: Number(a.count).toLocaleString('en') })));
        }))));
    });

    filterFields(state).slice(FACETS.length).forEach(function (field) {
      (state.filters[field] || []).forEach(function (v) { chosen.push({ field: field, heading: field, value: v, label: v }); });
    });

    // The filters in force, each removable, above the results.
    var list = clear(container.querySelector('#search-results'));
    append(list, activeFilters(state, chosen, options));
    if (!shown) {
      list.appendChild(h('div', { class: 'card', id: 'search-empty' },
        h('h2', { text: results.total ? 'No results on this page' : 'Nothing found' }),
        h('p', { text: results.total ? 'This page is past the last result.'
          : chosen.length ? 'No entity matches these words with these filters. Remove a filter, or try other words.'
          : 'No dataset, feature, table, model or deployment matches these words. Try fewer words, or the start of a name.' })));
    }
    list.appendChild(h('ol', { class: 'results', start: results.start + 1 }, results.searchResults.map(function (r) {
      return resultItem(r.entity, words, options);
    })));

    // Paging.
    var pager = clear(container.querySelector('#search-pager'));
    if (results.total > PAGE_SIZE) {
      var last = Math.max(0, Math.floor((results.total - 1) / PAGE_SIZE) * PAGE_SIZE);
      append(pager, [
        h('button', { type: 'button', class: 'btn btn-small', id: 'search-prev', disabled: results.start <= 0, text: '← Previous',
          onclick: function () { options.navigate({ query: state.query, filters: state.filters, start: Math.max(0, results.start - PAGE_SIZE) }); } }),
        h('span', { class: 'muted', id: 'search-page', text: 'Page ' + (Math.floor(results.start / PAGE_SIZE) + 1) + ' of ' + (last / PAGE_SIZE + 1) }),
        h('button', { type: 'button', class: 'btn btn-small', id: 'search-next', disabled: results.start + PAGE_SIZE >= results.total, text: 'Next →',
          onclick: function () { options.navigate({ query: state.query, filters: state.filters, start: results.start + PAGE_SIZE }); } })
      ]);
    }
  }

  // The filters in force (`chosen`: [{field, heading, value, label}]), each with a button
  // that removes it; null when there are none.
  function activeFilters(state, chosen, options) {
    if (!chosen.length) { return null; }
    return h('div', { class: 'search-active', id: 'search-active' },
      h('span', { class: 'muted', text: 'Filtered by' }),
      chosen.map(function (c) {
        return h('button', { type: 'button', class: 'chip chip-remove', title: 'Remove this filter', onclick: function () { options.navigate(withFilter(state, c.field, c.value, false)); } },
          c.heading + ': ' + c.label + ' ×');
      }),
      h('button', { type: 'button', class: 'linkish', text: 'Clear all', onclick: function () { options.navigate({ query: state.query, filters: {}, start: 0 }); } }));
  }

  function resultItem(e, words, options) {
    var name = e.name || e.urn;
    var tags = (e.tags && e.tags.tags || []).filter(function (t) { return t && t.tag; });
    var owners = (e.ownership && e.ownership.owners || []).filter(function (o) { return o && o.owner; });
    var where = platformName(e.platform);
    var deprecated = e.deprecation && e.deprecation.deprecated;
    return h('li', { class: 'result', 'data-urn': e.urn },
      h('div', { class: 'result-head' },
        h('a', {
          class: 'result-name',
          href: lineageUrl(e.urn),
          title: 'Show the lineage of ' + name,
          onclick: function (ev) {
            if (ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) { return; }
            ev.preventDefault();
            options.open(e.urn);
          }
        }, marked(name, words)),
        h('span', { class: 'result-type', text: typeLabel(e.type) }),
        where ? h('span', { class: 'result-meta', title: 'Platform', text: where }) : null,
        e.featureNamespace ? h('span', { class: 'result-meta', title: 'Namespace', text: e.featureNamespace }) : null,
        e.origin ? h('span', { class: 'result-meta', title: 'Environment', text: e.origin }) : null,
        deprecated ? h('span', { class: 'badge badge-deprecated', text: 'Deprecated' }) : null),
      e.description ? h('p', { class: 'result-description' }, marked(snippet(e.description, words, 220), words)) : null,
      tags.length || owners.length ? h('div', { class: 'result-governance' },
        tags.map(function (t) {
          var p = t.tag.properties || {};
          var colour = /^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/.test(p.colorHex || '') ? p.colorHex : null;
          return h('span', { class: 'chip tag', title: t.tag.urn },
            colour ? h('span', { class: 'swatch', style: 'background:' + colour, 'aria-hidden': 'true' }) : null,
            p.name || t.tag.urn.replace(/^urn:li:tag:/, ''));
        }),
        owners.length ? h('span', { class: 'result-owners', title: owners.map(function (o) { return o.owner.urn; }).join('\n') },
          'Owners: ' + owners.map(function (o) { return ownerName(o.owner); }).join(', ')) : null) : null,
      h('code', { class: 'result-urn', text: e.urn }));
  }

  window.MlcatSearch = {
    attachBox: attachBox,
    readState: readState,
    urlFor: urlFor,
    renderResults: renderResults,
    lineageUrl: lineageUrl
  };
})();
