// The LLM client's own overhead: LlmClient.complete against a bare `openai` SDK call, both on
// the same in-process fake model answering instantly, interleaved call by call so machine load
// hits both alike. No database or cache in the path (no userId, no cache option): what is
// measured is the client (retry loop, breaker, request building, stream assembly, metrics).
//   node scripts/run-ts.js bench/llm-client.ts [calls=400]
import OpenAI from 'openai';
import { loadConfig } from '../src/config/env';
import type { AppCache } from '../src/infra/cache/app-cache';
import type { LlmUsageService } from '../src/infra/llm/llm-usage.service';
import { LlmClient } from '../src/infra/llm/llm.client';
import type { LlmRequest } from '../src/infra/llm/llm.types';
import { MetricsService } from '../src/infra/metrics/metrics.service';
import { startFakeOpenAI } from '../test/support/fake-openai';

const CALLS = Number(process.argv[2] ?? 400);
const WARMUP = 50;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const fake = await startFakeOpenAI();
  const text = 'The lantern light wavers. '.repeat(20);
  fake.respondWith(() => ({
    content: text,
    toolCalls: [{ name: 'grant_experience', arguments: { amount: 5 } }],
  }));
  const { config } = loadConfig({ OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'bench' });
  const client = new LlmClient(config, {} as LlmUsageService, {} as AppCache, new MetricsService());
  const sdk = new OpenAI({ apiKey: 'bench', baseURL: fake.url, maxRetries: 0 });
  const messages = [
    { role: 'system' as const, content: 'You are the game master.' },
    { role: 'user' as const, content: 'I look around.' },
  ];
  const tool = {
    name: 'grant_experience',
    description: 'Grant experience.',
    parameters: { type: 'object', properties: { amount: { type: 'integer' } } },
  };

  const bare = async (stream: boolean) => {
    const started = performance.now();
    const params = {
      model: config.llm.model,
      messages,
      tools: [{ type: 'function' as const, function: tool }],
      tool_choice: 'auto' as const,
    };
    if (stream) {
      const s = await sdk.chat.completions.create({
        ...params,
        stream: true,
        stream_options: { include_usage: true },
      });
      let out = '';
      for await (const chunk of s) out += chunk.choices[0]?.delta?.content ?? '';
      if (out.length !== text.length) throw new Error('bad stream');
    } else {
      await sdk.chat.completions.create(params);
    }
    return performance.now() - started;
  };
  const ours = async (stream: boolean) => {
    const started = performance.now();
    const req: LlmRequest = { purpose: 'turn', messages, tools: [tool] };
    if (stream) req.onDelta = () => undefined;
    const res = await client.complete(req);
    if (res.content.length !== text.length || res.toolCalls.length !== 1) throw new Error('bad');
    return performance.now() - started;
  };

  for (const stream of [false, true]) {
    const times = { bare: [] as number[], ours: [] as number[] };
    for (let i = 0; i < CALLS + WARMUP; i++) {
      const order = i % 2 === 0 ? (['bare', 'ours'] as const) : (['ours', 'bare'] as const);
      for (const who of order) {
        const ms = who === 'bare' ? await bare(stream) : await ours(stream);
        if (i >= WARMUP) times[who].push(ms);
      }
    }
    const b = times.bare.sort((x, y) => x - y);
    const o = times.ours.sort((x, y) => x - y);
    const row = (p: number) =>
      `p${p} bare ${percentile(b, p).toFixed(2)} ms, LlmClient ${percentile(o, p).toFixed(2)} ms, overhead ${(percentile(o, p) - percentile(b, p)).toFixed(2)} ms`;
    console.log(
      `${stream ? 'streamed' : 'plain   '} (${CALLS} calls each): ${row(50)}; ${row(99)}`,
    );
  }
  await fake.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
