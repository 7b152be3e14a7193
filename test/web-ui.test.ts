import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrchestratorWorker, createSandboxWorker } from '../workers/create-workers';
import { startDevServer, type DevServer } from '../workers/dev-server';
import { startHarness, withWorkers, type PipelineHarness } from './helpers/pipeline-harness';

const OUTPUT_DIR = path.join(__dirname, '..', 'test-output');
/** The flags the machine's probe found necessary: no sandbox as root, no background calls to a closed network. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A person opening the demo run in the Temporal Web UI, in a real (headless) Chromium. */
describe('the Temporal Web UI on a finished demo run', () => {
  let server: DevServer;
  let h: PipelineHarness;
  beforeAll(async () => {
    server = await startDevServer({ headless: false });
    h = await startHarness(server.address);
  });
  afterAll(async () => {
    await h?.close();
    await server?.stop();
  });

  it('shows the run, its stages as activity summaries and its batch of tasks as a child workflow', async () => {
    const workers = await Promise.all([createOrchestratorWorker, createSandboxWorker].map((f) => f({ connection: h.connection, env: h.env })));
    const workflowId = `demo-ui-${Date.now()}`;
    await withWorkers(workers, () =>
      h.client.workflow.execute('synthSmithPipeline', { taskQueue: h.env.taskQueues.orchestrator, workflowId, args: [h.config({ training: { enabled: false } })] })
    );
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1600, height: 1200 } });
      await page.goto(`${server.uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
      await page.getByText('extract features of seeds 0–2').first().waitFor({ timeout: 30_000 });
      const body = await page.innerText('body');
      expect(body).toContain(workflowId);
      expect(body).toMatch(/completed/i);
      for (const text of ['evolveFeatureTree', 'sampleFeatureSubtrees', 'tasks 0–499 of run', 'exportDatasets']) expect(body).toContain(text);
      await fs.mkdir(OUTPUT_DIR, { recursive: true });
      await page.screenshot({ path: path.join(OUTPUT_DIR, 'web-ui-demo-run.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
