/**
 * The verification policy: which rules decide a task's labels, golden solution and fate. It is a named,
 * versioned value (schema and defaults in workflows/config.ts, so a run's config validates it up front) that is
 * stored with every decision, so a dataset says exactly how it was judged and a finished run can be re-labelled
 * under another policy from its stored matrices alone (relabel.ts).
 *
 * Rules, in the order dual-verify.ts applies them:
 *  - comparison: outputs are equal after the policy's normalisation ('exact' = trimmed lines, 'token',
 *    'float' with tolerances); a task's own built-in checker replaces it when the task has one;
 *  - voting: only successful runs (status OK) vote; plurality; ties by `tieBreak`; a label must have
 *    `minVotes` votes and a `minAgreement` share of the voters, else the test is dropped;
 *  - weights: 1..4 by input-size quartile (or uniform) over the labelled tests;
 *  - split: seeded (`splitSeed` ?? run seed), `goldenFraction` of the labelled tests in the golden half;
 *  - selection: j* = first argmax of the weighted golden-half score; confirmation on the held-out half, strict
 *    (j* is the first held-out argmax) or within `holdOutTolerance` of the best held-out accuracy;
 *  - solvability: optional strong-solver filter, pass rate > 0 and >= minPassRate;
 *  - cheatable tests: flagged always; `rlDropFlags` says which flags keep a test out of the RL suite.
 */
import { VerificationPolicySchema, type VerificationPolicy, type VerificationPolicyInput } from '../../workflows/config';

export type { VerificationPolicy, VerificationPolicyInput };
export { VerificationPolicySchema };

/** The default: independent witnesses (witness.ts), independent-witnesses@2. */
export const DEFAULT_POLICY: VerificationPolicy = VerificationPolicySchema.parse({});

/** The paper's Algorithm 1 with this pipeline's long-standing defaults, paper-dual-verification@1. */
export const PAPER_POLICY: VerificationPolicy = VerificationPolicySchema.parse({ algorithm: 'paper' });

/** Fills defaults and validates; throws a ZodError naming the bad field. */
export function resolvePolicy(input: VerificationPolicyInput | undefined): VerificationPolicy {
  return VerificationPolicySchema.parse(input ?? {});
}

/** `name@version`, the short form used in manifests, data cards and relabel reports. */
export function policyTag(policy: Pick<VerificationPolicy, 'name' | 'version'>): string {
  return `${policy.name}@${policy.version}`;
}

/** Why the strong-solver filter (paper step 5) rejects a task, or undefined when it passes or is off. */
export function solvabilityFailure(policy: Pick<VerificationPolicy, 'solvability'>, solverPassRate: number | null): string | undefined {
  const { required, minPassRate } = policy.solvability;
  if (!required || (solverPassRate !== null && solverPassRate > 0 && solverPassRate >= minPassRate)) return undefined;
  const measured = solverPassRate === null ? 'no strong-solver run was recorded' : `the strong solver passes ${Number(solverPassRate.toFixed(3))} of the labels`;
  return `${measured} (needs > 0 and >= ${minPassRate})`;
}
