import type { LlmEndpoint } from '../../workflows/config';
import type { LlmUsage } from '../../workflows/types';

export { addUsage, NO_USAGE } from '../../workflows/usage';

/** One request's usage, priced with the endpoint's per-million-token prices (0 when unpriced). */
export function priceUsage(tokens: { promptTokens: number; completionTokens: number }, endpoint: Pick<LlmEndpoint, 'price'>): LlmUsage {
  const price = endpoint.price;
  return {
    requests: 1,
    ...tokens,
    costUsd: price ? (tokens.promptTokens * price.promptPerMillion + tokens.completionTokens * price.completionPerMillion) / 1e6 : 0,
  };
}
