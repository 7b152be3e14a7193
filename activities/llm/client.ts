import OpenAI from 'openai';
import type { LlmEndpoint } from '../../workflows/config';

/** Gives the OpenAI client for an endpoint; injected into activities so tests and workers can wire their own. */
export type LlmClientFactory = (endpoint: LlmEndpoint) => OpenAI;

/**
 * One client per (baseURL, key), reused across activities. `maxRetries: 0` because Temporal owns retries:
 * its backoff survives worker restarts and shows every attempt in the Web UI, the SDK's in-process loop doesn't.
 */
export function createOpenAiClientFactory(env: NodeJS.ProcessEnv = process.env): LlmClientFactory {
  const cache = new Map<string, OpenAI>();
  return (endpoint) => {
    // A missing key is not an error here: local endpoints (vLLM, the replay provider) accept any key, and a
    // real endpoint answers 401, which the chat helper reports naming the variable.
    const apiKey = env[endpoint.apiKeyEnv] || 'unset';
    const id = `${endpoint.baseURL}\u0000${apiKey}`;
    let client = cache.get(id);
    if (!client) {
      client = new OpenAI({ baseURL: endpoint.baseURL, apiKey, maxRetries: 0, timeout: endpoint.timeoutMs });
      cache.set(id, client);
    }
    return client;
  };
}
