import { runPythonJson } from './python-json';

/**
 * `ast.parse` of many snippets in one Python process (paper App. C.1 filter ii). Parsing never executes the
 * code, so this runs outside the sandbox. Returns, per snippet, null when it parses or the SyntaxError text.
 */
export async function pythonSyntaxErrors(snippets: string[], python = process.env.SYNTHSMITH_PYTHON_SYNTAX ?? 'python3'): Promise<(string | null)[]> {
  // Nothing to parse (no snippets, or only empty ones: C++ pools, invalid candidates): no Python process.
  if (snippets.every((s) => s === '')) return snippets.map(() => null);
  const script =
    'import ast, json, sys\n' +
    'out = []\n' +
    'for src in json.load(sys.stdin):\n' +
    '    try:\n' +
    '        ast.parse(src)\n' +
    '        out.append(None)\n' +
    '    except (SyntaxError, ValueError) as e:\n' +
    '        out.append(f"{type(e).__name__}: {e}")\n' +
    'json.dump(out, sys.stdout)\n';
  return runPythonJson<(string | null)[]>(script, snippets, 'python syntax check', python);
}
