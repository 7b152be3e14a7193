/**
 * A scripted OpenAI-compatible chat endpoint for failure-path tests. Unlike the replay provider it answers
 * whatever a test tells it to, per prompt id (the `[synthsmith prompt=<id> version=<n>]` header): a queue of
 * replies used first, then a handler. Replies cover what real endpoints do to a pipeline: good answers,
 * answers cut off by the token limit, refusals (OpenAI's `message.refusal`, or plain prose), malformed JSON,
 * JSON of the wrong shape, 429 with `retry-after`, 5xx, 4xx, 200s whose body is not JSON, and requests that
 * never get an answer. Every request is recorded with what it got. Wire format: what the `openai` client parses.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedChoice {
  content: string | null;
  refusal?: string | null;
  finishReason?: 'stop' | 'length' | 'content_filter';
}

export type ScriptedReply =
  /** `ignoresN`: exactly these choices whatever `n` asked for (servers and gateways that drop `n`). */
  | { kind: 'answer'; choices: ScriptedChoice[]; ignoresN?: boolean }
  | { kind: 'error'; status: number; message?: string; retryAfter?: string }
  /** HTTP 200 with a body that is not JSON (a broken proxy). */
  | { kind: 'garbage'; body: string }
  /** Never answers: the client's timeout (or the test's close) ends the request. */
  | { kind: 'hang' };

export const PLAIN_REFUSAL = "I'm sorry, I can't help with that.";

/** Reply builders, named after what a test means rather than the wire shape. */
export const reply = {
  ok: (content: string): ScriptedReply => ({ kind: 'answer', choices: [{ content }] }),
  json: (value: unknown): ScriptedReply => reply.ok(JSON.stringify(value)),
  /** Cut off by max_tokens: finish_reason "length" and, as real models do, half the text. */
  truncated: (content: string): ScriptedReply => ({ kind: 'answer', choices: [truncatedChoice(content)] }),
  /** OpenAI's structured refusal: content null, `message.refusal` set. */
  refusal: (text = "I'm sorry, but I can't assist with that request."): ScriptedReply => ({ kind: 'answer', choices: [refusalChoice(text)] }),
  /** A refusal in prose, as most open-weight servers send it. */
  plainRefusal: (): ScriptedReply => reply.ok(PLAIN_REFUSAL),
  /** Broken JSON both answer formats reach: inside <begin>/<end> markers and as the answer's only object. */
  malformed: (): ScriptedReply => reply.ok('<begin>\n{"algorithm": ["binary search", }\n<end>'),
  /** Several choices for one request with `n`; reused cyclically when fewer than `n`. */
  choices: (...choices: ScriptedChoice[]): ScriptedReply => ({ kind: 'answer', choices }),
  /** One choice whatever `n` is: an endpoint that ignores `n`. */
  ignoringN: (content: string): ScriptedReply => ({ kind: 'answer', choices: [{ content }], ignoresN: true }),
  error: (status: number, opts: { message?: string; retryAfter?: string } = {}): ScriptedReply => ({ kind: 'error', status, ...opts }),
  rateLimited: (retryAfterSeconds: number): ScriptedReply => reply.error(429, { retryAfter: String(retryAfterSeconds), message: 'Rate limit reached' }),
  garbage: (): ScriptedReply => ({ kind: 'garbage', body: '<html><body>502 Bad Gateway</body></html>' }),
  hang: (): ScriptedReply => ({ kind: 'hang' }),
};

export function okChoice(content: string): ScriptedChoice {
  return { content };
}

export function truncatedChoice(content: string): ScriptedChoice {
  return { content: content.slice(0, Math.ceil(content.length / 2)), finishReason: 'length' };
}

export function refusalChoice(text = "I'm sorry, but I can't assist with that request."): ScriptedChoice {
  return { content: null, refusal: text };
}

export interface ScriptedRequest {
  promptId: string | null;
  model: string;
  n: number;
  maxTokens?: number;
  /** The first user message (repairs append turns after it). */
  user: string;
  /** How many repair turns the request carries (assistant messages). */
  repairs: number;
  messages: { role: string; content: string | null }[];
  time: number;
  /** What it got: HTTP status (0 for a hang) and the reply's kind. */
  status: number;
  kind: ScriptedReply['kind'] | 'unscripted';
  usage?: { promptTokens: number; completionTokens: number };
}

