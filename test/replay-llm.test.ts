/**
 * The replay provider, through the real `openai` client (what the pipeline uses), and the quality of the
 * recorded corpus itself: every candidate program really behaves as the task's `expect` says.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { functionProgram } from '../activities/sandbox/function-harness';
import { loadReplayCorpus, type ReplayCorpus, type ReplayTask } from '../workers/replay-llm/corpus';
import { ReplayLlmServer } from '../workers/replay-llm/server';

const MODEL = 'replay-test-model';

function header(promptId: string): string {
  return `[synthsmith prompt=${promptId} version=1]`;
}

type Msg = { role: 'system' | 'user' | 'assistant'; content: string };

function messagesFor(promptId: string, user: string): Msg[] {
  return [
    { role: 'system', content: `${header(promptId)}\nYou are a test harness.` },
    { role: 'user', content: user },
  ];
}

function ask(client: OpenAI, promptId: string, user: string, opts: { n?: number; extra?: Msg[] } = {}) {
  return client.chat.completions.create({
    model: MODEL,
    messages: [...messagesFor(promptId, user), ...(opts.extra ?? [])],
    ...(opts.n ? { n: opts.n } : {}),
  });
}

async function rejection(p: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(OpenAI.APIError);
    return err as InstanceType<typeof OpenAI.APIError>;
  }
  throw new Error('expected the request to fail');
}

function between(text: string, begin: string, end: string): unknown {
  const s = text.indexOf(begin);
  const e = text.lastIndexOf(end);
  expect(s).toBeGreaterThanOrEqual(0);
  expect(e).toBeGreaterThan(s);
  return JSON.parse(text.slice(s + begin.length, e));
}

function unfence(text: string): unknown {
  return JSON.parse(text.replace(/```(?:json)?/g, '').trim());
}

function taskBy(corpus: ReplayCorpus, expectation: ReplayTask['expect']): ReplayTask {
  const task = corpus.tasks.find((t) => t.expect === expectation);
  if (!task) throw new Error(`corpus has no ${expectation} task`);
  return task;
}

let corpus: ReplayCorpus;
beforeAll(async () => {
  corpus = await loadReplayCorpus();
});

describe('replay provider through the openai client', () => {
  let server: ReplayLlmServer;
  let client: OpenAI;

  beforeEach(async () => {
    server = await ReplayLlmServer.start({ corpus });
    client = new OpenAI({ baseURL: server.baseURL, apiKey: 'test', maxRetries: 0 });
  });
  afterEach(async () => {
    await server.close();
  });

  it('extract-features answers the seed features between <begin> and <end>, in an OpenAI-shaped completion', async () => {
    for (const seed of corpus.seeds) {
      // CRLF in the prompt must not defeat the match.
      const user = `Extract the features.\r\n\r\n## Problem\r\n${seed.problem.replace(/\n/g, '\r\n')}\r\n\r\n## Solution\r\n${seed.solution}`;
      const res = await ask(client, 'extract-features', user);
      expect(res.object).toBe('chat.completion');
      expect(res.model).toBe(MODEL);
      expect(res.id).toMatch(/^chatcmpl-/);
      expect(res.choices).toHaveLength(1);
      const choice = res.choices[0]!;
      expect(choice.index).toBe(0);
      expect(choice.finish_reason).toBe('stop');
      expect(choice.message.role).toBe('assistant');
      expect(between(choice.message.content ?? '', '<begin>', '<end>')).toEqual(seed.features);
      expect(res.usage!.prompt_tokens).toBeGreaterThan(0);
      expect(res.usage!.total_tokens).toBe(res.usage!.prompt_tokens + res.usage!.completion_tokens);
      expect(server.requests.at(-1)).toMatchObject({ promptId: 'extract-features', model: MODEL, n: 1, status: 200, matched: `seed:${seed.id}` });
    }
  });

  it('evolve-features answers a recorded evolution tree, the same one for the same content', async () => {
    const user = '<tree>\n{"algorithm": {"sliding window": ["fixed-size window sum"]}}\n</tree>';
    const first = between((await ask(client, 'evolve-features', user)).choices[0]!.message.content ?? '', '<begin>', '<end>');
    const again = between((await ask(client, 'evolve-features', user)).choices[0]!.message.content ?? '', '<begin>', '<end>');
    expect(corpus.evolution).toContainEqual(first);
    expect(again).toEqual(first);
  });

  it('select-features gives tasks in order of first appearance, idempotently, cycling, and replays malformed answers', async () => {
    const subtree = (i: number) => `<features>\n{"algorithm": {"family ${i}": ["feature ${i}"]}}\n</features>`;
    const expectSelection = (content: string, task: ReplayTask) => {
      if (task.selectionRaw !== undefined) expect(content).toBe(task.selectionRaw);
      else expect(unfence(content)).toEqual(task.selection);
    };
    for (let i = 0; i < corpus.tasks.length; i++) {
      const res = await ask(client, 'select-features', subtree(i));
      expectSelection(res.choices[0]!.message.content ?? '', corpus.tasks[i]!);
    }
    // A repair attempt keeps the first user message and appends turns: same task, same (possibly bad) answer.
    const rawIndex = corpus.tasks.findIndex((t) => t.selectionRaw !== undefined);
    const repair: Msg[] = [
      { role: 'assistant', content: 'previous answer' },
      { role: 'user', content: 'Your answer could not be used: the JSON is invalid. Answer again.' },
    ];
    for (const i of [0, rawIndex, 1]) {
      const res = await ask(client, 'select-features', subtree(i), { extra: repair });
      expectSelection(res.choices[0]!.message.content ?? '', corpus.tasks[i]!);
    }
    // Contents beyond the corpus cycle back to the first task.
    const next = await ask(client, 'select-features', subtree(corpus.tasks.length));
    expectSelection(next.choices[0]!.message.content ?? '', corpus.tasks[0]!);
  });

  it('write-statement answers {"question"} for the task whose integration strategy the prompt contains', async () => {
    for (const task of corpus.tasks.filter((t) => t.selection && !t.statement.fn_name)) {
      const user = `Write the problem.\n\nSelected features:\n${JSON.stringify(task.selection!.selected_features_tree)}\n\nIntegration strategy:\n${task.selection!.integration_strategy}`;
      const res = await ask(client, 'write-statement', user);
      expect(JSON.parse(res.choices[0]!.message.content ?? '')).toEqual({ question: task.statement.question });
    }
  });

  it('write-statement-function answers {"question", "fn_name", "starter_code"}, and each mode only for its own tasks', async () => {
    const plan = (task: ReplayTask) => `Write the problem.\n\nIntegration strategy:\n${task.selection!.integration_strategy}`;
    const fn = corpus.tasks.find((t) => t.statement.fn_name)!;
    const res = await ask(client, 'write-statement-function', plan(fn));
    expect(JSON.parse(res.choices[0]!.message.content ?? '')).toEqual(fn.statement);
    // A run that drew the other I/O mode gets a rejected request naming the task, never a statement of the wrong kind.
    expect((await rejection(ask(client, 'write-statement', plan(fn)))).message).toMatch(/calm-stretch was recorded with function I\/O only/);
    const stdio = taskBy(corpus, 'kept');
    expect((await rejection(ask(client, 'write-statement-function', plan(stdio)))).message).toMatch(/recorded with stdin\/stdout I\/O only/);
  });

  it('solve answers n choices, cycling through the candidates, each as reasoning plus one python block', async () => {
    const task = taskBy(corpus, 'kept');
    const user = `Solve the following problem.\n\n${task.statement.question}`;
    const res = await ask(client, 'solve', user, { n: task.candidates.length + 2 });
    expect(res.choices).toHaveLength(task.candidates.length + 2);
    res.choices.forEach((choice, i) => {
      const cand = task.candidates[i % task.candidates.length]!;
      expect(choice.index).toBe(i);
      expect(choice.message.content).toBe(`${cand.reasoning}\n\n\`\`\`python\n${cand.code}\n\`\`\`\n`);
    });
    expect(server.requests.at(-1)).toMatchObject({ promptId: 'solve', n: task.candidates.length + 2, matched: `task:${task.id}` });
    const single = await ask(client, 'solve', user);
    expect(single.choices).toHaveLength(1);
  });

  it('solve returns a candidate with raw content literally', async () => {
    const task = taskBy(corpus, 'kept');
    const patched: ReplayCorpus = {
      ...corpus,
      tasks: corpus.tasks.map((t) =>
        t === task ? { ...t, candidates: [{ ...t.candidates[0]!, raw: 'I ran out of time; no code this round.' }] } : t
      ),
    };
    const other = await ReplayLlmServer.start({ corpus: patched });
    try {
      const c = new OpenAI({ baseURL: other.baseURL, apiKey: 'test', maxRetries: 0 });
      const res = await ask(c, 'solve', task.statement.question, { n: 2 });
      expect(res.choices.map((ch) => ch.message.content)).toEqual(Array(2).fill('I ran out of time; no code this round.'));
    } finally {
      await other.close();
    }
  });

  it('write-tests answers the recorded inputs as test_cases', async () => {
    for (const task of corpus.tasks.filter((t) => t.selection)) {
      const res = await ask(client, 'write-tests', `Write 12 test inputs for the problem below.\n\n${task.statement.question}`);
      const body = JSON.parse(res.choices[0]!.message.content ?? '') as {
        test_cases: { idx: number; description: string; input_string: string }[];
      };
      expect(body.test_cases.map((t) => t.input_string)).toEqual(task.testInputs);
      expect(body.test_cases.map((t) => t.idx)).toEqual(task.testInputs.map((_, i) => i + 1));
      for (const t of body.test_cases) expect(t.description.length).toBeGreaterThan(0);
    }
  });

  it('failNext answers 429 with retry-after as a real APIError, only for the named prompt, then recovers', async () => {
    const task = taskBy(corpus, 'kept');
    server.failNext({ promptId: 'solve', status: 429, count: 2, retryAfterSeconds: 7 });

    // Another prompt is not affected by the rule.
    await ask(client, 'write-tests', task.statement.question);
    for (let i = 0; i < 2; i++) {
      const err = await rejection(ask(client, 'solve', task.statement.question));
      expect(err).toBeInstanceOf(OpenAI.RateLimitError);
      expect(err.status).toBe(429);
      expect(err.headers?.get('retry-after')).toBe('7');
      expect(err.code).toBe('rate_limit_exceeded');
      expect(err.message).toContain('injected failure');
    }
    const ok = await ask(client, 'solve', task.statement.question);
    expect(ok.choices).toHaveLength(1);

    server.failNext({ status: 503, count: 1 });
    const outage = await rejection(ask(client, 'write-tests', task.statement.question));
    expect(outage).toBeInstanceOf(OpenAI.InternalServerError);
    expect(outage.status).toBe(503);
    expect(outage.headers?.get('retry-after')).toBeNull();
    await ask(client, 'write-tests', task.statement.question);

    expect(server.requests.map((r) => [r.promptId, r.status])).toEqual([
      ['write-tests', 200],
      ['solve', 429],
      ['solve', 429],
      ['solve', 200],
      ['write-tests', 503],
      ['write-tests', 200],
    ]);
  });

  it('answers what it cannot match with a clear 400 error', async () => {
    const unknownStatement = await rejection(ask(client, 'solve', '# Some Problem Nobody Recorded\n\nAdd two numbers.'));
    expect(unknownStatement).toBeInstanceOf(OpenAI.BadRequestError);
    expect(unknownStatement.status).toBe(400);
    expect(unknownStatement.message).toContain('no corpus task statement is contained in the user message');
    expect(unknownStatement.message).toContain('Some Problem Nobody Recorded');

    const unknownSeed = await rejection(ask(client, 'extract-features', 'a problem that is not a seed'));
    expect(unknownSeed.message).toContain('no corpus seed problem');

    const unknownPrompt = await rejection(ask(client, 'summarise', 'anything'));
    expect(unknownPrompt.message).toContain('no recorded answers for prompt "summarise"');

    const noHeader = await rejection(
      client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hello' }] })
    );
    expect(noHeader.status).toBe(400);
    expect(noHeader.message).toContain('[synthsmith prompt=<id> version=<n>]');

    const streaming = await rejection(
      client.chat.completions.create({ model: MODEL, messages: messagesFor('solve', 'x'), stream: true })
    );
    expect(streaming.status).toBe(400);
    expect(streaming.message).toContain('streaming is not supported by the replay provider');

    expect(server.requests.every((r) => r.status === 400 && r.error)).toBe(true);
  });

  it('lists its model on GET /v1/models', async () => {
    const page = await client.models.list();
    expect(page.data.map((m) => m.id)).toEqual([`replay:${corpus.name}`]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Corpus quality: run our own trusted fixtures with plain python3 (no sandbox needed) and check each task's
// intended property. Runs go in parallel so the deliberate infinite loops time out together.

interface Run {
  ok: boolean;
  timedOut: boolean;
  stdout: string;
}

/**
 * The interpreter behind `python3`, resolved once: version-manager shims (pyenv) cost ~60 ms per start,
 * which over ~170 runs would be most of this test's time. Runs also pass -S (no `site` initialisation):
 * the fixtures use only the standard library, and start-up gets ~5x cheaper.
 */
