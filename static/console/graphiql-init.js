/*
 * The console's API tab: mounts GraphiQL with the explorer plugin on the GraphQL endpoint.
 * Settings come from the page's "graphiql-config" JSON: endpoint, csrfToken, headers (the header
 * editor's starting text) and query (from ?query=, or null).
 */
(function (document, localStorage, React, ReactDOM, GraphiQL, GraphiQLPluginExplorer) {
  "use strict";

  var config = JSON.parse(document.getElementById("graphiql-config").textContent);
  var PREFIX = "graphiql:";
  var TABS_KEY = PREFIX + "tabState";
  var ENTRY_LIST_KEYS = [PREFIX + "queries", PREFIX + "favorites"];

  function isEntryList(key) {
    return ENTRY_LIST_KEYS.indexOf(key) >= 0;
  }

  // History and favourites are stored as {"<name>": [entry, ...]}; give every entry `change`.
  function changeEntries(key, value, change) {
    var name = key.slice(PREFIX.length);
    var stored = JSON.parse(value);
    if (!stored || !Array.isArray(stored[name])) {
      return value;
    }
    stored[name] = stored[name].map(function (entry) { return Object.assign({}, entry, change); });
    return JSON.stringify(stored);
  }

  // Request headers may hold the admin secret, so none is ever written to localStorage:
  // - history and favourites are stored without headers and read back with this page's starting
  //   headers, so picking an old entry keeps the header editor usable;
  // - GraphiQL finds a stored tab again by its headers, so stored tabs would pile up, one more per
  //   visit: tabs live as long as the page. The last query and the settings are stored as usual.
  function graphiqlStorage() {
    var tabState = null;
    function graphiqlKeys() {
      return Object.keys(localStorage).filter(function (key) { return key.indexOf(PREFIX) === 0; });
    }
    return {
      getItem: function (key) {
        if (key === TABS_KEY) {
          return tabState;
        }
        var value = localStorage.getItem(key);
        return value !== null && isEntryList(key) ? changeEntries(key, value, { headers: config.headers }) : value;
      },
      setItem: function (key, value) {
        if (key === TABS_KEY) {
          tabState = value;
        } else {
          localStorage.setItem(key, isEntryList(key) ? changeEntries(key, value, { headers: undefined }) : value);
        }
      },
      removeItem: function (key) {
        if (key === TABS_KEY) {
          tabState = null;
        } else {
          localStorage.removeItem(key);
        }
      },
      clear: function () {
        tabState = null;
        graphiqlKeys().forEach(function (key) { localStorage.removeItem(key); });
      },
      get length() {
        return graphiqlKeys().length;
      },
    };
  }

  var storage = graphiqlStorage();
  var fetcher = GraphiQL.createFetcher({
    url: config.endpoint,
    headers: { "X-CSRFToken": config.csrfToken },
  });
  var initialQuery = config.query !== null ? config.query : storage.getItem(PREFIX + "query");

  function ApiExplorer() {
    // The explorer and the query editor edit the same text, so it lives in one state.
    var queryState = React.useState(initialQuery === null ? undefined : initialQuery);
    var query = queryState[0];
    var setQuery = queryState[1];
    var explorer = GraphiQLPluginExplorer.useExplorerPlugin({ query: query, onEdit: setQuery });
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      storage: storage,
      plugins: [explorer],
      query: query,
      onEditQuery: setQuery,
      headers: config.headers,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      defaultEditorToolsVisibility: true,
    });
  }

  ReactDOM.render(React.createElement(ApiExplorer), document.getElementById("graphiql"));
})(document, window.localStorage, window.React, window.ReactDOM, window.GraphiQL, window.GraphiQLPluginExplorer);
