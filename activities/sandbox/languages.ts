/**
 * The language table. A language is either interpreted (its source is copied into the box and run by the
 * interpreter) or compiled (compiled once per distinct source, in a box of its own, then the binary is bound
 * read-only into the run box). Adding a language is one entry here.
 */
import type { Program } from './types';

export type LanguageId = 'python' | 'cpp';

export interface Language {
  id: LanguageId;
  sourceName: string;
  /** Compiler command inside the box; the source is at /box/<sourceName>, the binary must end at /tmp/a.out. */
  compile?: { argv: (withPch: boolean) => string[] };
  /** Program for an interpreted language. */
  interpret?: (code: string) => Program;
}

/**
 * g++ flags. A precompiled bits/stdc++.h is only used when built with exactly these code-generation flags
 * (measured: 2.6 s → 1.35 s per typical solution), so the PCH build reuses them.
 */
export const CXX_FLAGS = ['-std=gnu++17', '-O2', '-pipe'];

/** Where the compile box sees our headers (native/testlib.h), so that `#include "testlib.h"` resolves. */
export const INCLUDE_DIR_IN_BOX = '/include';

export const LANGUAGES: Record<LanguageId, Language> = {
  python: {
    id: 'python',
    sourceName: 'main.py',
    // -I: no PYTHON* variables, no user site, no script dir on sys.path; the system dist-packages stay.
    interpret: (code) => ({ kind: 'source', fileName: 'main.py', code, argv: ['/usr/bin/python3', '-I', '/box/main.py'] }),
  },
  cpp: {
    id: 'cpp',
    sourceName: 'main.cpp',
    compile: {
      argv: (withPch) => ['/usr/bin/g++', ...CXX_FLAGS, ...(withPch ? ['-I/pch', '-Winvalid-pch'] : []), `-I${INCLUDE_DIR_IN_BOX}`, '-o', '/tmp/a.out', '/box/main.cpp'],
    },
  },
};

export function isLanguageId(x: string): x is LanguageId {
  return Object.hasOwn(LANGUAGES, x);
}
