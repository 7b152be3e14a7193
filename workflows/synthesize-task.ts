import { isCancellation } from '@temporalio/workflow';
import { endpointFor } from './config';
import { llm, local, sandbox } from './activity-proxies';
import { failureReason, failureUsage } from './failures';
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
      },
    ]);
    Object.assign(outcome, { taskId: statement.taskId, style: statement.style, usage: addUsage(outcome.usage ?? NO_USAGE, statement.usage) });
    outcome.lineage.statementKey = statement.statementKey;
    if (statement.rejected) return { ...outcome, status: 'discarded', reason: 'statement_filtered', detail: statement.rejected };

    outcome.stage = 'solutions';
    const [solutions, tests] = await Promise.all([
      llm.generateSolutions.executeWithOptions(as(`${config.solutions.candidates} candidate solutions`), [
        { statementKey: statement.statementKey, candidates: config.solutions.candidates, endpoint: endpointFor(config, 'solver') },
      ]),
      llm.generateTestInputs.executeWithOptions(as(`${config.tests.count} test inputs`), [
        { statementKey: statement.statementKey, count: config.tests.count, endpoint: endpointFor(config, 'testWriter') },
      ]),
    ]);
    Object.assign(outcome.lineage, { candidatesKey: solutions.candidatesKey, testsKey: tests.testsKey });
    outcome.candidates = { total: solutions.total, valid: solutions.valid };
    outcome.usage = addUsage(addUsage(outcome.usage ?? NO_USAGE, solutions.usage), tests.usage);
    outcome.tests = { total: tests.total, labelled: 0 };
    if (solutions.valid === 0) {
      return { ...outcome, status: 'discarded', reason: 'no_valid_candidates' };
    }

    outcome.stage = 'execute';
    const { matrixKey } = await sandbox(config).executeCandidates.executeWithOptions(as(`execute ${solutions.valid} × ${tests.total} in the sandbox`), [
      { candidatesKey: solutions.candidatesKey, testsKey: tests.testsKey, timeLimitMs: config.sandbox.timeLimitMs, memoryMb: config.sandbox.memoryMb },
    ]);
    outcome.lineage.matrixKey = matrixKey;

    outcome.stage = 'verify';
    const verifyInput = { taskId: statement.taskId, candidatesKey: solutions.candidatesKey, testsKey: tests.testsKey, matrixKey, seed: config.seed, policy: config.verification };
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
              { candidatesKey: strong.candidatesKey, testsKey: tests.testsKey, timeLimitMs: config.sandbox.timeLimitMs, memoryMb: config.sandbox.memoryMb },
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
