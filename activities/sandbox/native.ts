/**
 * Builds the two small C programs of the sandbox (native/launcher.c, native/runner.c) with gcc, once per
 * machine and source version: the output directory is keyed by a hash of the sources and flags, and a build is
 * renamed into place atomically, so concurrent workers and stale builds never mix.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureDir } from './cache-dir';
import { SandboxInfraError } from './types';

const run = promisify(execFile);
const SOURCES = join(__dirname, 'native');
const CFLAGS = ['-O2', '-Wall', '-Wextra', '-D_FORTIFY_SOURCE=2'];

export interface NativeTools {
  launcher: string;
  runner: string;
}

const building = new Map<string, Promise<NativeTools>>();

export function ensureNativeTools(cacheDir: string): Promise<NativeTools> {
  const launcherSrc = readFileSync(join(SOURCES, 'launcher.c'));
  const runnerSrc = readFileSync(join(SOURCES, 'runner.c'));
  const hash = createHash('sha256').update(launcherSrc).update('\0').update(runnerSrc).update(CFLAGS.join(' ')).digest('hex').slice(0, 16);
  const dir = join(cacheDir, `native-${hash}`);
  let pending = building.get(dir);
  if (!pending) {
    pending = build(cacheDir, dir);
    building.set(dir, pending);
    pending.catch(() => building.delete(dir));
  }
  return pending;
}

async function build(cacheDir: string, dir: string): Promise<NativeTools> {
  const tools = { launcher: join(dir, 'launcher'), runner: join(dir, 'runner') };
  if (existsSync(tools.launcher) && existsSync(tools.runner)) return tools;
  ensureDir(cacheDir);
  const tmp = mkdtempSync(join(cacheDir, '.native-'));
  try {
    // libseccomp-dev (Debian) provides seccomp.h; .ci/setup.sh installs it.
    await run('gcc', [...CFLAGS, '-o', join(tmp, 'launcher'), join(SOURCES, 'launcher.c'), '-lseccomp']);
    await run('gcc', [...CFLAGS, '-o', join(tmp, 'runner'), join(SOURCES, 'runner.c')]);
    ensureDir(tmp);
    try {
      renameSync(tmp, dir);
    } catch (err) {
      // Another process won the race; its build is identical.
      if (!existsSync(tools.runner)) throw err;
    }
    return tools;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new SandboxInfraError(`cannot build the sandbox launcher/runner (gcc, libseccomp-dev): ${e.stderr ?? e.message}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
