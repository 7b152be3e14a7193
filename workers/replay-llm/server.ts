/**
 * The replay provider: an OpenAI-compatible HTTP server (node:http, no framework) that answers chat
 * completions from a recorded corpus. It is not a model and never claims to be one: it routes on the
 * `[synthsmith prompt=<id> version=<n>]` header of the system message and on text the pipeline's prompts
 * embed verbatim (seed problem, integration strategy, statement), and answers what was recorded for it.
 * Tests and the demo reach it through the real `openai` client, so the wire format is OpenAI's.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { normalizeText, type ReplayCandidate, type ReplayCorpus, type ReplayTask } from './corpus';

export interface RecordedRequest {
  method: string;
  path: string;
  /** From the system header; null when absent (or for non-chat routes). */
  promptId: string | null;
  promptVersion: number | null;
  model: string | null;
  n: number;
  /** Arrival time, ms since the epoch. */
  time: number;
  /** HTTP status the server answered. */
  status: number;
  /** What answered: `seed:<id>`, `evolution:<i>`, `task:<id>`, `injected`; null for errors. */
  matched: string | null;
  /** Error message sent back, if any. */
  error?: string;
}

export interface FailureRule {
  /** Only requests for this prompt fail; any request when absent. */
  promptId?: string;
  status: number;
  /** How many matching requests fail before the rule is spent. */
  count: number;
  retryAfterSeconds?: number;
}

/** The one model id GET /v1/models lists; chat requests may name any model and get it echoed. */
export function replayModelId(corpus: ReplayCorpus): string {
  return `replay:${corpus.name}`;
}

const HEADER_RE = /^\[synthsmith prompt=([A-Za-z0-9_.-]+) version=(\d+)\]$/;
const MAX_BODY_BYTES = 32 * 1024 * 1024;

const ContentSchema = z.union([
  z.string(),
  z.null(),
  z.array(z.looseObject({ type: z.string(), text: z.string().optional() })),
]);
const ChatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(z.looseObject({ role: z.string(), content: ContentSchema.optional() })).min(1),
  n: z.number().int().min(1).max(128).nullish(),
  stream: z.boolean().nullish(),
});
type ChatRequest = z.infer<typeof ChatRequestSchema>;

/** An answer the server sends as an OpenAI-style error body. */
class ReplayHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string = 'invalid_request_error',
    readonly code: string = 'replay_bad_request',
    readonly headers: Record<string, string> = {}
  ) {
    super(message);
  }
}

function noMatch(promptId: string, what: string, user: string): ReplayHttpError {
  const head = user.slice(0, 120).replace(/\s+/g, ' ');
  return new ReplayHttpError(
    400,
    `replay provider: no recorded answer for prompt "${promptId}": ${what} (user message starts: "${head}")`,
    'invalid_request_error',
    'replay_no_match'
  );
}

function contentText(content: z.infer<typeof ContentSchema> | undefined): string {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  return content.map((part) => part.text ?? '').join('');
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The entry whose key occurs in the text; the longest wins so a short key can never shadow a longer one. */
function longestContained<T>(items: readonly T[], key: (item: T) => string | undefined, text: string): T | undefined {
  let best: { item: T; len: number } | undefined;
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    const needle = normalizeText(k);
    if (needle && text.includes(needle) && (!best || needle.length > best.len)) best = { item, len: needle.length };
  }
  return best?.item;
}

/** Solution answers look like a reasoning model's: prose, then exactly one python block. */
function solutionText(c: ReplayCandidate): string {
  return c.raw ?? `${c.reasoning.trim()}\n\n\`\`\`python\n${c.code.replace(/\s+$/, '')}\n\`\`\`\n`;
}

function approxTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

interface Answer {
  contents: string[];
  matched: string;
}

