import {
  createSourceEventStream,
  execute,
  print,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import type { EventStream } from '../../infra/pubsub/event-bus';

type Result = ExecutionResult | Promise<ExecutionResult>;

/**
 * Results of each published event, by what was asked. PubSub hands every subscriber of a topic
 * on this instance the same object (parsed once from Redis, or the published one in memory), so
 * that object is the event's identity; weak, so the results go with the event.
 */
const resultsByEvent = new WeakMap<object, Map<string, Result>>();

/** Printed once per document: WebSocketGate hands the subscribers of one query the same one. */
const printed = new WeakMap<DocumentNode, string>();

/** Serialised once per result, for every socket it goes to directly. */
const serialised = new WeakMap<ExecutionResult, string>();

/** Results waiting for graphql-ws, per subscription, past which the oldest are dropped. */
const BACKLOG_LIMIT = 1_000;

/** Sends a result's serialised payload (`{"data":…}`) as a `next` message of the subscription. */
export type DirectSink = (payload: string) => void;

/**
 * graphql-js's `subscribe`, except that the subscribers of one event who ask the same thing
 * share one execution of it: with thousands of sockets on one topic, running the selection once
 * per socket was most of the time an event took to reach them all.
 *
 * "The same thing" is the same user (`userOf`, read once the subscribe resolver's guards have
 * run), operation and variables: the answer may depend on who asks, but not on which of their
 * sockets asks. Executions that fail still fail for each subscriber, who formats and counts the
 * errors (graphql-ws's `onNext`) as before.
 */
export function sharedSubscribe(userOf: (contextValue: unknown) => string | undefined) {
  return async (args: ExecutionArgs) => {
    const stream = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in stream)) return stream;
    let query = printed.get(args.document);
    if (query === undefined) printed.set(args.document, (query = print(args.document)));
    const key = JSON.stringify([
      userOf(args.contextValue) ?? null,
      args.operationName ?? null,
      args.variableValues ?? null,
      query,
    ]);
    return new SharedStream(stream[Symbol.asyncIterator](), (event) => {
      if (typeof event !== 'object' || event === null)
        return execute({ ...args, rootValue: event });
      let results = resultsByEvent.get(event);
      if (!results) resultsByEvent.set(event, (results = new Map()));
      let result = results.get(key);
      if (!result) results.set(key, (result = execute({ ...args, rootValue: event })));
      return result;
    });
  };
}

type Step = IteratorResult<ExecutionResult, void>;
const DONE: IteratorReturnResult<void> = { value: undefined, done: true };

/**
 * The results of one subscription. Pulled by graphql-ws like graphql-js's own (its `return`
 * reaches the source: unsubscribes); or, once `sendTo` has a socket for it and the source is an
 * EventBus stream, pushed: each event is executed (shared) as it arrives and a result without
 * errors goes to the socket at once, in the same pass over the topic's subscribers as the bare
 * `ws` broadcast makes, instead of a handful of promise turns per socket through graphql-ws.
 * Results with errors, or still being computed, and any behind them, still go through
 * graphql-ws, in order, so they are formatted and counted as before.
 */
export class SharedStream implements AsyncIterableIterator<ExecutionResult, void, void> {
  private sink?: DirectSink;
  private readonly backlog: ({ result: Result } | { error: unknown })[] = [];
  /** graphql-ws waiting for the next result to send. */
  private waiting?: (step: Promise<Step>) => void;
  /** A result handed to graphql-ws that it may not have sent yet (it asks again once sent). */
  private handedOut = false;
  private closed = false;

  constructor(
    private readonly source: AsyncIterator<unknown>,
    private readonly run: (event: unknown) => Result,
  ) {}

  /** Pushes from now on, if the source can; otherwise graphql-ws keeps pulling. */
  sendTo(sink: DirectSink): void {
    const source = this.source as Partial<EventStream<unknown>>;
    if (this.sink || typeof source.divert !== 'function') return;
    this.sink = sink;
    source.divert((event) => this.deliver(event));
  }

  next(): Promise<Step> {
    if (!this.sink) return this.source.next().then((step) => this.pulled(step));
    this.handedOut = false;
    const item = this.backlog.shift();
    if (item) return this.handOut(item);
    if (this.closed) return Promise.resolve(DONE);
    return new Promise<Promise<Step>>((resolve) => (this.waiting = resolve)).then((s) => s);
  }

  async return(): Promise<Step> {
    this.close();
    await this.source.return?.();
    return DONE;
  }

  async throw(error: unknown): Promise<Step> {
    this.close();
    if (this.source.throw) await this.source.throw(error);
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private pulled(step: IteratorResult<unknown>): Step | Promise<Step> {
    if (step.done) return DONE;
    try {
      const result = this.run(step.value);
      if (!(result instanceof Promise)) return { value: result, done: false };
      return result.then(
        (value) => ({ value, done: false }),
        (error) => this.failed(error),
      );
    } catch (error) {
      return this.failed(error);
    }
  }

  private deliver(event: unknown): void {
    if (this.closed) return;
    let result: Result;
    try {
      result = this.run(event);
    } catch (error) {
      return this.enqueue({ error });
    }
    if (
      this.backlog.length === 0 &&
      !this.handedOut &&
      !(result instanceof Promise) &&
      !result.errors
    ) {
      let payload = serialised.get(result);
      if (payload === undefined) serialised.set(result, (payload = JSON.stringify(result)));
      this.sink!(payload);
      return;
    }
    this.enqueue({ result });
  }

  private enqueue(item: { result: Result } | { error: unknown }): void {
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      waiting(this.handOut(item));
      return;
    }
    // A consumer this far behind is stuck: dropping beats growing without bound (as EventBus).
    if (this.backlog.length >= BACKLOG_LIMIT) this.backlog.shift();
    this.backlog.push(item);
  }

  private handOut(item: { result: Result } | { error: unknown }): Promise<Step> {
    this.handedOut = true;
    if ('error' in item) return this.failed(item.error);
    return Promise.resolve(item.result).then(
      (value): Step => ({ value, done: false }),
      (error) => this.failed(error),
    );
  }

  /** As graphql-js does: a failure ends the source before it reaches the consumer. */
  private async failed(error: unknown): Promise<never> {
    this.close();
    try {
      await this.source.return?.();
    } catch {
      // Closing after a failure: the failure is what the caller should see.
    }
    throw error;
  }

  private close(): void {
    this.closed = true;
    this.backlog.length = 0;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.(Promise.resolve(DONE));
  }
}
