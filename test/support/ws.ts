import { createClient, Client, ExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';

/** A graphql-ws client for the app; `closed` resolves with the close code when the server hangs up. */
export function wsClient(url: string, token?: string): { client: Client; closed: Promise<number> } {
  let onClosed: (code: number) => void = () => undefined;
  const closed = new Promise<number>((resolve) => (onClosed = resolve));
  const client = createClient({
    url: url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    on: { closed: (event) => onClosed((event as { code: number }).code) },
  });
  return { client, closed };
}

/** A subscription whose messages can be awaited one by one, each with a deadline. */
export interface Subscription<T> {
  next(timeoutMs?: number): Promise<ExecutionResult<T>>;
  /** Resolves when the server ends the subscription (or errors it). */
  ended: Promise<void>;
  stop(): void;
}

export function subscribe<T = Record<string, any>>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): Subscription<T> {
  const queue: ExecutionResult<T>[] = [];
  const waiters: ((r: ExecutionResult<T>) => void)[] = [];
  let endedResolve: () => void = () => undefined;
  const ended = new Promise<void>((r) => (endedResolve = r));
  const deliver = (result: ExecutionResult<T>) => {
    const waiter = waiters.shift();
    if (waiter) waiter(result);
    else queue.push(result);
  };
  const stop = client.subscribe<T>(
    { query, variables },
    {
      next: (value) => deliver(value as ExecutionResult<T>),
      error: (error) => {
        // graphql-ws hands subscription errors over as an array of GraphQL errors.
        deliver({
          errors: Array.isArray(error) ? error : [error],
        } as unknown as ExecutionResult<T>);
        endedResolve();
      },
      complete: () => endedResolve(),
    },
  );
  return {
    ended,
    stop,
    next(timeoutMs = 5_000) {
      const queued = queue.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no subscription message within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push((r) => {
          clearTimeout(timer);
          resolve(r);
        });
      });
    },
  };
}

/** Waits, with a deadline, until a condition holds (polling; never a blind sleep). */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
