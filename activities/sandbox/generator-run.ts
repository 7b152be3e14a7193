/**
 * One run of an LLM-written test generator at one seed and scale, in its own box: the driver
 * (generator-driver.ts) runs it in an empty directory and hands back the `.in` files it wrote. A crash, a
 * timeout or an empty run is a result with its reason, never an exception: a broken generator loses only its own
 * inputs. Shared by the pipeline's generateInputs activity, adaptive test drawing and the verify CLI.
 */
import { DRIVER_SOURCE, GENERATOR_FILE, parseHarvest, type DriverRequest, type Harvest } from './generator-driver';
import { MAX_INPUT_BYTES } from './test-inputs';
import type { RunLimits, RunResult, Sandbox } from './types';

const MiB = 1 << 20;
/** File contents one scale may hand back; far above what its per-scale limit keeps, well under the stdout cap. */
export const SCALE_BUDGET_BYTES = 24 * MiB;
export const DRIVER_STDOUT_BYTES = 64 * MiB;

export type ScaleRun = { ok: true; harvest: Harvest } | { ok: false; reason: string };

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return (lines[lines.length - 1] ?? '').trim().slice(0, 300);
}

/** A failed run in words, e.g. "timed out (CPU limit 10000 ms)". */
export function runFailure(r: RunResult, limits: RunLimits): string {
  switch (r.status) {
    case 'TLE':
      return `timed out (CPU limit ${limits.timeLimitMs} ms)`;
    case 'MLE':
      return `ran out of memory (${limits.memoryMb} MB)`;
    case 'OLE':
      return 'printed too much';
    default:
      return `${r.signal ? `killed by ${r.signal}` : `exited with status ${r.exitCode}`}${r.stderr.trim() ? `: ${lastLine(r.stderr)}` : ''}`;
  }
}

export async function runGeneratorScale(
  sandbox: Sandbox,
  code: string,
  seed: number,
  scale: string,
  limits: RunLimits,
  signal?: AbortSignal,
): Promise<ScaleRun> {
  const prepared = await sandbox.program('python', DRIVER_SOURCE);
  if (!prepared.ok) throw new Error(`the generator driver cannot run: ${prepared.message}`);
  const box = await sandbox.openBox(prepared.program, { ...limits, outputLimitBytes: Math.max(limits.outputLimitBytes, DRIVER_STDOUT_BYTES) });
  try {
    box.putFile(GENERATOR_FILE, code);
    const request: DriverRequest = { seed, scale, maxBytes: MAX_INPUT_BYTES, budgetBytes: SCALE_BUDGET_BYTES };
    const r = await box.run(JSON.stringify(request), signal);
    // The driver itself only fails when the generator took the whole box down with it (time, memory).
    if (r.status !== 'OK') return { ok: false, reason: `generator ${runFailure(r, limits)}` };
    let harvest: Harvest;
    try {
      harvest = parseHarvest(r.stdout);
    } catch (err) {
      return { ok: false, reason: (err as Error).message };
    }
    if (harvest.exit !== 0) {
      const how = harvest.exit < 0 ? `killed by signal ${-harvest.exit}` : `exited with status ${harvest.exit}`;
      return { ok: false, reason: `generator ${how}${harvest.log.trim() ? `: ${lastLine(harvest.log)}` : ''}` };
    }
    if (harvest.files.length === 0) return { ok: false, reason: 'generator wrote no .in file' };
    return { ok: true, harvest };
  } finally {
    await box.close();
  }
}
