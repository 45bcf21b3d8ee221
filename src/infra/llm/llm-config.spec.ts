import { ConfigError, loadConfig } from '../../config/env';

describe('LLM configuration', () => {
  it('has defaults that keep a turn short and a provider protected', () => {
    const { llm } = loadConfig({ NODE_ENV: 'development' }).config;
    expect(llm).toEqual({
      apiKey: undefined,
      baseUrl: undefined,
      model: 'gpt-4o-mini',
      narrationModel: undefined,
      questModel: undefined,
      summaryModel: undefined,
      timeoutMs: 20_000,
      maxRetries: 2,
      retryBaseMs: 250,
      retryMaxMs: 4_000,
      circuitFailures: 5,
      circuitOpenMs: 30_000,
      toolMode: 'native',
      dailyTokenBudget: 200_000,
    });
  });

  it('reads every variable', () => {
    const { llm } = loadConfig({
      NODE_ENV: 'development',
      OPENAI_MODEL: 'base',
      OPENAI_NARRATION_MODEL: 'narrator',
      OPENAI_QUEST_MODEL: 'quests',
      OPENAI_SUMMARY_MODEL: 'summaries',
      LLM_TIMEOUT_MS: '5000',
      LLM_MAX_RETRIES: '0',
      LLM_RETRY_BASE_MS: '100',
      LLM_RETRY_MAX_MS: '1000',
      LLM_CIRCUIT_FAILURES: '3',
      LLM_CIRCUIT_OPEN_MS: '10000',
      LLM_TOOL_MODE: 'json',
      LLM_DAILY_TOKEN_BUDGET: '0',
    }).config;
    expect(llm).toMatchObject({
      model: 'base',
      narrationModel: 'narrator',
      questModel: 'quests',
      summaryModel: 'summaries',
      timeoutMs: 5_000,
      maxRetries: 0,
      retryBaseMs: 100,
      retryMaxMs: 1_000,
      circuitFailures: 3,
      circuitOpenMs: 10_000,
      toolMode: 'json',
      dailyTokenBudget: 0,
    });
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig({
        NODE_ENV: 'development',
        LLM_TIMEOUT_MS: 'soon',
        LLM_MAX_RETRIES: '-1',
        LLM_TOOL_MODE: 'xml',
        LLM_DAILY_TOKEN_BUDGET: 'lots',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as ConfigError).problems.join('\n');
    for (const name of [
      'LLM_TIMEOUT_MS',
      'LLM_MAX_RETRIES',
      'LLM_TOOL_MODE',
      'LLM_DAILY_TOKEN_BUDGET',
    ]) {
      expect(text).toContain(name);
    }
  });
});