function resolvePython(): string {
  const probe = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  return probe.status === 0 && probe.stdout.trim() ? probe.stdout.trim() : 'python3';
}

function runPython(python: string, code: string, input: string, timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(python, ['-S', '-c', code], { stdio: ['pipe', 'pipe', 'ignore'] });
    let stdout = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ ok: !timedOut && exitCode === 0, timedOut, stdout });
    });
    child.on('error', () => resolve({ ok: false, timedOut: false, stdout: '' })); // e.g. python3 missing
    child.stdin.on('error', () => {}); // a program may exit before reading its input (EPIPE)
    child.stdin.end(input);
  });
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Same normalisation as the judge: trailing blanks of lines and outer blank space never matter. */
function norm(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .trim();
}

/** outputs[candidate][test]: the normalised stdout of a successful run, or null for crash/timeout. */
type Outputs = (string | null)[][];

/** Plurality label per test among successful runs; null when none succeeded; 'tie' when the top is shared. */
function plurality(outputs: Outputs, test: number): string | null | 'tie' {
  const counts = new Map<string, number>();
  for (const row of outputs) {
    const o = row[test];
    if (o !== null && o !== undefined && o !== '') counts.set(o, (counts.get(o) ?? 0) + 1);
  }
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  if (sorted.length === 0) return null;
  if (sorted.length > 1 && sorted[1]![1] === sorted[0]![1]) return 'tie';
  return sorted[0]![0];
}

