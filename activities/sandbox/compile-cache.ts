/**
 * Compiles each distinct (language, compiler, flags, headers, source) once: binaries and compile errors are kept
 * on disk under the judge cache, keyed by a SHA-256 of all five, and concurrent requests for the same key share one
 * compilation. Compilation runs in a box like the solutions do (a compiler is a large attack surface and the
 * source is untrusted): the binary leaves the box through its stdout, the diagnostics through stderr.
 * Our headers (native/testlib.h) are on the include path of every C++ compile, so testlib checkers compile.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDir } from './cache-dir';
import { CXX_FLAGS, INCLUDE_DIR_IN_BOX, LANGUAGES, type LanguageId } from './languages';
import { SandboxInfraError, type Program } from './types';

const MiB = 1024 * 1024;
/** Binaries and cached compile errors kept on disk (a typical binary is ~20-100 KB). */
const MAX_ENTRIES = 20_000;
/** Headers offered to every compile, read from the source tree. */
const HEADERS_SRC = join(__dirname, 'native');
const HEADERS = ['testlib.h'] as const;

export type Compiled = { ok: true; binary: string } | { ok: false; message: string };

/** What the compile cache needs from the engine: one run of one program in a fresh box. */
export type RunInBox = (
  program: Program,
  opts: { memoryMb: number; cpuMs: number; wallMs: number; outputBytes: number; tmpfsBytes: number; binds?: { host: string; dest: string }[] },
) => Promise<{ ok: boolean; exitedNonZero: boolean; stdout: Buffer; stderr: Buffer; summary: string }>;

const COMPILE = { memoryMb: 1024, cpuMs: 30_000, wallMs: 60_000, outputBytes: 128 * MiB, tmpfsBytes: 256 * MiB };
/** cc1plus peaks ~250 MiB and the PCH is ~100 MB of tmpfs. */
const PCH_BUILD = { memoryMb: 1536, cpuMs: 60_000, wallMs: 120_000, outputBytes: 512 * MiB, tmpfsBytes: 512 * MiB };

function hostCompilerId(): string {
  try {
    return execFileSync('/usr/bin/g++', ['-dumpfullversion'], { encoding: 'utf8' }).trim() + '/' +
      execFileSync('/usr/bin/g++', ['-dumpmachine'], { encoding: 'utf8' }).trim();
  } catch (err) {
    throw new SandboxInfraError(`g++ is not available: ${String(err)}`);
  }
}

export class CompileCache {
  private readonly inflight = new Map<string, Promise<Compiled>>();
  private compilerId: string | undefined;
  private pch: Promise<string | undefined> | undefined;
  private pruned = false;
  private headers: { dir: string; id: string } | undefined;

  constructor(
    private readonly dir: string,
    private readonly runInBox: RunInBox,
  ) {}

