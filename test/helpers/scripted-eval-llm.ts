/**
 * A scripted OpenAI-compatible chat endpoint for evaluation tests: for each problem (found by a marker such
 * as "[lcb-s1]" in the prompt) and model, it answers the chosen completions, in order, as the `n` choices.
 * It records every request so tests can check the sampling parameters that reached the server.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** model → prompt marker → completions (choice i gets completions[i % length]). */
export type EvalScript = Record<string, Record<string, string[]>>;

export interface ScriptedRequest {
  model: string;
  n: number;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  max_tokens?: number;
}

export class ScriptedEvalLlm {
  readonly requests: ScriptedRequest[] = [];

  private constructor(
    private readonly server: http.Server,
    private readonly script: EvalScript
  ) {}

  static async start(script: EvalScript): Promise<ScriptedEvalLlm> {
    const server = http.createServer();
    const llm = new ScriptedEvalLlm(server, script);
    server.on('request', (req, res) => void llm.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return llm;
  }

  get baseURL(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) return send(404, { error: { message: 'not found' } });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ScriptedRequest & { messages: { content: string }[] };
    const n = body.n ?? 1;
    this.requests.push({ model: body.model, n, temperature: body.temperature, top_p: body.top_p, top_k: body.top_k, max_tokens: body.max_tokens });
    const prompt = body.messages.map((m) => m.content).join('\n');
    const byMarker = this.script[body.model] ?? {};
    const marker = Object.keys(byMarker).find((m) => prompt.includes(m));
    if (!marker) return send(400, { error: { message: `no scripted answer for this prompt (model ${body.model})` } });
    const answers = byMarker[marker]!;
    send(200, {
      id: `chatcmpl-${this.requests.length}`,
      object: 'chat.completion',
      created: 0,
      model: body.model,
      choices: Array.from({ length: n }, (_, i) => ({
        index: i,
        message: { role: 'assistant', content: answers[i % answers.length] },
        finish_reason: 'stop',
      })),
      usage: { prompt_tokens: 10, completion_tokens: 10 * n, total_tokens: 10 + 10 * n },
    });
  }
}
