import { isCancellation } from '@temporalio/workflow';
import { endpointFor } from './config';
import { llm, local, sandbox } from './activity-proxies';
import { failureReason, failureUsage } from './failures';
import { contaminationOf } from './quality';
import { gatherEvidence } from './task-evidence';
import { makeTestInputs } from './task-tests';
import { sampleCandidates } from './sample-candidates';
import { addUsage, NO_USAGE } from './usage';
import type { SynthesizeTaskInput, TaskOutcome } from './types';

/**
 * One task from one feature subtree: select features → write the statement → candidates and test inputs (in
 * parallel) → execute the matrix in the sandbox → dual verification. A child workflow per task keeps each
 * task's history small and gives it its own row in the Web UI. It never fails: whatever stops the task is
 * returned as an outcome with the stage and reason, so one bad item never costs the run.
 */
export async function synthesizeTask(input: SynthesizeTaskInput): Promise<TaskOutcome> {
  const { config, index, subtreeKey } = input;
  const outcome: TaskOutcome = { index, status: 'failed', stage: 'select', lineage: { subtreeKey } };
  try {
    // Summaries make the Web UI's timeline read as the pipeline ("task 3: write statement").
    const as = (what: string) => ({ summary: `task ${index}: ${what}` });
    const { selectionKey, usage: selectionUsage } = await llm.selectFeatures.executeWithOptions(as('select features + integration strategy'), [
      { subtreeKey, endpoint: endpointFor(config, 'taskWriter') },
    ]);
    outcome.lineage.selectionKey = selectionKey;
    outcome.usage = selectionUsage;

    outcome.stage = 'statement';
    const statement = await llm.writeStatement.executeWithOptions(as('write statement'), [
      {
        selectionKey,
        seed: config.seed,
        styleWeights: config.tasks.styleWeights,
        endpoint: endpointFor(config, 'taskWriter'),
        filters: { minTokens: config.tasks.minStatementTokens, hintFilter: config.tasks.hintFilter },
        leetcodeIo: config.tasks.leetcodeIo,
      },
    ]);
    Object.assign(outcome, { taskId: statement.taskId, style: statement.style, usage: addUsage(outcome.usage ?? NO_USAGE, statement.usage) });
    outcome.lineage.statementKey = statement.statementKey;
    if (statement.rejected) return { ...outcome, status: 'discarded', reason: 'statement_filtered', detail: statement.rejected };
    // Before any candidate or test is paid for.
    const contaminated = await contaminationOf(config, statement.statementKey, as);
    if (contaminated) return { ...outcome, status: 'discarded', reason: 'contaminated', detail: contaminated };

    outcome.stage = 'solutions';
    // allSettled, not all: when one side fails, the other's answer is still paid for and its usage must count
    // (with Promise.all the task would end while that request is in flight and its spend would be lost).
    const wantReference = config.verification.algorithm === 'witness' && config.verification.adaptive.enabled && config.verification.adaptive.reference;
    const [solved, made, referenced] = await Promise.allSettled([
      sampleCandidates(config, statement.statementKey, as),
      // Prompted and/or generator inputs (config.tests.methods), validated when configured.
      makeTestInputs(config, statement.statementKey, as),
      // A brute-force reference for the small inputs: one more independent witness there.
      wantReference ? llm.writeReference.executeWithOptions(as('write brute-force reference'), [{ statementKey: statement.statementKey, endpoint: endpointFor(config, 'referenceWriter') }]) : undefined,
    ]);
    for (const r of [solved, made, referenced]) if (r.status === 'fulfilled' && r.value) outcome.usage = addUsage(outcome.usage ?? NO_USAGE, r.value.usage);
    if (solved.status === 'rejected') throw solved.reason;
    if (made.status === 'rejected') throw made.reason;
    if (referenced.status === 'rejected') throw referenced.reason;
    const referenceKey = referenced.value?.usable ? referenced.value.programKey : undefined;
    const [solutions, tests] = [solved.value, made.value];
    Object.assign(outcome.lineage, { candidatesKey: solutions.candidatesKey, testsKey: tests.testsKey });
    outcome.candidates = { total: solutions.total, valid: solutions.valid };
    outcome.tests = { total: tests.total, labelled: 0 };
    if (solutions.valid === 0) {
      return { ...outcome, status: 'discarded', reason: 'no_valid_candidates' };
    }
    if (tests.total === 0) {
      return { ...outcome, stage: 'tests', status: 'discarded', reason: 'no_test_inputs', ...(tests.summary ? { detail: tests.summary } : {}) };
    }

    outcome.stage = 'execute';
    const { matrixKey } = await sandbox(config).executeCandidates.executeWithOptions(as(`execute ${solutions.valid} × ${tests.total} in the sandbox`), [
      { candidatesKey: solutions.candidatesKey, testsKey: tests.testsKey, timeLimitMs: config.sandbox.timeLimitMs, memoryMb: config.sandbox.memoryMb },
    ]);
    outcome.lineage.matrixKey = matrixKey;

    outcome.stage = 'verify';
    // Witness policy: a reference, adaptive generator draws and separating inputs extend the suite and matrix.
    const evidence = await gatherEvidence(
      config,
      { taskId: statement.taskId, statementKey: statement.statementKey, candidatesKey: solutions.candidatesKey, testsKey: tests.testsKey, matrixKey, ...(referenceKey ? { referenceKey } : {}) },
      config.tests.methods.includes('generator'),
      as,
    );
    outcome.usage = addUsage(outcome.usage ?? NO_USAGE, evidence.usage);
    // The lineage keeps each stage's own output; the verification record names the extended tests and matrix.
    const verifyInput = { taskId: statement.taskId, candidatesKey: solutions.candidatesKey, testsKey: evidence.testsKey, matrixKey: evidence.matrixKey, seed: config.seed, policy: config.verification };
    const { solvability } = config.verification;
    // With the solvability filter on, the first pass leaves it out: the strong solver only runs on survivors.
    let verdict = await local.verifyTask.executeWithOptions(as('dual verification'), [
      solvability.required ? { ...verifyInput, policy: { ...config.verification, solvability: { ...solvability, required: false } } } : verifyInput,
    ]);
    if (verdict.decision === 'kept' && solvability.required) {
      // Paper step 5, only for tasks that survived: one attempt of the strong solver, judged on the same tests,
      // then the same verification with its runs as evidence (pure, so re-running it costs nothing).
      const strong = await llm.generateSolutions.executeWithOptions(as('strong-solver attempt'), [
        { statementKey: statement.statementKey, candidates: 1, endpoint: endpointFor(config, 'strongSolver') },
      ]);
      outcome.usage = addUsage(outcome.usage ?? NO_USAGE, strong.usage);
      const solverRun =
        strong.valid > 0
          ? await sandbox(config).executeCandidates.executeWithOptions(as('strong solver in the sandbox'), [
              { candidatesKey: strong.candidatesKey, testsKey: evidence.testsKey, timeLimitMs: config.sandbox.timeLimitMs, memoryMb: config.sandbox.memoryMb },
            ])
          : undefined;
      verdict = await local.verifyTask.executeWithOptions(as('dual verification + solvability'), [
        { ...verifyInput, ...(solverRun ? { solverMatrixKey: solverRun.matrixKey } : {}) },
      ]);
    }
    outcome.lineage.verificationKey = verdict.verificationKey;
    outcome.tests.labelled = verdict.labelledTests;
    return verdict.decision === 'kept'
      ? { ...outcome, status: 'kept', goldenIndex: verdict.goldenIndex }
      : { ...outcome, status: 'discarded', reason: verdict.reason };
  } catch (err) {
    // Cancelling the run must cancel, not turn into a 'failed' task.
    if (isCancellation(err)) throw err;
    return { ...outcome, status: 'failed', reason: failureReason(err), usage: addUsage(outcome.usage ?? NO_USAGE, failureUsage(err)) };
  }
}
