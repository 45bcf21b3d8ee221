import { createClient, Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface WsResult {
  data?: any;
  errors?: { message: string; path?: string[]; extensions: Record<string, any> }[];
}

/** A graphql-ws client; `headers` go on the upgrade request (e.g. a proxy's X-Forwarded-For). */
export function socketClient(
  url: string,
  token?: string,
  headers: Record<string, string> = {},
): Client {
  return closableSocket(url, token, headers).client;
}

/** The same, with `closed`: the close code once the server hangs up (expected, so not logged). */
export function closableSocket(
  url: string,
  token?: string,
  headers: Record<string, string> = {},
): { client: Client; closed: Promise<number> } {
  class WithHeaders extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  }
  let onClosed: (code: number) => void = () => undefined;
  const closed = new Promise<number>((resolve) => (onClosed = resolve));
  const client = createClient({
    url: url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WithHeaders,
    lazy: false,
    retryAttempts: 0,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    onNonLazyError: () => undefined,
    on: { closed: (event) => onClosed((event as { code: number }).code) },
  });
  return { client, closed };
}

/** One query or mutation over the socket: its result, or the errors graphql-ws reported for it. */
export function overSocket(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<WsResult> {
  return new Promise((resolve) => {
    let result: WsResult | undefined;
    client.subscribe(
      { query, variables },
      {
        next: (value) => (result = value as WsResult),
        error: (errors) =>
          resolve({ errors: (Array.isArray(errors) ? errors : [errors]) as WsResult['errors'] }),
        complete: () => resolve(result!),
      },
    );
  });
}
