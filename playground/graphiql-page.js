// The GraphiQL page's own script: loads the example operations, renders GraphiQL, and makes
// the header's box a search with type-ahead (search.js, loaded first). Kept
// out of index.html so that the page's Content-Security-Policy need not allow inline scripts.
(function () {
  'use strict';

  var GRAPHQL_URL = '/api/graphql';
  var EXAMPLES_URL = '/playground/examples';
  var EXAMPLES_TIMEOUT_MS = 5000;

  // GraphiQL stores its state under "graphiql:<name>" keys. The open tabs
  // and editor contents go to sessionStorage, so every new browser tab
  // starts from the server's examples while a reload keeps your edits.
  // Everything else (theme, history, favourites, pane sizes) goes to
  // localStorage as usual.
  var TAB_KEYS = ['tabState', 'query', 'variables', 'headers', 'operationName']
    .map(function (name) { return 'graphiql:' + name; });
  // Which examples the session's tabs were built from; when the server's
  // examples change, the tabs are rebuilt.
  var FINGERPRINT_KEY = 'mlcat:playground:examples';

  function setStatus(text, detail) {
    var el = document.getElementById('mlcat-status');
    el.textContent = text;
    el.title = detail || '';
  }

  // A Web Storage if usable (it may be disabled), else an in-memory one.
  function openStore(name) {
    try {
      var s = window[name];
      s.setItem('mlcat:probe', '1');
      s.removeItem('mlcat:probe');
      return s;
    } catch (e) {
      var data = {};
      return {
        getItem: function (k) { return Object.prototype.hasOwnProperty.call(data, k) ? data[k] : null; },
        setItem: function (k, v) { data[k] = String(v); },
        removeItem: function (k) { delete data[k]; },
        key: function (i) { return Object.keys(data)[i] || null; },
        get length() { return Object.keys(data).length; }
      };
    }
  }
  var local = openStore('localStorage');
  var session = openStore('sessionStorage');

  function graphiqlKeys(store) {
    var keys = [];
    for (var i = 0; i < store.length; i++) {
      var k = store.key(i);
      if (k && k.indexOf('graphiql:') === 0) { keys.push(k); }
    }
    return keys;
  }
  function storeFor(key) {
    return TAB_KEYS.indexOf(key) === -1 ? local : session;
  }
  // The Storage-like object handed to GraphiQL's `storage` prop.
  var graphiqlStorage = {
    getItem: function (k) { return storeFor(k).getItem(k); },
    setItem: function (k, v) { storeFor(k).setItem(k, v); },
    removeItem: function (k) { storeFor(k).removeItem(k); },
    clear: function () {
      [local, session].forEach(function (store) {
        graphiqlKeys(store).forEach(function (k) { store.removeItem(k); });
      });
    },
    get length() {
      return graphiqlKeys(local).length + graphiqlKeys(session).length;
    }
  };

  // Start the session's tabs afresh from `tabs`, unless they were already
  // built from the same examples earlier in this browser tab.
  function prepareSession(tabs, fingerprint) {
    var hasTabs = session.getItem('graphiql:tabState') !== null;
    if (hasTabs && (fingerprint === null || session.getItem(FINGERPRINT_KEY) === fingerprint)) {
      return;
    }
    TAB_KEYS.forEach(function (k) { session.removeItem(k); });
    // GraphiQL 3.9 takes the first tab's editor contents from these keys,
    // not from defaultTabs; seed them so the editors match the first tab.
    if (tabs.length) {
      session.setItem('graphiql:query', tabs[0].query);
      if (tabs[0].variables) { session.setItem('graphiql:variables', tabs[0].variables); }
    }
    if (fingerprint !== null) { session.setItem(FINGERPRINT_KEY, fingerprint); }
  }

  // One example from GET /playground/examples -> one GraphiQL tab.
  function exampleToTab(example) {
    if (!example || typeof example.query !== 'string' || !example.query.trim()) {
      return null;
    }
    var query = example.query;
    var title = typeof example.title === 'string' ? example.title.replace(/\s+/g, ' ').trim() : '';
    if (title && query.indexOf(title) === -1) {
      // GraphiQL names a tab after its operation; keep the example's
      // title visible as a comment at the top of the editor.
      query = '# ' + title + '\n' + query;
    }
    var tab = { query: query };
    var vars = example.variables;
    if (typeof vars === 'string' && vars.trim()) {
      tab.variables = vars;
    } else if (vars && typeof vars === 'object') {
      tab.variables = JSON.stringify(vars, null, 2);
    }
    return tab;
  }

  function loadExamples() {
    if (typeof window.fetch !== 'function') {
      return Promise.reject(new Error('fetch is not available'));
    }
    var controller = typeof AbortController === 'function' ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, EXAMPLES_TIMEOUT_MS) : null;
    return fetch(EXAMPLES_URL, {
      headers: { accept: 'application/json' },
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      if (!response.ok) {
        throw new Error('GET ' + EXAMPLES_URL + ' returned HTTP ' + response.status);
      }
      return response.json();
    }).then(function (list) {
      if (!Array.isArray(list)) {
        throw new Error('GET ' + EXAMPLES_URL + ' did not return a JSON array');
      }
      return list.map(exampleToTab).filter(Boolean);
    }).finally(function () {
      if (timer) { clearTimeout(timer); }
    });
  }

  function render(tabs) {
    var props = {
      fetcher: GraphiQL.createFetcher({ url: GRAPHQL_URL }),
      storage: graphiqlStorage,
      // No examples: one empty tab instead of GraphiQL's welcome text.
      defaultTabs: tabs.length ? tabs : [{ query: '' }],
      defaultEditorToolsVisibility: tabs.some(function (t) { return t.variables; }) ? 'variables' : undefined
    };
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(
        GraphiQL,
        props,
        // Replaces the default logo, which links to github.com.
        React.createElement(GraphiQL.Logo, null, 'mlcat')
      )
    );
  }

  // The header's search box: a suggestion opens that entity's lineage, Enter the results page,
  // both in the lineage view.
  if (window.MlcatSearch) {
    window.MlcatSearch.attachBox(document.getElementById('search'));
  }

  loadExamples().then(function (tabs) {
    if (!tabs.length) {
      setStatus('No example operations available.');
    }
    prepareSession(tabs, JSON.stringify(tabs));
    render(tabs);
  }, function (error) {
    var message = String(error && error.message || error);
    setStatus('Examples could not be loaded.', message);
    if (window.console) { console.warn('mlcat playground: examples not loaded: ' + message); }
    prepareSession([], null);
    render([]);
  });
})();
