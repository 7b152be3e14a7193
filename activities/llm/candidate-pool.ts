import type { ArtifactKey, LlmUsage } from '../../workflows/types';
import type { ContentStore } from '../store/content-store';
import type { CandidatesRecord } from './records';
import { addUsage, NO_USAGE } from './usage';

export interface CandidatePart {
  candidatesKey: ArtifactKey;
  usage: LlmUsage;
}

/**
 * Candidates of several solver models pooled into one record, in solver order and renumbered, each keeping
 * the provenance (model, prompt, sampling) of the request that made it: execution, voting and export then
 * treat a mixed pool exactly like a single model's.
 */
export function createCandidatePoolActivities({ store }: { store: ContentStore }) {
  return {
    async poolCandidates({ parts }: { parts: CandidatePart[] }): Promise<{ candidatesKey: ArtifactKey; total: number; valid: number; usage: LlmUsage }> {
      const records = await Promise.all(parts.map((p) => store.getJson<CandidatesRecord>(p.candidatesKey)));
      const first = records[0];
      if (!first) throw new Error('poolCandidates needs at least one part');
      const candidates = records.flatMap((r) => r.candidates.map((c) => ({ ...c, provenance: c.provenance ?? r.provenance })));
      const pooled: CandidatesRecord = {
        statementKey: first.statementKey,
        candidates: candidates.map((c, index) => ({ ...c, index })),
        provenance: first.provenance,
        solvers: records.map((r) => ({ ...r.provenance, candidates: r.candidates.length })),
      };
      return {
        candidatesKey: await store.putJson(pooled),
        total: candidates.length,
        valid: candidates.filter((c) => c.valid).length,
        usage: parts.reduce((u, p) => addUsage(u, p.usage), NO_USAGE),
      };
    },
  };
}
