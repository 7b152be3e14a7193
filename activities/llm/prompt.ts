/**
 * A versioned prompt. Every record the pipeline writes stores `${id}@${version}` with the model and sampling
 * that made it, so a dataset can say exactly which prompt text produced each item.
 */
export interface Prompt<A> {
  id: string;
  version: number;
  system: string;
  user(args: A): string;
}

/** First line of every system message; endpoints and the replay provider can route on it. */
export function promptHeader(p: { id: string; version: number }): string {
  return `[synthsmith prompt=${p.id} version=${p.version}]`;
}

export function promptTag(p: { id: string; version: number }): string {
  return `${p.id}@${p.version}`;
}