export class ReplayLlmServer {
  /** Every request, in arrival order, with the status it got. */
  readonly requests: RecordedRequest[] = [];
  private readonly failures: FailureRule[] = [];
  /** select-features: sha256(user message) → task index, so retries and repairs get the same task. */
  private readonly selectAssignments = new Map<string, number>();
  private nextSelectIndex = 0;
  private completionCounter = 0;
  private closed = false;

  private constructor(
    private readonly corpus: ReplayCorpus,
    private readonly host: string,
    private readonly server: http.Server
  ) {}

  static async start(opts: { corpus: ReplayCorpus; port?: number; host?: string }): Promise<ReplayLlmServer> {
    const host = opts.host ?? '127.0.0.1';
    const server = http.createServer();
    const replay = new ReplayLlmServer(opts.corpus, host, server);
    server.on('request', (req, res) => void replay.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return replay;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get baseURL(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `http://${host}:${this.port}/v1`;
  }

  /**
   * Answer the next `count` matching chat requests with `status` and an OpenAI-style error body (plus
   * `retry-after` when given): how tests stage 429 storms and 5xx outages. Rules are used in the order added.
   */
  failNext(rule: FailureRule): void {
    if (!Number.isInteger(rule.count) || rule.count < 1) throw new Error('failNext: count must be a positive integer');
    if (!Number.isInteger(rule.status) || rule.status < 400 || rule.status > 599) {
      throw new Error('failNext: status must be an HTTP error status (400-599)');
    }
    this.failures.push({ ...rule });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve, reject) => {
      this.server.close((err) => (err ? reject(err) : resolve()));
      // The openai client keeps connections alive; without this close() would wait for them to idle out.
      this.server.closeAllConnections();
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://replay.invalid');
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      promptId: null,
      promptVersion: null,
      model: null,
      n: 1,
      time: Date.now(),
      status: 0,
      matched: null,
    };
    try {
      const route = url.pathname.replace(/\/+$/, '');
      if (route === '/v1/models') {
        if (req.method !== 'GET') throw new ReplayHttpError(405, 'use GET for /v1/models');
        req.resume();
        this.send(res, record, 200, {
          object: 'list',
          data: [{ id: replayModelId(this.corpus), object: 'model', created: 0, owned_by: 'synthsmith-replay-provider' }],
        });
      } else if (route === '/v1/chat/completions') {
        if (req.method !== 'POST') throw new ReplayHttpError(405, 'use POST for /v1/chat/completions');
        await this.chatCompletions(req, res, record);
      } else {
        req.resume();
        throw new ReplayHttpError(404, `replay provider: no route ${req.method} ${url.pathname}`, 'invalid_request_error', 'not_found');
      }
    } catch (err) {
      const e =
        err instanceof ReplayHttpError
          ? err
          : new ReplayHttpError(500, `replay provider internal error: ${(err as Error).message}`, 'server_error', 'replay_internal');
      record.error = e.message;
      this.send(res, record, e.status, { error: { message: e.message, type: e.type, code: e.code } }, e.headers);
    }
  }

  private async chatCompletions(req: http.IncomingMessage, res: http.ServerResponse, record: RecordedRequest): Promise<void> {
    const body = await this.readJson(req);
    const parsed = ChatRequestSchema.safeParse(body);
    if (!parsed.success) {
      throw new ReplayHttpError(400, `replay provider: malformed chat request: ${z.prettifyError(parsed.error)}`);
    }
    const request = parsed.data;
    record.model = request.model;
    record.n = request.n ?? 1;

    const system = request.messages[0]?.role === 'system' ? contentText(request.messages[0].content) : '';
    const header = HEADER_RE.exec(normalizeText(system).split('\n')[0] ?? '');
    if (header) {
      record.promptId = header[1] ?? null;
      record.promptVersion = Number(header[2]);
    }

    // Injected failures come first, as a rate limiter in front of a real endpoint would.
    const rule = this.failures.find((r) => r.count > 0 && (r.promptId === undefined || r.promptId === record.promptId));
    if (rule) {
      rule.count--;
      record.matched = 'injected';
      throw new ReplayHttpError(
        rule.status,
        `replay provider: injected failure (HTTP ${rule.status})`,
        rule.status === 429 ? 'rate_limit_error' : rule.status >= 500 ? 'server_error' : 'invalid_request_error',
        rule.status === 429 ? 'rate_limit_exceeded' : 'replay_injected_failure',
        rule.retryAfterSeconds !== undefined ? { 'retry-after': String(rule.retryAfterSeconds) } : {}
      );
    }
    if (request.stream) throw new ReplayHttpError(400, 'streaming is not supported by the replay provider; send stream: false');
    if (!record.promptId) {
      throw new ReplayHttpError(
        400,
        'replay provider: the first line of messages[0] (role system) must be [synthsmith prompt=<id> version=<n>]',
        'invalid_request_error',
        'replay_no_match'
      );
    }
    const userMessage = request.messages.find((m) => m.role === 'user');
    if (!userMessage) throw new ReplayHttpError(400, 'replay provider: the request has no user message', 'invalid_request_error', 'replay_no_match');
    // Route on the FIRST user message: repair attempts append assistant/user turns but keep it unchanged.
    const user = normalizeText(contentText(userMessage.content));

    const answer = this.answer(record.promptId, user, record.n);
    record.matched = answer.matched;
    this.send(res, record, 200, this.completion(request, answer.contents));
  }

  private answer(promptId: string, user: string, n: number): Answer {
    const { corpus } = this;
    const repeat = (content: string, matched: string): Answer => ({ contents: Array.from({ length: n }, () => content), matched });
    switch (promptId) {
      case 'extract-features': {
        const seed = longestContained(corpus.seeds, (s) => s.problem, user);
        if (!seed) throw noMatch(promptId, 'no corpus seed problem is contained in the user message', user);
        return repeat(`<begin>\n${JSON.stringify(seed.features, null, 2)}\n<end>`, `seed:${seed.id}`);
      }
      case 'evolve-features': {
        // Any subtree gets an answer; the choice is a stable function of the content, so reruns agree.
        const index = parseInt(sha256(user).slice(0, 8), 16) % corpus.evolution.length;
        return repeat(`<begin>\n${JSON.stringify(corpus.evolution[index], null, 2)}\n<end>`, `evolution:${index}`);
      }
      case 'select-features': {
        const task = this.taskForSelection(user);
        const content = task.selectionRaw ?? `\`\`\`json\n${JSON.stringify(task.selection, null, 2)}\n\`\`\``;
        return repeat(content, `task:${task.id}`);
      }
      case 'write-statement':
      case 'write-statement-function': {
        const task = longestContained(corpus.tasks, (t) => t.selection?.integration_strategy, user);
        if (!task) throw noMatch(promptId, 'no corpus integration_strategy is contained in the user message', user);
        // The run decides the I/O mode (style drawn, tasks.leetcodeIo); an answer recorded for the other mode
        // would make a task the prompt did not ask for, so the mismatch is a rejected request, not a wrong answer.
        const { question, fn_name, starter_code, output } = task.statement;
        if ((promptId === 'write-statement-function') !== (fn_name !== undefined)) {
          throw noMatch(promptId, `task ${task.id} was recorded with ${fn_name ? 'function' : 'stdin/stdout'} I/O only`, user);
        }
        return repeat(JSON.stringify({ question, ...(fn_name ? { fn_name, starter_code } : {}), ...(output ? { output } : {}) }), `task:${task.id}`);
      }
      case 'solve':
      case 'solve-function': {
        const task = this.taskByStatement(promptId, user);
        const contents = Array.from({ length: n }, (_, i) => solutionText(task.candidates[i % task.candidates.length] as ReplayCandidate));
        return { contents, matched: `task:${task.id}` };
      }
      case 'write-tests':
      case 'write-tests-function': {
        const task = this.taskByStatement(promptId, user);
        const testCases = task.testInputs.map((input, i) => ({
          idx: i + 1,
          description: `recorded input ${i + 1}: ${input.split('\n').filter(Boolean).length} line(s), ${input.length} characters`,
          input_string: input,
        }));
        return repeat(JSON.stringify({ test_cases: testCases }), `task:${task.id}`);
      }
      case 'write-generator':
      case 'write-validator': {
        const task = this.taskByStatement(promptId, user);
        const kind = promptId === 'write-generator' ? 'generator' : 'validator';
        const code = task[kind];
        if (code === undefined) throw noMatch(promptId, `task ${task.id} has no recorded ${kind}`, user);
        return repeat(`Recorded ${kind} program of this task.\n\n\`\`\`python\n${code.replace(/\s+$/, '')}\n\`\`\`\n`, `task:${task.id}`);
      }
      // Adaptive tests. A task recorded without these answers gets what a model that cannot help would give (an
      // empty list, prose without code): the activity records it as unusable and the task goes on, whereas a 400
      // here would fail the task (a rejected request) and change the demo's outcomes.
      case 'write-separating-inputs': {
        const task = this.taskByStatement(promptId, user);
        const inputs = task.separatingInputs ?? [];
        return repeat(JSON.stringify({ reasoning: `recorded inputs of task ${task.id}`, inputs }), `task:${task.id}`);
      }
      case 'write-reference': {
        const task = this.taskByStatement(promptId, user);
        const content =
          task.reference === undefined
            ? 'No reference program was recorded for this task.'
            : `Recorded brute-force reference of this task.\n\n\`\`\`python\n${task.reference.replace(/\s+$/, '')}\n\`\`\`\n`;
        return repeat(content, `task:${task.id}`);
      }
      default:
        throw new ReplayHttpError(
          400,
          `replay provider: no recorded answers for prompt "${promptId}" (known: extract-features, evolve-features, select-features, write-statement, write-statement-function, solve, solve-function, write-tests, write-tests-function, write-generator, write-validator, write-separating-inputs, write-reference)`,
          'invalid_request_error',
          'replay_no_match'
        );
    }
  }

  /** Distinct contents take the corpus tasks in order of first appearance (cycling); a repeat gets its task again. */
  private taskForSelection(user: string): ReplayTask {
    const key = sha256(user);
    let index = this.selectAssignments.get(key);
    if (index === undefined) {
      index = this.nextSelectIndex++ % this.corpus.tasks.length;
      this.selectAssignments.set(key, index);
    }
    return this.corpus.tasks[index] as ReplayTask;
  }

  private taskByStatement(promptId: string, user: string): ReplayTask {
    const task = longestContained(this.corpus.tasks, (t) => t.statement.question, user);
    if (!task) throw noMatch(promptId, 'no corpus task statement is contained in the user message', user);
    return task;
  }

  private completion(request: ChatRequest, contents: string[]) {
    const promptTokens = request.messages.reduce((sum, m) => sum + approxTokens(contentText(m.content)), 0);
    const completionTokens = contents.reduce((sum, c) => sum + approxTokens(c), 0);
    return {
      id: `chatcmpl-replay-${++this.completionCounter}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      choices: contents.map((content, index) => ({
        index,
        message: { role: 'assistant', content },
        finish_reason: 'stop',
      })),
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    };
  }

  private async readJson(req: http.IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) throw new ReplayHttpError(413, 'replay provider: request body too large');
      chunks.push(chunk as Buffer);
    }
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch (err) {
      throw new ReplayHttpError(400, `replay provider: request body is not JSON (${(err as Error).message})`);
    }
  }

  private send(res: http.ServerResponse, record: RecordedRequest, status: number, body: unknown, headers: Record<string, string> = {}): void {
    record.status = status;
    this.requests.push(record);
    const payload = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      // Says what answered, for anyone inspecting traffic: recorded replies, not a model.
      'x-synthsmith-replay': 'recorded',
      ...headers,
    });
    res.end(payload);
  }
}
