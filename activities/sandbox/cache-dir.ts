/**
 * Where the judge keeps what it builds once per machine: the launcher and runner binaries, the precompiled
 * bits/stdc++.h, and compiled solutions. Boxes bind these read-only and run as an unprivileged slot uid, so
 * every directory on the path must be traversable by others: root's ~/.cache is 0700, hence /var/cache.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultCacheDir(): string {
  const fromEnv = process.env.SYNTHSMITH_JUDGE_CACHE;
  if (fromEnv) return fromEnv;
  return process.getuid?.() === 0 ? '/var/cache/synthsmith-judge' : join(homedir(), '.cache', 'synthsmith-judge');
}

/** mkdir -p with mode 0755 on what it creates (umask would otherwise decide). */
export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  return dir;
}