export type ScriptedHandler = (request: ScriptedRequest) => ScriptedReply;

const HEADER_RE = /^\[synthsmith prompt=([A-Za-z0-9_.-]+) version=\d+\]/;

export class ScriptedLlm {
  readonly requests: ScriptedRequest[] = [];
  private readonly queues = new Map<string, ScriptedReply[]>();
  private readonly handlers = new Map<string, ScriptedHandler>();
  private counter = 0;

  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<ScriptedLlm> {
    const server = http.createServer();
    const llm = new ScriptedLlm(server);
    server.on('request', (req, res) => void llm.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return llm;
  }

  get baseURL(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  /** The next requests for this prompt get these replies, in order, before any handler is asked. */
  queue(promptId: string, ...replies: ScriptedReply[]): this {
    this.queues.set(promptId, [...(this.queues.get(promptId) ?? []), ...replies]);
    return this;
  }

  /** Answers this prompt's requests once its queue is empty. */
  on(promptId: string, handler: ScriptedHandler): this {
    this.handlers.set(promptId, handler);
    return this;
  }

  /** Forget queued replies and handlers (the request log stays). */
  reset(): void {
    this.queues.clear();
    this.handlers.clear();
  }

  requestsFor(promptId: string): ScriptedRequest[] {
    return this.requests.filter((r) => r.promptId === promptId);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      // Ends kept-alive client connections and hung requests, so close() never waits on them.
      this.server.closeAllConnections();
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      return void sendJson(res, 404, { error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } });
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      model: string;
      n?: number;
      max_tokens?: number;
      messages: { role: string; content: string | null }[];
    };
    const system = body.messages[0]?.role === 'system' ? (body.messages[0].content ?? '') : '';
    const request: ScriptedRequest = {
      promptId: HEADER_RE.exec(system)?.[1] ?? null,
      model: body.model,
      n: body.n ?? 1,
      ...(body.max_tokens !== undefined ? { maxTokens: body.max_tokens } : {}),
      user: body.messages.find((m) => m.role === 'user')?.content ?? '',
      repairs: body.messages.filter((m) => m.role === 'assistant').length,
      messages: body.messages,
      time: Date.now(),
      status: 0,
      kind: 'unscripted',
    };
    this.requests.push(request);
    const key = request.promptId ?? '';
    const scripted = this.queues.get(key)?.shift() ?? this.handlers.get(key)?.(request);
    if (!scripted) {
      request.status = 400;
      return void sendJson(res, 400, { error: { message: `scripted LLM: nothing scripted for prompt ${key || '(no header)'}`, type: 'invalid_request_error' } });
    }
    request.kind = scripted.kind;
    switch (scripted.kind) {
      case 'hang':
        return;
      case 'garbage':
        request.status = 200;
        res.writeHead(200, { 'content-type': 'application/json' }).end(scripted.body);
        return;
      case 'error': {
        request.status = scripted.status;
        const type = scripted.status === 429 ? 'rate_limit_error' : scripted.status >= 500 ? 'server_error' : 'invalid_request_error';
        const headers: Record<string, string> = scripted.retryAfter !== undefined ? { 'retry-after': scripted.retryAfter } : {};
        return void sendJson(res, scripted.status, { error: { message: scripted.message ?? `scripted HTTP ${scripted.status}`, type, code: null } }, headers);
      }
      case 'answer': {
        request.status = 200;
        const choices = scripted.ignoresN
          ? scripted.choices
          : Array.from({ length: request.n }, (_, i) => scripted.choices[i % scripted.choices.length] as ScriptedChoice);
        const promptTokens = body.messages.reduce((s, m) => s + approxTokens(m.content ?? ''), 0);
        const completionTokens = choices.reduce((s, c) => s + approxTokens(c.content ?? c.refusal ?? ''), 0);
        request.usage = { promptTokens, completionTokens };
        return void sendJson(res, 200, {
          id: `chatcmpl-scripted-${++this.counter}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: body.model,
          choices: choices.map((c, index) => ({
            index,
            message: { role: 'assistant', content: c.content, refusal: c.refusal ?? null },
            finish_reason: c.finishReason ?? 'stop',
            logprobs: null,
          })),
          usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
        });
      }
    }
  }
}

function approxTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers }).end(payload);
}