function* combinations(n: number, k: number, start = 0, acc: number[] = []): Generator<number[]> {
  if (acc.length === k) {
    yield [...acc];
    return;
  }
  for (let i = start; i <= n - (k - acc.length); i++) {
    acc.push(i);
    yield* combinations(n, k, i + 1, acc);
    acc.pop();
  }
}

/**
 * Paper §5 Algorithm 1 over EVERY 50/50 split (so the fixture does not hinge on one seed): size-quartile
 * weights 1..4 by input byte length, weighted argmax on the golden half, unweighted argmax on the held-out
 * half, first maximum on ties. Returns the golden candidate per split, or null where the task is discarded.
 */
function dualVerifyAllSplits(outputs: Outputs, inputs: string[]): (number | null)[] {
  const n = inputs.length;
  const labels = inputs.map((_, t) => plurality(outputs, t));
  const agree = outputs.map((row) => row.map((o, t) => o !== null && o === labels[t]));
  const bySize = inputs.map((_, t) => t).sort((a, b) => Buffer.byteLength(inputs[a]!) - Buffer.byteLength(inputs[b]!) || a - b);
  const weight = new Array<number>(n);
  bySize.forEach((t, rank) => (weight[t] = 1 + Math.floor((4 * rank) / n)));
  const argmaxFirst = (xs: number[]) => xs.indexOf(Math.max(...xs));
  const results: (number | null)[] = [];
  for (const golden of combinations(n, Math.ceil(n / 2))) {
    const heldOut = inputs.map((_, t) => t).filter((t) => !golden.includes(t));
    const jStar = argmaxFirst(agree.map((row) => golden.reduce((s, t) => s + (row[t] ? weight[t]! : 0), 0)));
    const jDagger = argmaxFirst(agree.map((row) => heldOut.filter((t) => row[t]).length));
    results.push(jStar === jDagger ? jStar : null);
  }
  return results;
}

