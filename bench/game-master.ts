// The game master's own overhead per turn: `GameMasterService.act` called in-process (no HTTP or
// GraphQL in the path), minus a bare `openai` SDK call of the same shape to the same fake model,
// on PostgreSQL. The fake answers instantly with a short narrative and 2 tool calls
// (grant_experience, change_gold), streamed like a real provider. What remains is the turn's
// work: reading the character and building the context and history, the LLM client (budget
// check, usage recording), validating the proposals, the transaction that locks the character,
// applies both through the progression service, writes the turn, its applied tool calls and the
// events, and publishing the narration and events. Bare calls and turns are interleaved one by
// one so machine load hits both alike.
//   node scripts/run-ts.js bench/game-master.ts [turns=400]
//   (DATABASE_URL: a database to use as is; default a fresh one on the local PostgreSQL)
import { MikroORM, RequestContext } from '@mikro-orm/postgresql';
import OpenAI from 'openai';
import { startApp } from '../src/bootstrap';
import { loadConfig } from '../src/config/env';
import { LlmClient } from '../src/infra/llm/llm.client';
import { GameMasterService } from '../src/modules/game-master/game-master.service';
import { startFakeOpenAI } from '../test/support/fake-openai';
import { createPlayer, register } from './lib/game';
import { createPgDatabase, machine, runMain, watchdog } from './lib/harness';

const TURNS = Number(process.argv[2] ?? 400);
const WARMUP = 40;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const fmt = (ms: number) => ms.toFixed(2);

async function main(): Promise<number> {
  watchdog(600);
  const fake = await startFakeOpenAI();
  fake.respondWith((body) =>
    body.messages?.[0]?.content?.startsWith?.('Summarise')
      ? { content: 'A summary of the road so far.' }
      : {
          content: 'You push on through the market crowd; a grateful merchant tosses you a coin.',
          toolCalls: [
            { name: 'grant_experience', arguments: { amount: 1, reason: 'helping out' } },
            { name: 'change_gold', arguments: { amount: 1 } },
          ],
        },
  );
  const own = process.env.DATABASE_URL ? undefined : createPgDatabase('gm');
  const { config } = loadConfig({
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'error',
    JWT_SECRET: 'bench-secret-that-is-long-enough-0123456789abcdef',
    DATABASE_URL: process.env.DATABASE_URL ?? own!.url,
    MIGRATE_ON_START: 'true',
    OPENAI_BASE_URL: fake.url,
    OPENAI_API_KEY: 'bench',
    LLM_DAILY_TOKEN_BUDGET: '1000000000',
    RATE_LIMIT_ENABLED: 'false',
  });
  const running = await startApp(config);
  try {
    const account = await register(running.url);
    const playerId = await createPlayer(running.url, account);
    const gm = running.app.get(GameMasterService);
    const orm = running.app.get(MikroORM);
    const sdk = new OpenAI({ apiKey: 'bench', baseURL: fake.url, maxRetries: 0 });

    // Time spent inside the model call of each turn (the LLM client and the SDK), to tell the
    // turn's own time from the model call's jitter, which the bare call's p50 does not cover.
    const llm = running.app.get(LlmClient);
    const complete = llm.complete.bind(llm);
    let modelMs = 0;
    llm.complete = async (req) => {
      const started = performance.now();
      try {
        return await complete(req);
      } finally {
        modelMs += performance.now() - started;
      }
    };
    const turn = () =>
      RequestContext.create(orm.em, () => gm.act(account.userId, playerId, 'I help at the market'));
    // The same request the game master sent (its prompt, tools and streaming), without the game.
    const bare = async (body: any) => {
      const stream = await sdk.chat.completions.create({
        model: body.model,
        messages: body.messages,
        tools: body.tools,
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      if (!text) throw new Error('bare call: empty answer');
    };

    // Statements sent to the database per turn (MikroORM's onQuery hook).
    let statements = 0;
    const onQuery = orm.config.get('onQuery');
    orm.config.set('onQuery', (sql: string, params: unknown[]) => {
      statements++;
      return onQuery(sql, params);
    });
    // CPU time of this process (app and fake model share it), per turn and per bare call: less
    // sensitive than wall time to other processes competing for the cores.
    let actCpu = 0;
    let bareCpu = 0;
    const cpu = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    const actMs: number[] = [];
    const bareMs: number[] = [];
    const outsideModelMs: number[] = [];
    let applied = 0;
    let request: any = { messages: [] };
    for (let i = 0; i < WARMUP + TURNS; i++) {
      let cpuStart = cpu();
      let started = performance.now();
      if (request.messages.length) await bare(request);
      const bareTime = performance.now() - started;
      const bareCpuTime = cpu() - cpuStart;
      cpuStart = cpu();
      modelMs = 0;
      started = performance.now();
      const result = await turn();
      const actTime = performance.now() - started;
      const actCpuTime = cpu() - cpuStart;
      if (result.source !== 'model' || result.effects.length !== 2)
        throw new Error(`unexpected turn: ${JSON.stringify(result.rejected)}`);
      if (i === WARMUP) statements = 0;
      if (i >= WARMUP && request.messages.length) {
        actMs.push(actTime);
        outsideModelMs.push(actTime - modelMs);
        actCpu += actCpuTime;
        bareCpu += bareCpuTime;
        bareMs.push(bareTime);
        applied += result.effects.length;
      }
      // The turn's own request (not a summary's) is the shape of the next bare call.
      request = fake.requests.find((r) => r.tools) ?? request;
      fake.requests.length = 0;
    }
    orm.config.set('onQuery', onQuery);
    actMs.sort((a, b) => a - b);
    bareMs.sort((a, b) => a - b);
    outsideModelMs.sort((a, b) => a - b);
    const bareP50 = percentile(bareMs, 50);
    const overhead = actMs.map((t) => t - bareP50).sort((a, b) => a - b);
    const p50 = percentile(overhead, 50);
    const p99 = percentile(overhead, 99);
    console.log(`game-master bench — ${machine()}`);
    console.log(
      `${actMs.length} turns after ${WARMUP} warm-up turns, PostgreSQL, act() in-process (no HTTP), ${applied} effects applied`,
    );
    console.log(
      `database statements per turn: ${(statements / TURNS).toFixed(1)} (LLM usage and budget included)`,
    );
    console.log(
      `act() wall time:       p50 ${fmt(percentile(actMs, 50))} ms, p99 ${fmt(percentile(actMs, 99))} ms`,
    );
    console.log(
      `bare SDK call:         p50 ${fmt(bareP50)} ms, p99 ${fmt(percentile(bareMs, 99))} ms`,
    );
    console.log(
      `overhead (act - bare p50): p50 ${fmt(p50)} ms, p99 ${fmt(p99)} ms; act/bare at p50 ${(percentile(actMs, 50) / bareP50).toFixed(2)}`,
    );
    console.log(
      `act() outside its model call (LlmClient.complete), per turn: p50 ${fmt(percentile(outsideModelMs, 50))} ms, p99 ${fmt(percentile(outsideModelMs, 99))} ms`,
    );
    console.log(
      `CPU of this process:   act ${fmt(actCpu / actMs.length)} ms per turn, bare call ${fmt(bareCpu / bareMs.length)} ms; difference ${fmt((actCpu - bareCpu) / actMs.length)} ms`,
    );
    const met = p50 <= 5 && p99 <= 15;
    console.log(`target: overhead p50 <= 5 ms and p99 <= 15 ms -> ${met ? 'met' : 'NOT met'}`);
    return 0;
  } finally {
    await running.close();
    await fake.close();
    own?.drop();
  }
}

runMain(main);
