/**
 * Decontamination against a benchmark: word n-gram overlap between a task statement and each benchmark problem.
 *
 * The measure is the share of the statement's distinct n-grams that occur in one benchmark problem (the best
 * one, which is named), leaving out n-grams that many benchmark problems share (boilerplate proves nothing).
 * 13-grams are the usual decontamination unit (GPT-3, and the HumanEval / LiveCodeBench checks that followed
 * it): long enough that a shared phrase is rare, short enough that a copy with light edits keeps most of its
 * n-grams. Each edited word breaks at most n of them.
 *
 * Cost: building the index is O(total benchmark tokens); a check is O(statement tokens) plus at most
 * commonNgramLimit counter updates per n-gram. Memory is one Map entry per distinct benchmark n-gram
 * (LiveCodeBench v6, ~1k problems: a few hundred thousand entries).
 */
import { distinct, ngramHashes, normalizedTokens } from './text';

export interface BenchmarkProblem {
  id: string;
  text: string;
}

export interface ContaminationMatch {
  /** The benchmark problem sharing the largest share of the statement's n-grams. */
  problemId: string;
  /** Distinct n-grams of the statement that also occur in that problem. */
  shared: number;
  /** Distinct n-grams of the statement, less benchmark boilerplate (see commonNgramLimit). */
  statementNgrams: number;
  /** Distinct n-grams of the benchmark problem. */
  problemNgrams: number;
  /** shared / statementNgrams. */
  overlap: number;
}

export interface ContaminationVerdict {
  contaminated: boolean;
  /** The best-matching problem, when any benchmark problem shares at least one n-gram. */
  match?: ContaminationMatch;
}

/**
 * An n-gram held by more problems than this is boilerplate ("each test contains multiple test cases"), not
 * evidence of a copy: it is left out of both sides of the overlap. Also keeps a check from touching thousands of
 * counters for one common phrase.
 */
export function commonNgramLimit(problems: number): number {
  return Math.max(10, Math.ceil(problems / 100));
}

/** Marks a boilerplate n-gram's entry in `shared`. */
const COMMON: readonly number[] = Object.freeze([]);

export class BenchmarkIndex {
  /** n-gram hash → index of the one problem holding it, or ~k: position k in `shared` (several problems). */
  private readonly owners = new Map<number, number>();
  private readonly shared: (number[] | typeof COMMON)[] = [];
  private readonly commonLimit: number;
  private readonly ids: string[];
  private readonly sizes: Int32Array;

  constructor(
    problems: readonly BenchmarkProblem[],
    readonly ngram: number
  ) {
    this.ids = problems.map((p) => p.id);
    this.sizes = new Int32Array(problems.length);
    this.commonLimit = commonNgramLimit(problems.length);
    problems.forEach((p, i) => {
      const grams = distinct(ngramHashes(normalizedTokens(p.text), ngram));
      this.sizes[i] = grams.length;
      for (const g of grams) this.addOwner(g, i);
    });
  }

  get problems(): number {
    return this.ids.length;
  }

  get distinctNgrams(): number {
    return this.owners.size;
  }

  /** Contaminated when the best problem's overlap is at least `threshold` (a share in (0, 1]). */
  check(statement: string, threshold: number): ContaminationVerdict {
    const grams = distinct(ngramHashes(normalizedTokens(statement), this.ngram));
    const counts = new Map<number, number>();
    const bump = (i: number): void => void counts.set(i, (counts.get(i) ?? 0) + 1);
    let considered = 0;
    for (const g of grams) {
      const owner = this.owners.get(g);
      if (owner !== undefined && owner < 0 && this.shared[~owner] === COMMON) continue;
      considered++;
      if (owner === undefined) continue;
      if (owner >= 0) bump(owner);
      else for (const i of this.shared[~owner] as number[]) bump(i);
    }
    let best: { index: number; shared: number } | undefined;
    // Most shared n-grams wins (the statement's size is common to all); ties go to the earlier problem.
    for (const [index, shared] of counts) {
      if (!best || shared > best.shared || (shared === best.shared && index < best.index)) best = { index, shared };
    }
    if (!best || considered === 0) return { contaminated: false };
    const overlap = best.shared / considered;
    return {
      contaminated: overlap >= threshold,
      match: {
        problemId: this.ids[best.index] as string,
        shared: best.shared,
        statementNgrams: considered,
        problemNgrams: this.sizes[best.index] as number,
        overlap,
      },
    };
  }

  /** Each problem adds each of its distinct n-grams once, so no list holds a problem twice. */
  private addOwner(gram: number, problem: number): void {
    const owner = this.owners.get(gram);
    if (owner === undefined) this.owners.set(gram, problem);
    else if (owner >= 0) {
      this.shared.push([owner, problem]);
      this.owners.set(gram, ~(this.shared.length - 1));
    } else {
      const list = this.shared[~owner] as number[];
      if (list === COMMON) return;
      if (list.length >= this.commonLimit) this.shared[~owner] = COMMON;
      else list.push(problem);
    }
  }
}

/** The outcome detail of a contaminated task: which problem, how much. */
export function describeContamination(match: ContaminationMatch, ngram: number): string {
  return (
    `benchmark problem ${match.problemId} holds ${(match.overlap * 100).toFixed(1)}% of the statement's word ${ngram}-grams ` +
    `(${match.shared}/${match.statementNgrams})`
  );
}
