import { cancellationSignal, heartbeat, log } from '@temporalio/activity';
import type { GenerateInputsInput, GenerateInputsResult } from '../../workflows/types';
import { mapLimit } from '../common/map-limit';
import { Semaphore } from '../common/semaphore';
import { testInputProblem } from '../llm/function-io';
import type { InputProgramRecord, StatementRecord, TestsRecord } from '../llm/records';
import type { ContentStore } from '../store/content-store';
import { DRIVER_STDOUT_BYTES, runFailure, runGeneratorScale, type ScaleRun } from './generator-run';
import { TestSuite } from './test-inputs';
import type { Program, RunLimits, Sandbox } from './types';

export interface GenerateInputsDeps {
  store: ContentStore;
  sandbox: Sandbox;
  /** Boxes at once (scales, validator chunks); one per core, as for candidates. */
  concurrency: number;
  /** The worker's box permits, shared with candidate execution (one per core across concurrent activities). */
  boxes?: Semaphore;
}

const HARVEST_PROBLEMS = { oversized: 'input over 1 MiB', 'not-utf8': 'not UTF-8 text', budget: 'over the output budget of its scale' } as const;

export function createGenerateInputsActivities({ store, sandbox, concurrency, boxes = new Semaphore(concurrency) }: GenerateInputsDeps) {
  /** Runs fn while holding one box permit. */
  const inBox = async <T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> => {
    const release = await boxes.acquire(signal);
    try {
      return await fn();
    } finally {
      release();
    }
  };
  /** One generator run per scale, each in its own box (scales in parallel); a failure costs only its scale. */
  function runGenerator(code: string, input: GenerateInputsInput, limits: RunLimits, signal: AbortSignal): Promise<ScaleRun[]> {
    return mapLimit(
      input.scales,
      concurrency,
      (scale): Promise<ScaleRun> =>
        inBox(signal, async () => {
          const run = await runGeneratorScale(sandbox, code, input.seed, scale, limits, signal);
          heartbeat({ phase: 'generator', scale });
          return run;
        }),
      { signal },
    );
  }

  /** The validator's verdict per test: null = accepted, else the reason it was dropped. */
  async function runValidator(code: string, inputs: string[], limits: RunLimits, signal: AbortSignal): Promise<(string | null)[]> {
    const prepared = await sandbox.program('python', code);
    if (!prepared.ok) throw new Error(`the validator cannot run: ${prepared.message}`);
    const program: Program = prepared.program;
    const verdicts = new Array<string | null>(inputs.length).fill(null);
    const chunk = Math.max(1, Math.ceil(inputs.length / Math.max(1, concurrency)));
    const chunks = Array.from({ length: Math.ceil(inputs.length / chunk) }, (_, c) => c * chunk);
    let done = 0;
    await mapLimit(
      chunks,
      concurrency,
      (from) =>
        inBox(signal, () =>
          sandbox.runMany(program, inputs.slice(from, from + chunk), limits, {
            signal,
            onResult: (i, r) => {
              if (r.status !== 'OK') verdicts[from + i] = `rejected by the validator: ${runFailure(r, limits)}`;
              heartbeat({ phase: 'validator', done: ++done, total: inputs.length });
            },
          }),
        ),
      { signal },
    );
    return verdicts;
  }

  return {
    /**
     * The task's test inputs from every configured source: the prompted list, the generator at each scale (a
     * crash, timeout or empty run loses that scale only, with the reason), then the validator on every input.
     * Empty, oversized, duplicate and rejected inputs are dropped with their reasons. No inputs at all is a
     * result (total 0, with the summary as the reason), never a failure: the workflow discards the task.
     */
    async generateInputs(input: GenerateInputsInput): Promise<GenerateInputsResult> {
      const signal = cancellationSignal();
      const [statement, prompted, generator, validator] = await Promise.all([
        store.getJson<StatementRecord>(input.statementKey),
        input.promptedTestsKey ? store.getJson<TestsRecord>(input.promptedTestsKey) : undefined,
        input.generatorKey ? store.getJson<InputProgramRecord>(input.generatorKey) : undefined,
        input.validatorKey ? store.getJson<InputProgramRecord>(input.validatorKey) : undefined,
      ]);
      const limits: RunLimits = { timeLimitMs: input.timeLimitMs, memoryMb: input.memoryMb, outputLimitBytes: DRIVER_STDOUT_BYTES };
      const suite = new TestSuite((text) => testInputProblem(statement, text));
      const notes: string[] = [];

      if (prompted) {
        for (const d of prompted.dropped) suite.dropped.push({ ...d, source: 'prompted' });
        prompted.tests.forEach((t, idx) => suite.offer(t.input, t.description, { source: 'prompted', idx }));
      }

      let generatorInfo: TestsRecord['generator'];
      if (generator && input.generatorKey) {
        generatorInfo = { programKey: input.generatorKey, provenance: generator.provenance, seed: input.seed, scales: [] };
        if (generator.unusable) {
          generatorInfo.unusable = generator.unusable;
          notes.push(`generator unusable: ${generator.unusable}`);
        } else {
          const beat = setInterval(() => heartbeat({ phase: 'generator' }), 1000);
          const runs = await runGenerator(generator.code, input, limits, signal).finally(() => clearInterval(beat));
          input.scales.forEach((scale, s) => {
            const run = runs[s] as ScaleRun;
            if (!run.ok) {
              generatorInfo!.scales.push({ scale, status: 'failed', files: 0, kept: 0, reason: run.reason });
              notes.push(`${scale}: ${run.reason}`);
              return;
            }
            run.harvest.files.forEach((f, idx) => {
              const origin = { source: 'generator' as const, idx, scale, name: f.name };
              if (f.text === undefined) suite.drop(origin, HARVEST_PROBLEMS[f.problem ?? 'budget']);
              else suite.offer(f.text, `${scale}: ${f.name}`, origin);
            });
            generatorInfo!.scales.push({ scale, status: 'ok', files: run.harvest.files.length, kept: 0 });
          });
        }
      }

      let validatorInfo: TestsRecord['validator'];
      if (validator && input.validatorKey) {
        validatorInfo = { programKey: input.validatorKey, provenance: validator.provenance, checked: 0, rejected: 0 };
        if (validator.unusable) {
          validatorInfo.unusable = validator.unusable;
          notes.push(`validator unusable: ${validator.unusable}`);
        } else if (suite.tests.length) {
          const beat = setInterval(() => heartbeat({ phase: 'validator' }), 1000);
          const verdicts = await runValidator(validator.code, suite.tests.map((t) => t.input), { ...limits, outputLimitBytes: 64 * 1024 }, signal).finally(() =>
            clearInterval(beat),
          );
          validatorInfo.checked = verdicts.length;
          validatorInfo.rejected = verdicts.filter(Boolean).length;
          suite.reject(verdicts);
        }
      }

      suite.capPerScale(input.perScaleLimit);
      const kept = suite.counts();
      for (const s of generatorInfo?.scales ?? []) s.kept = kept[s.scale] ?? 0;
      const provenance = prompted?.provenance ?? generator?.provenance ?? validator?.provenance;
      if (!provenance) throw new Error('generateInputs needs prompted tests or a generator');
      const record: TestsRecord = {
        statementKey: input.statementKey,
        tests: suite.recordTests(),
        dropped: suite.dropped,
        provenance,
        ...(generatorInfo ? { generator: generatorInfo } : {}),
        ...(validatorInfo ? { validator: validatorInfo } : {}),
      };
      const summary = describe(kept, suite.dropped, notes);
      log.info('test inputs', { kept, dropped: suite.dropped.length, notes: notes.length });
      return { testsKey: await store.putJson(record), total: record.tests.length, kept, dropped: suite.dropped.length, summary };
    },
  };
}

/** e.g. "kept 17 (prompted 9, small 3, medium 5); large: generator timed out (CPU limit 10000 ms); dropped 4 (duplicate input 3, empty input 1)". */
function describe(kept: Record<string, number>, dropped: TestsRecord['dropped'], notes: string[]): string {
  const total = Object.values(kept).reduce((s, n) => s + n, 0);
  const parts = [`kept ${total}${total ? ` (${Object.entries(kept).map(([k, n]) => `${k} ${n}`).join(', ')})` : ''}`, ...notes];
  if (dropped.length) {
    const byReason = new Map<string, number>();
    for (const d of dropped) {
      const reason = d.reason.split(':', 1)[0] as string;
      byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
    }
    parts.push(`dropped ${dropped.length} (${[...byReason].map(([r, n]) => `${r} ${n}`).join(', ')})`);
  }
  return parts.join('; ');
}