  compile(language: LanguageId, code: string): Promise<Compiled> {
    if (!this.pruned) {
      this.pruned = true;
      pruneOldest(join(this.dir, 'bin'), MAX_ENTRIES);
    }
    const lang = LANGUAGES[language];
    if (!lang.compile) throw new Error(`${language} is not compiled`);
    this.compilerId ??= hostCompilerId();
    // The headers' hash is part of the key: a changed testlib.h must recompile the checkers that include it.
    const key = createHash('sha256').update(`${language}\0${this.compilerId}\0${CXX_FLAGS.join(' ')}\0${this.ensureHeaders().id}\0`).update(code).digest('hex');
    let p = this.inflight.get(key);
    if (!p) {
      p = this.compileUncached(key, language, code).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  private async compileUncached(key: string, language: LanguageId, code: string): Promise<Compiled> {
    const dir = ensureDir(join(this.dir, 'bin', key.slice(0, 2)));
    const binary = join(dir, key);
    const ceFile = `${binary}.ce`;
    if (existsSync(binary)) return { ok: true, binary };
    if (existsSync(ceFile)) return { ok: false, message: readFileSync(ceFile, 'utf8') };
    const lang = LANGUAGES[language];
    const pchDir = await this.ensurePch();
    const argv = lang.compile?.argv(pchDir !== undefined) ?? [];
    const shell = `${argv.map(shellQuote).join(' ')} >&2 && exec cat /tmp/a.out`;
    const r = await this.runInBox(
      { kind: 'source', fileName: lang.sourceName, code, argv: ['/bin/sh', '-c', shell] },
      { ...COMPILE, binds: [...(pchDir ? [{ host: pchDir, dest: '/pch' }] : []), { host: this.ensureHeaders().dir, dest: INCLUDE_DIR_IN_BOX }] },
    );
    if (!r.ok) {
      const message = (r.stderr.toString('utf8').trim() || r.summary).slice(0, 16_384);
      // Only a compiler that ran to its own end says something about the source; a limit hit may not recur.
      if (r.exitedNonZero) writeAtomic(ceFile, message, 0o644);
      return { ok: false, message };
    }
    writeAtomic(binary, r.stdout, 0o755);
    return { ok: true, binary };
  }

  /**
   * Copies the headers into the cache once per content: the slot uids can traverse the cache directory, not
   * necessarily the source checkout (root's home is 0700).
   */
  private ensureHeaders(): { dir: string; id: string } {
    if (this.headers) return this.headers;
    const contents = HEADERS.map((name) => ({ name, data: readFileSync(join(HEADERS_SRC, name)) }));
    const hash = createHash('sha256');
    for (const h of contents) hash.update(h.name).update('\0').update(h.data).update('\0');
    const id = hash.digest('hex').slice(0, 16);
    const dir = ensureDir(join(this.dir, `include-${id}`));
    for (const h of contents) if (!existsSync(join(dir, h.name))) writeAtomic(join(dir, h.name), h.data, 0o644);
    this.headers = { dir, id };
    return this.headers;
  }

  /** Builds the precompiled bits/stdc++.h once per compiler; undefined (compile without it) if it cannot. */
  private ensurePch(): Promise<string | undefined> {
    this.pch ??= (async () => {
      const [version = '', machine = ''] = (this.compilerId ?? '').split('/');
      const header = `/usr/include/${machine}/c++/${version.split('.')[0]}/bits/stdc++.h`;
      if (!existsSync(header)) return undefined;
      const id = createHash('sha256').update(`${this.compilerId}\0${CXX_FLAGS.join(' ')}`).digest('hex').slice(0, 16);
      const dir = join(this.dir, `pch-${id}`);
      const gch = join(dir, 'bits', 'stdc++.h.gch');
      if (existsSync(gch)) return dir;
      const shell = `/usr/bin/g++ ${CXX_FLAGS.join(' ')} -x c++-header ${header} -o /tmp/pch.gch >&2 && exec cat /tmp/pch.gch`;
      const r = await this.runInBox({ kind: 'source', fileName: 'empty', code: '', argv: ['/bin/sh', '-c', shell] }, PCH_BUILD);
      if (!r.ok) {
        console.error(`judge: building the precompiled header failed, compiling without it: ${r.summary} ${r.stderr.toString().slice(0, 500)}`);
        return undefined;
      }
      ensureDir(join(dir, 'bits'));
      writeAtomic(gch, r.stdout, 0o644);
      return dir;
    })();
    return this.pch;
  }
}

/**
 * Keeps the cache bounded (RL training compiles a stream of distinct programs): once per process, removes the
 * least recently written entries beyond `max`. A binary removed under a running box stays readable to it.
 */
function pruneOldest(binDir: string, max: number): void {
  const entries: { path: string; mtimeMs: number }[] = [];
  let shards: string[];
  try {
    shards = readdirSync(binDir);
  } catch {
    return;
  }
  for (const shard of shards) {
    for (const name of readdirSync(join(binDir, shard))) {
      const path = join(binDir, shard, name);
      try {
        entries.push({ path, mtimeMs: statSync(path).mtimeMs });
      } catch {
        // removed meanwhile
      }
    }
  }
  if (entries.length <= max) return;
  entries.sort((a, b) => a.mtimeMs - b.mtimeMs);
  for (const e of entries.slice(0, entries.length - max)) rmSync(e.path, { force: true });
}

function writeAtomic(file: string, data: string | Buffer, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

function shellQuote(s: string): string {
  return /^[\w./=+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
