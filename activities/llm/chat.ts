import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import OpenAI from 'openai';
import type { LlmEndpoint } from '../../workflows/config';
import { recordLlmCall } from '../common/metrics';
import type { LlmClientFactory } from './client';
import { acquireEndpoint } from './limiter';
import { addUsage, NO_USAGE, priceUsage } from './usage';
import type { LlmUsage } from '../../workflows/types';
import { promptHeader, promptTag, type Prompt } from './prompt';
import { proseRefusal, refusalReason, structuredRefusal } from './refusal';

/** Failure types; the workflow's retry policies list the non-retryable ones. */
export const LLM_FAILURE = {
  /** 429, 5xx, timeouts, connection errors: Temporal retries with backoff (or the server's Retry-After). */
  unavailable: 'LlmUnavailable',
  /** Other 4xx (bad key, unknown model, bad request): retrying cannot help. */
  rejected: 'LlmRequestRejected',
  /** The answer stayed unusable after the repair attempts: fails this item, never the run. */
  invalidOutput: 'InvalidLlmOutput',
} as const;

export interface ChatOptions {
  n?: number;
  signal?: AbortSignal;
}

export interface ChatAnswer {
  /** `refusal`: the model declined (OpenAI's `message.refusal` or a content-filter stop); `text` is then usually empty. */
  choices: { text: string; truncated: boolean; refusal?: string }[];
  usage: { promptTokens: number; completionTokens: number };
}

export interface Provenance {
  prompt: string;
  model: string;
  baseURL: string;
  temperature: number;
  topP: number;
  maxTokens: number;
}

export function provenance(prompt: { id: string; version: number }, endpoint: LlmEndpoint): Provenance {
  const { model, baseURL, temperature, topP, maxTokens } = endpoint;
  return { prompt: promptTag(prompt), model, baseURL, temperature, topP, maxTokens };
}

type Message = { role: 'system' | 'user' | 'assistant'; content: string };

