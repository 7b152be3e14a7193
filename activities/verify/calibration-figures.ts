/**
 * The calibration lane's figures per policy version (`npm run calibrate -- --write` stores them), so that a data
 * card can say how trustworthy the policy that made its dataset measured: golden precision, label accuracy and
 * kept shares over the calibration set, with the paper's algorithm on the same sets beside them.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export const CALIBRATION_FIGURES_PATH = path.join(__dirname, 'calibration-figures.json');

type Range = { mean: number; min: number; max: number };

export interface CalibrationFigures {
  policy: string;
  problems: number;
  seeds: number;
  sets: number;
  goldenPrecision: Range;
  labelAccuracy: Range;
  keptMajority: Range;
  keptThree: Range;
  discardedNone: Range;
  keptShare: number;
  paper: { goldenPrecision: number; labelAccuracy: number; keptShare: number };
  measuredAt: string;
}

/** The stored figures of a policy (`name@version`), or undefined when it was never calibrated. */
export function calibrationFiguresOf(policyTag: string): CalibrationFigures | undefined {
  try {
    return (JSON.parse(readFileSync(CALIBRATION_FIGURES_PATH, 'utf8')) as Record<string, CalibrationFigures>)[policyTag];
  } catch {
    return undefined;
  }
}
