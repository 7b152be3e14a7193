/**
 * The witness policy through the whole pipeline (real dev server, sandbox, scripted replay LLM):
 *  - a task whose four candidates are all wrong, each in its own way, but agree on every prompted input: with
 *    prompted tests only it is kept with a wrong golden (the failure this policy exists for); with the
 *    generator's inputs the four behaviours separate and the task is discarded;
 *  - a "print any optimal answer" task whose correct candidates print different valid answers: the task writer's
 *    testlib checker groups them, the task is kept with a correct golden, and the RL record carries the checker.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import type { StatementRecord, TestsRecord } from '../activities/llm/records';
import type { MatrixRecord } from '../activities/sandbox/matrix';
import type { RlRecord } from '../activities/store/dataset-records';
import { ContentStore } from '../activities/store/content-store';
import type { VerificationRecord } from '../activities/verify/activities';
import { createOrchestratorWorker, createSandboxWorker } from '../workers/create-workers';
import { loadReplayCorpus, type ReplayCorpus, type ReplayTask } from '../workers/replay-llm/corpus';
import { ReplayLlmServer } from '../workers/replay-llm/server';
import type { PipelineConfigInput } from '../workflows/config';
import type { PipelineSummary, TaskOutcome } from '../workflows/types';
import { DEMO_CORPUS_PATH, startHarness, withWorkers, type PipelineHarness } from './helpers/pipeline-harness';

/** Easy trails: the best trip is 2+ days, starts after day 1, ends before the last day, and gains altitude. */
const EASY_TRAILS = ['5\n-1 3 4 -2 -1\n', '6\n-5 2 2 -9 1 -3\n', '4\n-2 5 5 -1\n', '7\n-3 1 -1 6 2 -4 -2\n', '5\n0 -1 2 3 -5\n', '6\n-1 -2 4 1 -7 -1\n'];

const POSTAGE_OUTPUT = `## Output

Print the smallest number k of stamps whose values add up to exactly X on the first line, and the values of
those k stamps on the second line, separated by spaces, in any order. If several sets of k stamps add up to X,
print any of them. If no set of stamps adds up to exactly X, print -1 alone. A parcel with X = 0 needs no stamps:
print 0 and an empty second line.`;

const POSTAGE_CHECKER = `#include "testlib.h"
#include <set>
int main(int argc, char* argv[]) {
  registerTestlibCmd(argc, argv);
  int m = inf.readInt();
  long long x = inf.readLong();
  std::set<long long> kinds;
  for (int i = 0; i < m; i++) kinds.insert(inf.readLong());
  int best = ans.readInt(-1, 1000000, "k");
  int k = ouf.readInt(-1, 1000000, "k");
  if (k == -1) {
    if (best == -1) quitf(_ok, "no set of stamps");
    quitf(_wa, "says -1, but %d stamps suffice", best);
  }
  long long sum = 0;
  for (int i = 0; i < k; i++) {
    long long v = ouf.readLong();
    if (!kinds.count(v)) quitf(_wa, "%lld is not a stamp value", v);
    sum += v;
  }
  if (sum != x) quitf(_wa, "the stamps add up to %lld, not %lld", sum, x);
  if (best != -1 && k > best) quitf(_wa, "%d stamps, but %d suffice", k, best);
  quitf(_ok, "%d stamps", k);
}
`;

const DP_RECONSTRUCT = `m, x = map(int, input().split())
coins = list(map(int, input().split()))
INF = float('inf')
best = [0] + [INF] * x
last = [0] * (x + 1)
for amount in range(1, x + 1):
    for c in coins:
        if c <= amount and best[amount - c] + 1 < best[amount]:
            best[amount] = best[amount - c] + 1
            last[amount] = c
if best[x] == INF:
    print(-1)
else:
    used = []
    while x:
        used.append(last[x])
        x -= last[x]
    print(len(used))
    print(*sorted(used))
`;

const BFS_PATH = `import sys
from collections import deque
data = sys.stdin.read().split()
m, x = int(data[0]), int(data[1])
coins = sorted(set(int(v) for v in data[2:2 + m]), reverse=True)
parent = [-1] * (x + 1)
parent[0] = 0
queue = deque([0])
while queue:
    cur = queue.popleft()
    for c in coins:
        nxt = cur + c
        if nxt <= x and parent[nxt] == -1:
            parent[nxt] = c
            queue.append(nxt)
if parent[x] == -1:
    print(-1)
else:
    used = []
    while x:
        used.append(parent[x])
        x -= parent[x]
    print(len(used))
    print(*used)
`;

const DP_LATE_TIES = `m, x = map(int, input().split())
coins = list(map(int, input().split()))[::-1]
INF = 10 ** 9
best = [0] + [INF] * x
last = [0] * (x + 1)
for amount in range(1, x + 1):
    for c in coins:
        if c <= amount and best[amount - c] + 1 <= best[amount]:
            best[amount] = best[amount - c] + 1
            last[amount] = c
if best[x] >= INF:
    print(-1)
else:
    used = []
    while x:
        used.append(last[x])
        x -= last[x]
    print(len(used))
    print(*sorted(used, reverse=True))
`;

const GREEDY = `m, x = map(int, input().split())
coins = sorted(map(int, input().split()), reverse=True)
used = []
for c in coins:
    while x >= c:
        used.append(c)
        x -= c
if x:
    print(-1)
else:
    print(len(used))
    print(*used)
`;

