/**
 * Benchmark indexes, built once per worker process and shared by every task's check: the key is the file's path,
 * mtime and size plus the n-gram size, so an edited file is read again and a changed `ngram` gets its own index.
 * Only the newest index per path is kept.
 */
import { promises as fs } from 'node:fs';
import { ApplicationFailure } from '@temporalio/common';
import type { BenchmarkInfo } from '../../workflows/types';
import type { ContentStore } from '../store/content-store';
import { readBenchmarkFile } from './benchmark-file';
import { BenchmarkIndex } from './contamination';

export interface LoadedBenchmark {
  index: BenchmarkIndex;
  info: BenchmarkInfo;
}

/** Config errors name the field, like every other invalid config. */
const FIELD = 'tasks.decontamination.benchmarkPath';

export class BenchmarkCache {
  private readonly loads = new Map<string, { key: string; loading: Promise<LoadedBenchmark> }>();

  constructor(private readonly store: ContentStore) {}

  /** `onProgress` is called while the file is read (activities heartbeat through it). */
  async get(path: string, ngram: number, onProgress?: () => void): Promise<LoadedBenchmark> {
    let stat;
    try {
      stat = await fs.stat(path);
    } catch (err) {
      throw ApplicationFailure.nonRetryable(`${FIELD}: cannot read ${path}: ${(err as Error).message}`, 'InvalidConfig');
    }
    const key = `${stat.mtimeMs}:${stat.size}:${ngram}`;
    const cached = this.loads.get(path);
    if (cached?.key === key) return cached.loading;
    const loading = this.load(path, ngram, onProgress);
    this.loads.set(path, { key, loading });
    // A failed load must not stay cached: the next task (or a retry) reads the file again.
    loading.catch(() => {
      if (this.loads.get(path)?.loading === loading) this.loads.delete(path);
    });
    return loading;
  }

  private async load(path: string, ngram: number, onProgress?: () => void): Promise<LoadedBenchmark> {
    let file;
    try {
      file = await readBenchmarkFile(path, onProgress);
    } catch (err) {
      throw ApplicationFailure.nonRetryable(`${FIELD}: cannot read ${path}: ${(err as Error).message}`, 'InvalidConfig');
    }
    const first = file.rejected[0];
    if (file.problems.length === 0) {
      throw ApplicationFailure.nonRetryable(
        `${FIELD}: ${path} holds no usable problem (${file.rejected.length} rejected lines${first ? `, first: line ${first.line}: ${first.reason}` : ''})`,
        'InvalidConfig'
      );
    }
    const index = new BenchmarkIndex(file.problems, ngram);
    const info: BenchmarkInfo = {
      path,
      problems: index.problems,
      problemsKey: await this.store.putJson(file.problems),
      ngram,
      distinctNgrams: index.distinctNgrams,
      rejectedLines: file.rejected.length,
      ...(first ? { firstRejected: first } : {}),
    };
    return { index, info };
  }
}
