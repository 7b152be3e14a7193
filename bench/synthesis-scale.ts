/**
 * Synthesis at scale: N tasks × m candidates × t tests through a real Temporal dev server, the real workers
 * (one `workers/all.ts` process: orchestrator + sandbox + trainer) and the real judge, with the instant
 * scripted LLM (bench/lib/instant-llm.ts, its own process) and trivial solutions.
 *
 *   npx tsx bench/synthesis-scale.ts [--tasks 10000] [--language cpp|python] [--concurrency 64] [--batch-size 500]
 *
 * Prints wall time, tasks/min, peak worker RSS, the largest workflow history (events, bytes) and where the CPU
 * went: judged programs (their own CPU, from the judge), sandbox plumbing (the rest of the worker's children:
 * bwrap, launcher, runner), the worker process itself, the Temporal server, and the LLM stand-in. These
 * machines are shared and noisy: compare runs made side by side, not with numbers from another day.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { ContentStore } from '../activities/store/content-store';
import type { MatrixRecord } from '../activities/sandbox/matrix';
import { REPO_ROOT } from '../workers/env';
import { startDevServer } from '../workers/dev-server';
import type { PipelineConfigInput } from '../workflows/config';
import type { PipelineSummary, TaskOutcome } from '../workflows/types';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}

const TASKS = Number(arg('tasks', '10000'));
const LANGUAGE = arg('language', 'cpp') as 'cpp' | 'python';
const CONCURRENCY = Number(arg('concurrency', '64'));
const BATCH_SIZE = Number(arg('batch-size', '500'));
const CANDIDATES = 8;
const TESTS = 15;
/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS = 100;

/** utime+stime (self) and cutime+cstime (reaped children) of a process, in seconds. */
function cpuOf(pid: number): { self: number; children: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the command: state is [0]; utime [11], stime [12], cutime [13], cstime [14].
    return { self: (Number(f[11]) + Number(f[12])) / TICKS, children: (Number(f[13]) + Number(f[14])) / TICKS };
  } catch {
    return { self: 0, children: 0 };
  }
}

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Spawns `node --import tsx <script>` (no tsx wrapper process, so the pid is the one doing the work). */
function node(script: string, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

function waitForLine(child: ChildProcess, re: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      const m = re.exec(buf);
      if (m) {
        child.stdout?.off('data', onData);
        resolve(m);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${child.spawnargs.join(' ')} exited (${code}) before printing ${re}: ${buf.slice(-2000)}`)));
  });
}

async function main(): Promise<void> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'synthsmith-bench-'));
  const server = await startDevServer({ headless: true });
  const llm = node('bench/lib/instant-llm.ts', {});
  const llmPort = Number((await waitForLine(llm, /listening (\d+)/))[1]);
  const queue = `bench-${Date.now()}`;
  const worker = node('workers/all.ts', {
    TEMPORAL_ADDRESS: server.address,
    SYNTHSMITH_DATA_DIR: dataDir,
    SYNTHSMITH_QUEUE_ORCHESTRATOR: queue,
    SYNTHSMITH_QUEUE_SANDBOX: `${queue}-sandbox`,
    SYNTHSMITH_QUEUE_GPU: `${queue}-gpu`,
    SYNTHSMITH_LOG_LEVEL: 'WARN',
  });
  worker.stderr?.on('data', (d: Buffer) => process.stderr.write(d));
  await waitForLine(worker, /workers polling/);

  const seedsPath = path.join(dataDir, 'seeds.jsonl');
  await fs.writeFile(seedsPath, Array.from({ length: 20 }, (_, i) => JSON.stringify({ id: `s${i}`, problem: `Problem ${i}: add the numbers.`, solution: 'print(1)' })).join('\n') + '\n');
  const config: PipelineConfigInput = {
    seedsPath,
    seed: 1,
    llm: { baseURL: `http://127.0.0.1:${llmPort}/v1`, model: 'instant-scripted', apiKeyEnv: 'BENCH_NO_KEY', timeoutMs: 60_000 },
    features: { evolutionRounds: 1, minLeaves: 4, shapes: [[3, 2, 1], [3, 2, 2]] },
    tasks: { count: TASKS, concurrency: CONCURRENCY, batchSize: BATCH_SIZE },
    solutions: { candidates: CANDIDATES, language: LANGUAGE },
    tests: { count: TESTS },
    training: { enabled: false },
    taskQueues: { sandbox: `${queue}-sandbox`, gpu: `${queue}-gpu` },
  };
  process.env.BENCH_NO_KEY = 'unused';

  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const pids = { worker: worker.pid!, llm: llm.pid!, temporal: server.process.pid! };
  const cpu0 = { worker: cpuOf(pids.worker), llm: cpuOf(pids.llm), temporal: cpuOf(pids.temporal), bench: process.cpuUsage() };
  let peakRss = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssMb(pids.worker));
  }, 1000);
  const workflowId = `bench-scale-${TASKS}-${Date.now()}`;
  const started = Date.now();
  const handle = await client.workflow.start('synthSmithPipeline', { taskQueue: queue, workflowId, args: [config] });
  const progress = setInterval(() => {
    handle
      .query<{ stage: string; tasks: { finished: number; total: number } }>('progress')
      .then((p) => console.error(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${p.stage}: ${p.tasks.finished}/${p.tasks.total} tasks, worker RSS ${rssMb(pids.worker).toFixed(0)} MB`))
      .catch(() => undefined);
  }, 30_000);
  const summary = (await handle.result()) as PipelineSummary;
  const wallS = (Date.now() - started) / 1000;
  clearInterval(progress);
  clearInterval(sampler);
  const cpu1 = { worker: cpuOf(pids.worker), llm: cpuOf(pids.llm), temporal: cpuOf(pids.temporal), bench: process.cpuUsage(cpu0.bench) };

  // Largest history among every workflow of the run (the pipeline's chain, batches, extraction ranges, tasks).
  let largest = { events: 0, bytes: 0, id: '' };
  let workflows = 0;
  for await (const wf of client.workflow.list({ query: `WorkflowId STARTS_WITH "${workflowId}"` })) {
    workflows++;
    const events = Number(wf.historyLength ?? 0);
    const bytes = Number(wf.historySize ?? 0);
    if (events > largest.events) largest = { events, bytes, id: wf.workflowId };
  }

  // Where a task's time goes: per activity type, queue wait (scheduled → started) and run time (started →
  // closed), over a sample of task workflows.
  const perType = new Map<string, { n: number; waitMs: number; runMs: number }>();
  const sample = Math.min(200, TASKS);
  for (let i = 0; i < TASKS; i += Math.max(1, Math.floor(TASKS / sample))) {
    const history = await client.workflow.getHandle(`${workflowId}/task-${i}`).fetchHistory();
    const scheduled = new Map<number, { type: string; at: number }>();
    const startedAt = new Map<number, number>();
    const ms = (t: unknown) => {
      const ts = t as { seconds?: { toNumber?: () => number } | number; nanos?: number } | null | undefined;
      const sec = typeof ts?.seconds === 'number' ? ts.seconds : (ts?.seconds?.toNumber?.() ?? 0);
      return sec * 1000 + (ts?.nanos ?? 0) / 1e6;
    };
    for (const e of history.events ?? []) {
      const id = Number(e.eventId);
      if (e.activityTaskScheduledEventAttributes) scheduled.set(id, { type: e.activityTaskScheduledEventAttributes.activityType?.name ?? '?', at: ms(e.eventTime) });
      const st = e.activityTaskStartedEventAttributes;
      if (st) startedAt.set(Number(st.scheduledEventId), ms(e.eventTime));
      const done = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes;
      if (done) {
        const s0 = scheduled.get(Number(done.scheduledEventId));
        const s1 = startedAt.get(Number(done.scheduledEventId));
        if (!s0 || s1 === undefined) continue;
        const agg = perType.get(s0.type) ?? { n: 0, waitMs: 0, runMs: 0 };
        agg.n++;
        agg.waitMs += s1 - s0.at;
        agg.runMs += ms(e.eventTime) - s1;
        perType.set(s0.type, agg);
      }
    }
  }

  // CPU of the judged programs themselves, as the judge measured it (cgroup counters per run).
  const store = new ContentStore(dataDir);
  const outcomes: TaskOutcome[] = [];
  for (const indexKey of summary.tasks.outcomesIndexKeys) {
    for (const key of await store.getJson<string[]>(indexKey)) outcomes.push(...(await store.getJson<TaskOutcome[]>(key)));
  }
  let programCpuS = 0;
  let runs = 0;
  for (const o of outcomes) {
    if (!o.lineage.matrixKey) continue;
    const m = await store.getJson<MatrixRecord>(o.lineage.matrixKey);
    for (const row of m.cells) for (const cell of row ?? []) {
      runs++;
      programCpuS += (cell.cpuMs ?? 0) / 1000;
    }
  }

  const d = (k: 'worker' | 'llm' | 'temporal') => ({ self: cpu1[k].self - cpu0[k].self, children: cpu1[k].children - cpu0[k].children });
  const w = d('worker');
  const llmCpu = d('llm').self;
  const temporalCpu = d('temporal').self + d('temporal').children;
  const benchCpu = (cpu1.bench.user + cpu1.bench.system) / 1e6;
  const total = w.self + w.children + llmCpu + temporalCpu + benchCpu;
  const pct = (x: number) => `${((100 * x) / total).toFixed(1)} %`;
  const lines = [
    `synthesis at scale: ${TASKS} tasks × ${CANDIDATES} candidates (${LANGUAGE}) × ${TESTS} tests, concurrency ${CONCURRENCY}, batch ${BATCH_SIZE}, ${os.cpus().length} cores`,
    `outcome: kept ${summary.tasks.kept}, discarded ${summary.tasks.discarded}, failed ${summary.tasks.failed} ${JSON.stringify(summary.tasks.reasons)}; pipeline runs (continue-as-new chain) ${summary.tasks.pipelineRuns}`,
    `wall time: ${wallS.toFixed(1)} s (${(wallS / 60).toFixed(1)} min)`,
    `throughput: ${((TASKS / wallS) * 60).toFixed(1)} tasks/min, ${(runs / wallS).toFixed(0)} judged runs/s (${runs} runs)`,
    `worker RSS: peak ${peakRss.toFixed(0)} MB`,
    `largest history: ${largest.events} events, ${(largest.bytes / 1024).toFixed(0)} KiB (${largest.id}); ${workflows} workflows`,
    `CPU total ${total.toFixed(0)} s: judged programs ${programCpuS.toFixed(0)} s (${pct(programCpuS)}), sandbox plumbing ${(w.children - programCpuS).toFixed(0)} s (${pct(w.children - programCpuS)}), worker process ${w.self.toFixed(0)} s (${pct(w.self)}), Temporal server ${temporalCpu.toFixed(0)} s (${pct(temporalCpu)}), LLM stand-in ${llmCpu.toFixed(0)} s (${pct(llmCpu)}), bench driver ${benchCpu.toFixed(0)} s`,
    `share of CPU outside the judged programs and the LLM: ${pct(total - programCpuS - llmCpu)}`,
    `per task activity (sample of ${sample} tasks): ${[...perType.entries()]
      .map(([type, a]) => `${type} wait ${(a.waitMs / a.n).toFixed(0)} ms + run ${(a.runMs / a.n).toFixed(0)} ms`)
      .join('; ')}`,
  ];
  console.log(lines.join('\n'));

  worker.kill('SIGTERM');
  llm.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 2000));
  await connection.close();
  await server.stop();
  await fs.rm(dataDir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