function doctored(corpus: ReplayCorpus): ReplayCorpus {
  const tasks = corpus.tasks.map((t): ReplayTask => {
    if (t.id === 'best-stretch') return { ...t, testInputs: EASY_TRAILS };
    if (t.id !== 'exact-postage') return t;
    const question = t.statement.question.replace(/## Output[\s\S]*?(?=## Example)/, `${POSTAGE_OUTPUT}\n\n`).replace(/### Output\n```\n2\n```/, '### Output\n```\n2\n3 3\n```');
    const answer = (note: string, code: string, correct: boolean) => ({ reasoning: `Approach: ${note}.`, code, correct, note });
    return {
      ...t,
      statement: { ...t.statement, question, output: { kind: 'any_valid', checker: POSTAGE_CHECKER } },
      candidates: [
        answer('table over all amounts, first coin that improves', DP_RECONSTRUCT, true),
        answer('shortest path over amounts, largest stamp first', BFS_PATH, true),
        answer('table over all amounts, last coin that ties', DP_LATE_TIES, true),
        answer('greedy largest-first', GREEDY, false),
      ],
    };
  });
  return { ...corpus, tasks };
}

describe('the witness policy in the pipeline', () => {
  let h: PipelineHarness;
  let llm: ReplayLlmServer;
  let corpus: ReplayCorpus;
  let store: ContentStore;
  beforeAll(async () => {
    h = await startHarness(inject('temporalAddress'));
    corpus = doctored(await loadReplayCorpus(DEMO_CORPUS_PATH));
    llm = await ReplayLlmServer.start({ corpus });
    store = new ContentStore(h.env.dataDir);
  }, 60_000);
  afterAll(async () => {
    await llm?.close();
    await h?.close();
  });

  const run = async (overrides: Partial<PipelineConfigInput>, name: string): Promise<PipelineSummary> => {
    const base = h.config({ training: { enabled: false }, ...overrides });
    const config = { ...base, llm: { ...base.llm, baseURL: llm.baseURL } };
    const orchestrator = await createOrchestratorWorker({ connection: h.connection, env: h.env });
    const sandbox = await createSandboxWorker({ connection: h.connection, env: h.env });
    return (await withWorkers([orchestrator, sandbox], () =>
      h.client.workflow.execute('synthSmithPipeline', { taskQueue: h.env.taskQueues.orchestrator, workflowId: `${name}-${Date.now()}`, args: [config] }),
    )) as PipelineSummary;
  };
  // One run with the generator serves both tests (a pipeline run costs minutes on a busy 2-core machine).
  let withGenerator: Promise<PipelineSummary> | undefined;
  const generatorRun = (): Promise<PipelineSummary> => (withGenerator ??= run({ tests: { count: 12, methods: ['prompted', 'generator'] } }, 'witness-generator'));
  const byId = async (summary: PipelineSummary, id: string): Promise<TaskOutcome> => {
    const task = corpus.tasks.find((t) => t.id === id)!;
    for (const o of summary.tasks.outcomes) {
      if (!o.lineage.statementKey) continue;
      const s = await store.getJson<StatementRecord>(o.lineage.statementKey);
      if (s.question === task.statement.question.trim()) return o;
    }
    throw new Error(`no outcome for ${id}`);
  };

  it('all-wrong candidates that agree on the prompted inputs: kept with a wrong golden without a generator, discarded once generated inputs separate them', async () => {
    const stretch = corpus.tasks.find((t) => t.id === 'best-stretch')!;
    const prompted = await run({ tests: { count: 12 } }, 'witness-prompted');
    const fooled = await byId(prompted, 'best-stretch');
    expect(fooled.status).toBe('kept');
    expect(stretch.candidates[fooled.goldenIndex!]!.correct).toBe(false);

    const generated = await generatorRun();
    const o = await byId(generated, 'best-stretch');
    expect(o).toMatchObject({ status: 'discarded', reason: 'too_few_witnesses' });
    const record = await store.getJson<VerificationRecord>(o.lineage.verificationKey!);
    // Four candidates, four behaviours once the generator's inputs are in: no program backed by a second.
    expect(record.result.witness).toMatchObject({ clusterCount: 4 });
    const tests = await store.getJson<TestsRecord>(o.lineage.testsKey!);
    expect(tests.tests.filter((t) => t.source === 'prompted').map((t) => t.input)).toEqual(EASY_TRAILS);
    expect(tests.tests.some((t) => t.source === 'generator')).toBe(true);
  }, 600_000);

  it('a task with several valid answers is kept through its checker, and the RL record carries it', async () => {
    const summary = await generatorRun();
    const o = await byId(summary, 'exact-postage');
    expect(o.status).toBe('kept');
    const postage = corpus.tasks.find((t) => t.id === 'exact-postage')!;
    expect(postage.candidates[o.goldenIndex!]!.correct).toBe(true);
    const matrix = await store.getJson<MatrixRecord>(o.lineage.matrixKey!);
    expect(matrix.checkerFailure).toBeUndefined();
    const record = await store.getJson<VerificationRecord>(o.lineage.verificationKey!);
    // The three correct programs print different valid sets of stamps, yet form one cluster.
    expect(record.result.witness?.clusters[0]).toMatchObject({ witnesses: 3 });
    // ...although, byte for byte, two of them disagree on some test.
    const outputs = (i: number): string[] => matrix.cells[i]!.map((c) => c.stdout);
    expect(outputs(2).some((out, t) => out !== outputs(0)[t])).toBe(true);

    const rl = (await readFile(summary.datasets!.paths.rl, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as RlRecord);
    const rec = rl.find((r) => r.prompt.includes('in any order'))!;
    expect(rec.checker).toMatchObject({ kind: 'testlib' });
    expect(rec.reliability).toMatchObject({ witness_count: 3, policy: 'independent-witnesses@2' });
  }, 600_000);
});
