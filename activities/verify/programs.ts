/**
 * Program identity for witness counting: two candidates whose sources are the same after dropping comments and
 * normalising whitespace are one witness, however many times a model repeated them. Tokens are runs of word
 * characters, string literals, or single other characters, joined by one space, so `x=1` and `x = 1` match but
 * `ab` and `a b` do not. Comments are dropped outside string literals (Python `#`, C++ `//` and block comments).
 */
import { createHash } from 'node:crypto';

export type SourceLanguage = 'python' | 'cpp';

const TOKEN_RE = /[A-Za-z0-9_]+|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\S/g;

function stripComments(code: string, language: SourceLanguage): string {
  let out = '';
  let i = 0;
  while (i < code.length) {
    const c = code[i] as string;
    if (c === '"' || c === "'") {
      // Python triple quotes and ordinary literals alike: copy through to the matching quote.
      const triple = language === 'python' && code.startsWith(c.repeat(3), i);
      const close = triple ? c.repeat(3) : c;
      let j = i + close.length;
      while (j < code.length && !code.startsWith(close, j)) j += code[j] === '\\' ? 2 : 1;
      out += code.slice(i, j + close.length);
      i = j + close.length;
    } else if (language === 'python' && c === '#') {
      while (i < code.length && code[i] !== '\n') i++;
    } else if (language === 'cpp' && code.startsWith('//', i)) {
      while (i < code.length && code[i] !== '\n') i++;
    } else if (language === 'cpp' && code.startsWith('/*', i)) {
      const end = code.indexOf('*/', i + 2);
      i = end < 0 ? code.length : end + 2;
      out += ' ';
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

export function normalizedSource(code: string, language: SourceLanguage): string {
  return (stripComments(code, language).match(TOKEN_RE) ?? []).join(' ');
}

/** A short stable key of the program: language + normalised source. */
export function programKey(code: string, language: SourceLanguage): string {
  return `${language}:${createHash('sha256').update(normalizedSource(code, language)).digest('hex').slice(0, 16)}`;
}
