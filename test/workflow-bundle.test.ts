import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';

const WORKFLOWS = path.join(__dirname, '..', 'workflows');

describe('workflow code', () => {
  it('bundles with the Temporal bundler and exports every workflow type', async () => {
    const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS, logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as never });
    expect(code.length).toBeGreaterThan(10_000);
    expect(code).toContain('synthSmithPipeline');
    expect(code).toContain('synthesizeTask');
  });

  it('imports nothing from Node, openai or activity code at run time (type-only imports are erased)', async () => {
    const files = (await fs.readdir(WORKFLOWS)).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(3);
    const allowed = new Set(['@temporalio/workflow', '@temporalio/common', 'zod']);
    for (const file of files) {
      const source = await fs.readFile(path.join(WORKFLOWS, file), 'utf8');
      for (const m of source.matchAll(/^import\s+(type\s+)?[^'"]*?from\s+'([^']+)'/gm)) {
        const [, typeOnly, spec] = m as unknown as [string, string | undefined, string];
        if (typeOnly) continue;
        const ok = allowed.has(spec) || (spec.startsWith('./') && !spec.includes('..'));
        expect(ok, `${file} imports '${spec}' at run time`).toBe(true);
      }
    }
  });
});
