import {
  type ExecutionResult,
  GraphQLBoolean,
  GraphQLError,
  GraphQLInt,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
} from 'graphql';
import { PubSub } from 'graphql-subscriptions';
import { EventBus } from '../../infra/pubsub/event-bus';
import { SharedStream, sharedSubscribe } from './shared-subscriptions';

interface Context {
  user?: string;
}

const QUERY =
  'subscription T($room: String!, $scale: Int) { tick(room: $room, scale: $scale) { n viewer } }';

function setUp() {
  // The in-memory PubSub, as without Redis: every subscriber of a topic gets the same object.
  const bus = new EventBus(new PubSub(), 1_000);
  let executions = 0;
  const Tick = new GraphQLObjectType({
    name: 'Tick',
    fields: { n: { type: GraphQLInt }, viewer: { type: GraphQLString } },
  });
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLBoolean } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        tick: {
          type: Tick,
          args: {
            room: { type: new GraphQLNonNull(GraphQLString) },
            scale: { type: GraphQLInt },
          },
          subscribe: (_: unknown, args: { room: string }) => {
            if (args.room === 'closed') throw new GraphQLError('NOT_FOUND');
            return bus.subscribe(args.room);
          },
          resolve: (event: unknown, args: { scale?: number }, context: Context) => {
            executions++;
            if ((event as { fail?: boolean }).fail) throw new Error('no tick');
            return { n: (event as { n: number }).n * (args.scale ?? 1), viewer: context.user };
          },
        },
      },
    }),
  });
  const subscribe = sharedSubscribe((context) => (context as Context).user);
  const open = async (user: string, variables: Record<string, unknown> = { room: 'a' }) => {
    const result = await subscribe({
      schema,
      // A document of its own, as each socket parses its own.
      document: parse(QUERY),
      variableValues: variables,
      contextValue: { user },
    });
    if (!(Symbol.asyncIterator in result)) throw new Error(JSON.stringify(result));
    return result;
  };
  return { bus, subscribe, schema, open, executions: () => executions };
}

const next = async (iterator: AsyncIterator<ExecutionResult>) =>
  (await iterator.next()).value as ExecutionResult;

describe('sharedSubscribe', () => {
  it('executes an event once for the subscribers who ask the same thing', async () => {
    const { bus, open, executions } = setUp();
    const [ann1, ann2, bob] = [await open('ann'), await open('ann'), await open('bob')];
    await bus.publish('a', { n: 1 });
    const [a1, a2, b] = [await next(ann1), await next(ann2), await next(bob)];
    expect(a1).toEqual({ data: { tick: { n: 1, viewer: 'ann' } } });
    expect(a2).toBe(a1);
    // Another user's answer is their own.
    expect(b).toEqual({ data: { tick: { n: 1, viewer: 'bob' } } });
    expect(executions()).toBe(2);

    // The next event is executed afresh.
    await bus.publish('a', { n: 2 });
    expect(await next(ann1)).toEqual({ data: { tick: { n: 2, viewer: 'ann' } } });
    expect(await next(ann2)).toEqual({ data: { tick: { n: 2, viewer: 'ann' } } });
    expect(executions()).toBe(3);
  });

  it('does not share between different variables', async () => {
    const { bus, open, executions } = setUp();
    const once = await open('ann', { room: 'a', scale: 1 });
    const twice = await open('ann', { room: 'a', scale: 2 });
    await bus.publish('a', { n: 3 });
    expect((await next(once)).data).toEqual({ tick: { n: 3, viewer: 'ann' } });
    expect((await next(twice)).data).toEqual({ tick: { n: 6, viewer: 'ann' } });
    expect(executions()).toBe(2);
  });

  it('unsubscribes from the topic when the consumer returns', async () => {
    const { bus, open } = setUp();
    const [first, second] = [await open('ann'), await open('ann')];
    expect(bus.localSubscribers('a')).toBe(2);
    await first.return?.();
    expect(bus.localSubscribers('a')).toBe(1);
    await second.return?.();
    expect(bus.localSubscribers('a')).toBe(0);
    expect(await first.next()).toEqual({ value: undefined, done: true });
  });

  it('sends results without errors straight to the socket', async () => {
    const { bus, open, executions } = setUp();
    const [ann1, ann2] = [await open('ann'), await open('ann')];
    const sent: string[][] = [[], []];
    (ann1 as SharedStream).sendTo((payload) => sent[0].push(payload));
    (ann2 as SharedStream).sendTo((payload) => sent[1].push(payload));
    await bus.publish('a', { n: 1 });
    await bus.publish('a', { n: 2 });
    const expected = [1, 2].map((n) => JSON.stringify({ data: { tick: { n, viewer: 'ann' } } }));
    expect(sent).toEqual([expected, expected]);
    expect(executions()).toBe(2);

    // Completed: nothing more is sent, and the topic is left.
    await ann1.return?.();
    await bus.publish('a', { n: 3 });
    expect(sent[0]).toHaveLength(2);
    expect(sent[1]).toHaveLength(3);
    await ann2.return?.();
    expect(bus.localSubscribers('a')).toBe(0);
  });

  it('leaves results with errors to graphql-ws, and keeps the order', async () => {
    const { bus, open } = setUp();
    const stream = (await open('ann')) as SharedStream;
    const sent: string[] = [];
    stream.sendTo((payload) => sent.push(payload));
    const pending = stream.next();
    await bus.publish('a', { n: 1, fail: true });
    // Handed to graphql-ws, which has not sent it yet: what follows waits behind it.
    await bus.publish('a', { n: 2 });
    const failed = (await pending).value as ExecutionResult;
    expect(failed.errors?.map((e) => e.message)).toEqual(['no tick']);
    expect(sent).toEqual([]);
    expect((await next(stream)).data).toEqual({ tick: { n: 2, viewer: 'ann' } });
    // graphql-ws asks again: nothing is waiting, so the next result goes straight out.
    const idle = stream.next();
    await bus.publish('a', { n: 3 });
    expect(sent).toEqual([JSON.stringify({ data: { tick: { n: 3, viewer: 'ann' } } })]);
    await stream.return();
    expect(await idle).toEqual({ value: undefined, done: true });
  });

  it("answers a refused subscription with the subscribe resolver's errors", async () => {
    const { subscribe, schema } = setUp();
    const result = await subscribe({
      schema,
      document: parse(QUERY),
      variableValues: { room: 'closed' },
      contextValue: { user: 'ann' },
    });
    expect(Symbol.asyncIterator in result).toBe(false);
    expect((result as ExecutionResult).errors?.map((e) => e.message)).toEqual(['NOT_FOUND']);
  });
});
