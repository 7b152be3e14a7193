import { describe, expect, it } from 'vitest';
import { finalReport, progressBar } from '../workers/follow';
import type { PipelineSummary } from '../workflows/types';

describe('the follow command', () => {
  it('draws a progress bar from the progress query', () => {
    const bar = progressBar({ stage: 'synthesizing tasks', seeds: { total: 3, extracted: 3, failed: 0 }, tasks: { total: 8, finished: 4, kept: 2, discarded: 1, failed: 1 } }, 8);
    expect(bar).toBe('[####....] 4/8 tasks · kept 2 · discarded 1 · failed 1 · synthesizing tasks');
  });

  it('ends with a report of outcomes, reasons and where the results are', () => {
    const summary = {
      runId: 'r1',
      tasks: { requested: 5, kept: 2, discarded: 2, failed: 1, reasons: { no_labelled_tests: 1, golden_not_confirmed: 1, InvalidLlmOutput: 1 }, outcomes: [] },
      datasets: { paths: { sft: '/d/sft.jsonl', rl: '/d/rl.jsonl', manifest: '/d/m.json' } },
      training: { sft: { checkpointDir: '/c/sft/final' } },
    } as unknown as PipelineSummary;
    const report = finalReport(summary);
    expect(report).toContain('run r1: 2 kept, 2 discarded, 1 failed of 5 requested');
    expect(report).toContain('1 × golden_not_confirmed');
    expect(report).toContain('SFT /d/sft.jsonl');
    expect(report).toContain('SFT checkpoint /c/sft/final');
  });
});
