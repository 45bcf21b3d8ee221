// Served to the browser as-is: plain ES5 so it runs without a build step.
export const PLAYGROUND_CLIENT_JS = String.raw`
(function () {
  var endpoint = document.currentScript.getAttribute('data-endpoint');
  var httpUrl = new URL(endpoint, location.href).toString();
  var wsUrl = httpUrl.replace(/^http/, 'ws');

  // One graphql-ws client per Authorization value: changing the header reconnects.
  var clients = {};
  function clientFor(auth) {
    var key = auth || '';
    if (!clients[key]) {
      var wsClient = graphqlWs.createClient({
        url: wsUrl,
        lazy: true,
        connectionParams: auth ? { authorization: auth } : {},
      });
      clients[key] = { ws: wsClient, http: GraphiQL.createFetcher({ url: httpUrl, wsClient: wsClient }) };
    }
    return clients[key];
  }

  // GraphiQL only recognises a *named* subscription; find the operation that will
  // run (the named one, or the only one) so an anonymous subscription goes over
  // the WebSocket too.
  function isSubscription(params) {
    var source = String(params.query || '').replace(/#[^\n]*/g, '').replace(/"(?:[^"\\]|\\.)*"/g, '""');
    var operations = [];
    var pattern = /(?:^|[{}\s])(query|mutation|subscription)\b\s*([_A-Za-z][_0-9A-Za-z]*)?/g;
    var match;
    while ((match = pattern.exec(source))) operations.push({ type: match[1], name: match[2] });
    var chosen = params.operationName
      ? operations.filter(function (op) { return op.name === params.operationName; })[0]
      : operations.length === 1 ? operations[0] : undefined;
    return Boolean(chosen && chosen.type === 'subscription');
  }

  function fetcher(params, options) {
    var headers = (options && options.headers) || {};
    var auth = headers.Authorization || headers.authorization;
    var client = clientFor(typeof auth === 'string' && auth.indexOf('<') === -1 ? auth : undefined);
    if (isSubscription(params)) return client.ws.iterate(params);
    return client.http(params, options);
  }

  var defaultQuery = [
    '# Welcome to Loremaster. Run these one at a time (pick the operation with the ▶ button).',
    '#',
    '# 1. Create an account: copy accessToken into the Headers tab below as',
    '#    { "Authorization": "Bearer <accessToken>" }',
    'mutation Register {',
    '  register(input: { username: "aria", email: "aria@example.com", password: "correct-horse-42" }) {',
    '    accessToken',
    '    refreshToken',
    '    user { id username }',
    '  }',
    '}',
    '',
    '# 2. Create a character (needs the Authorization header).',
    'mutation CreatePlayer {',
    '  createPlayer(input: { characterName: "Aria", characterClass: MAGE }) {',
    '    id characterName level health maxHealth mana maxMana gold',
    '    stats { strength dexterity intelligence constitution wisdom charisma }',
    '  }',
    '}',
    '',
    '# 3. Watch a character live: paste its id, run this, then act on it from another tab.',
    'subscription Events {',
    '  gameEvents(playerId: "<player id>") { id type name data createdAt }',
    '}',
    '',
    '# 4. Your account, characters and their event log.',
    'query Me {',
    '  me { username role players { id characterName events(first: 10) { edges { node { type name } } } } }',
    '}',
    '',
  ].join('\n');

  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultHeaders: '{\n  "Authorization": "Bearer <paste accessToken here>"\n}',
      shouldPersistHeaders: true,
      isHeadersEditorEnabled: true,
      defaultEditorToolsVisibility: 'headers',
    }),
  );
})();
`;