describe('replay corpus quality', () => {
  it('seeds.jsonl holds exactly the corpus seeds', () => {
    const file = path.resolve(__dirname, '..', 'workers', 'demo-data', 'seeds.jsonl');
    const seeds = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { id: string; problem: string; solution: string });
    expect(seeds).toHaveLength(3);
    expect(seeds).toEqual(corpus.seeds.map(({ id, problem, solution }) => ({ id, problem, solution })));
  });

  it('statements are Codeforces-style markdown and strategies are distinct one-liners', () => {
    const written = corpus.tasks.filter((t) => t.selection);
    for (const task of written.filter((t) => t.statement.fn_name)) {
      // LeetCode style with function I/O: examples as call arguments, constraints last, starter code for the method.
      const q = task.statement.question;
      for (const part of ['Example 1', 'Input: ', 'Output: ', 'Constraints']) expect(q).toContain(part);
      expect(task.statement.starter_code).toContain(`def ${task.statement.fn_name}(self`);
      expect(q.split(/\s+/).length).toBeGreaterThan(200);
    }
    for (const task of written.filter((t) => !t.statement.fn_name)) {
      const q = task.statement.question;
      expect(q).toMatch(/^# \S/);
      for (const section of ['## Input', '## Output', '## Example']) expect(q).toContain(section);
      // The paper drops statements under 200 tokens; stay clear of that filter by any token count.
      expect(q.split(/\s+/).length).toBeGreaterThan(200);
    }
    const strategies = written.map((t) => t.selection!.integration_strategy);
    expect(new Set(strategies).size).toBe(strategies.length);
  });

  it('test inputs survive the pipeline intake unchanged: non-empty, newline-terminated, distinct, distinct sizes', () => {
    for (const task of corpus.tasks.filter((t) => t.expect !== 'invalid_llm_output')) {
      for (const input of task.testInputs) {
        expect(input.trim().length, task.id).toBeGreaterThan(0);
        expect(input.endsWith('\n') && !input.includes('\r'), task.id).toBe(true);
      }
      expect(new Set(task.testInputs).size, task.id).toBe(task.testInputs.length);
    }
    // Size quartiles decide the weights; equal sizes would make them depend on tie order.
    const stretch = taskBy(corpus, 'too_few_witnesses');
    expect(new Set(stretch.testInputs.map((i) => Buffer.byteLength(i))).size).toBe(stretch.testInputs.length);
  });

  it('every candidate behaves as its task expects', { timeout: 30_000 }, async () => {
    const checked = corpus.tasks.filter((t) => t.expect !== 'invalid_llm_output');
    // Tasks whose runs must all fail hold the deliberate infinite loop: they get the pipeline's own 1 s limit
    // and go first so their timeouts overlap the other runs. Runs meant to succeed take < 0.2 s; they get 2 s.
    const ordered = [...checked].sort((a, b) => Number(b.expect === 'no_labelled_tests') - Number(a.expect === 'no_labelled_tests'));
    const jobs = ordered.flatMap((task) =>
      task.candidates.flatMap((cand, c) =>
        task.testInputs.map((input, t) => ({
          task,
          c,
          t,
          // Function I/O candidates run inside the same harness the sandbox uses.
          code: task.statement.fn_name ? functionProgram(cand.code, task.statement.fn_name) : cand.code,
          input,
          timeoutMs: task.expect === 'no_labelled_tests' ? 1000 : 2000,
        }))
      )
    );
    const python = resolvePython();
    const limit = Math.max(4, Math.min(8, os.availableParallelism() * 2));
    const runs = await mapLimit(jobs, limit, (j) => runPython(python, j.code, j.input, j.timeoutMs));
    const outputsOf = new Map<string, Outputs>(
      checked.map((task) => [task.id, task.candidates.map(() => task.testInputs.map(() => null as string | null))])
    );
    jobs.forEach((j, i) => {
      const run = runs[i]!;
      outputsOf.get(j.task.id)![j.c]![j.t] = run.ok ? norm(run.stdout) : null;
    });

    for (const task of checked) {
      const outputs = outputsOf.get(task.id)!;
      const tests = task.testInputs.map((_, t) => t);
      const where = (c: number) => `${task.id} candidate ${c} (${task.candidates[c]!.note})`;
      if (task.expect === 'kept') {
        const correct = task.candidates.flatMap((c, i) => (c.correct ? [i] : []));
        expect(correct.length, task.id).toBeGreaterThanOrEqual(2);
        const reference = outputs[correct[0]!]!;
        for (const t of tests) expect(reference[t], `${task.id} test ${t}: correct candidate failed`).not.toBeNull();
        for (const c of correct) expect(outputs[c], where(c)).toEqual(reference);
        task.candidates.forEach((cand, c) => {
          if (!cand.correct) expect(tests.some((t) => outputs[c]![t] !== reference[t]), where(c)).toBe(true);
        });
        // Under the paper's verification every split keeps the task with a correct golden solution.
        for (const golden of dualVerifyAllSplits(outputs, task.testInputs)) {
          expect(golden, task.id).not.toBeNull();
          expect(task.candidates[golden!]!.correct, task.id).toBe(true);
        }
      } else if (task.expect === 'no_labelled_tests') {
        outputs.forEach((row, c) => expect(row.every((o) => o === null), where(c)).toBe(true));
      } else if (task.expect === 'too_few_witnesses') {
        // Every candidate behaves differently somewhere: no behaviour has a second program behind it...
        outputs.forEach((row, c) => outputs.forEach((other, d) => d > c && expect(JSON.stringify(row) === JSON.stringify(other), `${where(c)} vs ${d}`).toBe(false)));
        for (const t of tests) {
          const label = plurality(outputs, t);
          expect(label === null || label === 'tie', `${task.id} test ${t} needs a strict plurality`).toBe(false);
        }
        // No candidate is right everywhere, every candidate is right somewhere...
        outputs.forEach((row, c) => {
          const agreeing = tests.filter((t) => row[t] === plurality(outputs, t)).length;
          expect(agreeing, where(c)).toBeGreaterThan(0);
          expect(agreeing, where(c)).toBeLessThan(tests.length);
        });
        // ...and, under the paper's algorithm, the camps are arranged so the held-out half never confirms the weighted winner.
        expect(dualVerifyAllSplits(outputs, task.testInputs).every((g) => g === null), task.id).toBe(true);
      }
    }
  });
});
