// Served to the browser as-is: plain ES5 so it runs without a build step.
export const PLAYGROUND_CLIENT_JS = String.raw`
(function () {
  var endpoint = document.currentScript.getAttribute('data-endpoint');
  var httpUrl = new URL(endpoint, location.href).toString();
  var wsUrl = httpUrl.replace(/^http/, 'ws');

  // One graphql-ws client per Authorization value: changing the header reconnects.
  var fetchers = {};
  function fetcherFor(auth) {
    var key = auth || '';
    if (!fetchers[key]) {
      var wsClient = graphqlWs.createClient({
        url: wsUrl,
        lazy: true,
        connectionParams: auth ? { authorization: auth } : {},
      });
      fetchers[key] = GraphiQL.createFetcher({ url: httpUrl, wsClient: wsClient });
    }
    return fetchers[key];
  }

  function fetcher(params, options) {
    var headers = (options && options.headers) || {};
    var auth = headers.Authorization || headers.authorization;
    return fetcherFor(typeof auth === 'string' && auth.indexOf('<') === -1 ? auth : undefined)(params, options);
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
