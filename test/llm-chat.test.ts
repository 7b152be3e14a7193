import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askParsed, chat, jitteredBackoffMs, LLM_FAILURE } from '../activities/llm/chat';
import { createOpenAiClientFactory } from '../activities/llm/client';
import { jsonObject, pythonAnswer } from '../activities/llm/parse';
import type { Prompt } from '../activities/llm/prompt';
import { LlmEndpointSchema } from '../workflows/config';
import { loadReplayCorpus } from '../workers/replay-llm/corpus';
import { ReplayLlmServer } from '../workers/replay-llm/server';
import { DEMO_CORPUS_PATH } from './helpers/pipeline-harness';

describe('LLM calls through the real openai client', () => {
  let server: ReplayLlmServer;
  const clientFor = createOpenAiClientFactory({});
  const endpoint = () => LlmEndpointSchema.parse({ baseURL: server.baseURL, model: 'replay' });
  const malformed: Prompt<Record<string, never>> = { id: 'select-features', version: 1, system: 's', user: () => 'unknown subtree' };

  beforeAll(async () => {
    server = await ReplayLlmServer.start({ corpus: await loadReplayCorpus(DEMO_CORPUS_PATH) });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('turns a 429 into a retryable failure that carries the Retry-After delay', async () => {
    server.failNext({ status: 429, count: 1, retryAfterSeconds: 7 });
    const err = await chat(clientFor, endpoint(), [{ role: 'user', content: 'x' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: LLM_FAILURE.unavailable, nonRetryable: false, nextRetryDelay: 7000 });
  });

  it('backs off without Retry-After exponentially, with jitter, as the retry policy does (2 s × 2^n, at most 2 min)', () => {
    expect([1, 2, 3, 8, 20].map((a) => [jitteredBackoffMs(a, () => 0), jitteredBackoffMs(a, () => 0.999999)])).toEqual([
      [1000, 2000],
      [2000, 4000],
      [4000, 8000],
      [60_000, 120_000],
      [60_000, 120_000],
    ]);
    // A storm's retries spread over the window instead of landing together.
    const draws = new Set(Array.from({ length: 50 }, () => jitteredBackoffMs(3)));
    expect(draws.size).toBeGreaterThan(25);
  });

  it('turns a 5xx into a retryable failure and a 401 into a non-retryable one naming the key variable', async () => {
    server.failNext({ status: 502, count: 1 });
    await expect(chat(clientFor, endpoint(), [{ role: 'user', content: 'x' }])).rejects.toMatchObject({ type: LLM_FAILURE.unavailable, nonRetryable: false });
    server.failNext({ status: 401, count: 1 });
    const err = (await chat(clientFor, endpoint(), [{ role: 'user', content: 'x' }]).catch((e: unknown) => e)) as ApplicationFailure;
    expect(err).toMatchObject({ type: LLM_FAILURE.rejected, nonRetryable: true });
    expect(err.message).toContain('$OPENAI_API_KEY');
  });

  it('asks again with the parse error, then fails the item non-retryably when the answer stays unusable', async () => {
    // The replay provider answers "unknown subtree" with a 400; use the corpus's malformed selection instead.
    const subtree = JSON.stringify({ algorithm: ['x'] });
    const prompt: Prompt<{ subtree: string }> = { ...malformed, user: ({ subtree: t }) => t };
    const before = server.requests.length;
    // Walk the first-appearance assignment until the truncated selection answers (it is one of five tasks).
    let failure: unknown;
    for (let i = 0; i < 5 && !failure; i++) {
      await new MockActivityEnvironment()
        .run(() => askParsed(clientFor, endpoint(), prompt, { subtree: `${subtree} ${i}` }, (text) => jsonObject(text)))
        .catch((e: unknown) => (failure = e));
    }
    expect(failure).toMatchObject({ type: LLM_FAILURE.invalidOutput, nonRetryable: true });
    expect((failure as Error).message).toMatch(/unusable answer after 3 attempts/);
    expect(server.requests.length - before).toBeGreaterThanOrEqual(3);
  });
});

describe('answer parsing', () => {
  it('accepts exactly one python block and keeps the reasoning before it', () => {
    expect(pythonAnswer('think hard\n```python\nprint(1)\n```')).toEqual({ reasoning: 'think hard', code: 'print(1)\n' });
    expect(() => pythonAnswer('no code')).toThrow(/no ```python/);
    expect(() => pythonAnswer('```python\na=1\n```\n```python\nb=2\n```')).toThrow(/exactly one/);
  });

  it('reads a fenced JSON answer without damaging code blocks inside its strings', () => {
    const question = '# T\n```\n1 2\n```';
    expect(jsonObject(`Here:\n\`\`\`json\n${JSON.stringify({ question })}\n\`\`\``)).toEqual({ question });
    expect(jsonObject(`{"a": [1, 2,],}`)).toEqual({ a: [1, 2] });
  });
});