export async function chat(
  clientFor: LlmClientFactory,
  endpoint: LlmEndpoint,
  messages: Message[],
  opts: ChatOptions = {}
): Promise<ChatAnswer> {
  const started = Date.now();
  const prompt = /^\[synthsmith prompt=([\w-]+)/.exec(messages[0]?.content ?? '')?.[1] ?? 'other';
  const release = await acquireEndpoint(endpoint.baseURL, endpoint, opts.signal);
  try {
    const res = await clientFor(endpoint).chat.completions.create(
      {
        model: endpoint.model,
        messages,
        temperature: endpoint.temperature,
        top_p: endpoint.topP,
        max_tokens: endpoint.maxTokens,
        ...(opts.n && opts.n > 1 ? { n: opts.n } : {}),
      },
      { signal: opts.signal, timeout: endpoint.timeoutMs }
    );
    const usage = { promptTokens: res.usage?.prompt_tokens ?? 0, completionTokens: res.usage?.completion_tokens ?? 0 };
    recordLlmCall({ prompt, model: endpoint.model, outcome: 'ok' }, usage, Date.now() - started, endpoint.price);
    return {
      choices: res.choices.map((c) => {
        // Reasoning models served by vLLM/SGLang/DeepSeek return the chain of thought separately.
        const reasoning = (c.message as { reasoning_content?: string }).reasoning_content;
        const content = c.message.content ?? '';
        const refusal = structuredRefusal(c.message, c.finish_reason);
        return {
          text: reasoning ? `<think>${reasoning}</think>\n${content}` : content,
          truncated: c.finish_reason === 'length',
          ...(refusal ? { refusal } : {}),
        };
      }),
      usage,
    };
  } catch (err) {
    const failure = classifyLlmError(err, endpoint);
    const outcome = failure instanceof ApplicationFailure ? (failure.type ?? 'error') : 'error';
    recordLlmCall({ prompt, model: endpoint.model, outcome }, undefined, Date.now() - started);
    throw failure;
  } finally {
    release();
  }
}

export function classifyLlmError(err: unknown, endpoint: LlmEndpoint): unknown {
  if (err instanceof OpenAI.APIUserAbortError) return err;
  const where = `${endpoint.baseURL} (model ${endpoint.model})`;
  // The client parses a 200's body itself: an HTML error page from a proxy surfaces as a bare SyntaxError,
  // which would otherwise read like the model's own JSON being invalid.
  if (err instanceof SyntaxError) {
    return ApplicationFailure.create({ type: LLM_FAILURE.unavailable, message: `LLM endpoint ${where} sent a response body that is not JSON: ${err.message}` });
  }
  if (!(err instanceof OpenAI.APIError)) return err;
  const status = err.status;
  if (status === undefined || status === 408 || status === 409 || status === 429 || status >= 500) {
    // The server's Retry-After wins; otherwise exponential backoff with jitter, so the many activities a 429
    // storm fails at once do not all come back in the same second (Temporal's own backoff has no jitter).
    const delayMs = retryAfterMs(err.headers) ?? jitteredBackoffMs(currentAttempt());
    return ApplicationFailure.create({
      type: LLM_FAILURE.unavailable,
      message: `LLM endpoint ${where} unavailable${status ? ` (HTTP ${status})` : ''}: ${err.message}`,
      nextRetryDelay: delayMs,
    });
  }
  const hint = status === 401 || status === 403 ? ` (is the key in $${endpoint.apiKeyEnv} on the worker?)` : '';
  // The status travels in the details: callers tell a bad request (400, 413, 422: this prompt, e.g. too long)
  // from a bad setup (401, 403, 404: key or model), which no later request can get past either.
  return ApplicationFailure.nonRetryable(
    `LLM endpoint ${where} rejected the request (HTTP ${status})${hint}: ${err.message}`,
    LLM_FAILURE.rejected,
    { status }
  );
}

/** A rejection of this request only (its content), not of the endpoint setup. */
export function isRequestSpecificRejection(err: unknown): err is ApplicationFailure {
  if (!(err instanceof ApplicationFailure) || err.type !== LLM_FAILURE.rejected) return false;
  const status = (err.details?.[0] as { status?: number } | undefined)?.status;
  return status === 400 || status === 413 || status === 422;
}

/** Mirrors the LLM proxies' retry policy (2 s × 2^(attempt-1), at most 2 min), drawn in [half, full). */
export function jitteredBackoffMs(attempt: number, random: () => number = Math.random): number {
  const full = Math.min(120_000, 2000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(full / 2 + (full / 2) * random());
}

/** The activity's attempt number (1 outside an activity, e.g. the evaluation CLI). */
function currentAttempt(): number {
  try {
    return activityInfo().attempt;
  } catch {
    return 1;
  }
}

function retryAfterMs(headers: Headers | undefined): number | undefined {
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/**
 * Ask, parse, and on an unusable answer ask again with the parser's complaint (at most `maxRepairs` times).
 * Still unusable → non-retryable InvalidLlmOutput: the item fails with its reason, the run goes on.
 */
export async function askParsed<A, T>(
  clientFor: LlmClientFactory,
  endpoint: LlmEndpoint,
  prompt: Prompt<A>,
  args: A,
  /** May be async (e.g. a syntax check in a child process); its error message is what the repair turn shows. */
  parse: (text: string) => T | Promise<T>,
  opts: { maxRepairs?: number; signal?: AbortSignal } = {}
): Promise<{ value: T; attempts: number; usage: LlmUsage }> {
  const messages: Message[] = [
    { role: 'system', content: `${promptHeader(prompt)}\n${prompt.system}` },
    { role: 'user', content: prompt.user(args) },
  ];
  const maxRepairs = opts.maxRepairs ?? 2;
  let lastError = '';
  let usage = NO_USAGE;
  for (let attempt = 0; attempt <= maxRepairs; attempt++) {
    const answer = await chat(clientFor, endpoint, messages, { signal: opts.signal });
    usage = addUsage(usage, priceUsage(answer.usage, endpoint));
    const choice = answer.choices[0];
    const text = choice?.text ?? '';
    try {
      if (choice?.refusal) throw new Error(refusalReason(choice.refusal));
      if (choice?.truncated) throw new Error('the answer was cut off by the token limit; answer more briefly');
      return { value: await parse(text), attempts: attempt + 1, usage };
    } catch (err) {
      const refused = choice?.refusal || choice?.truncated ? undefined : proseRefusal(text);
      lastError = refused ? refusalReason(refused) : (err as Error).message;
      messages.push(
        { role: 'assistant', content: text || choice?.refusal || '' },
        { role: 'user', content: `Your answer could not be used: ${lastError}. Answer again, following the required format exactly.` }
      );
    }
  }
  // The spend travels with the failure, so a failed item's tokens still count in the run's usage.
  throw ApplicationFailure.create({
    message: `${promptTag(prompt)}: unusable answer after ${maxRepairs + 1} attempts: ${lastError}`,
    type: LLM_FAILURE.invalidOutput,
    nonRetryable: true,
    details: [{ usage }],
  });
}
