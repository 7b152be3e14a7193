/** Schemas the JSON command-line tools share, so the judge and the verifier take a checker in the same words. */
import { z } from 'zod';

/** The judge's checker: exact (trimmed lines), token, float with tolerances (integers exact), or a testlib program. */
export const CheckerSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('exact') }),
  z.strictObject({ kind: z.literal('token') }),
  z.strictObject({ kind: z.literal('float'), absTolerance: z.number().min(0).optional(), relTolerance: z.number().min(0).optional() }),
  z.strictObject({ kind: z.literal('testlib'), code: z.string().min(1) }),
]);
export type CheckerInput = z.infer<typeof CheckerSchema>;

/** Limits of candidate runs a CLI takes (all optional; the judge's defaults fill the rest). */
export const LimitsSchema = z
  .strictObject({
    timeLimitMs: z.number().int().min(1).max(600_000),
    memoryMb: z.number().int().min(32).max(65_536),
    outputLimitBytes: z.number().int().min(0),
    wallLimitMs: z.number().int().min(1).max(1_200_000),
    maxProcesses: z.number().int().min(1).max(4096),
    fileSizeBytes: z.number().int().min(0),
  })
  .partial()
  .optional();
