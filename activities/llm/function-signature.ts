import { runPythonJson } from './python-json';

/**
 * The signature of `Solution.<fnName>` in many snippets, from one Python process's `ast` (parsing never runs the
 * code, so this is safe outside the sandbox, like python-syntax.ts). Used to validate a statement's starter code
 * (it fixes the parameters every test input must supply) and to reject candidates that could not be called
 * the way the harness calls them.
 */
export type MethodSignature =
  | {
      ok: true;
      /** Positional parameters after `self`, in order. */
      params: string[];
      /** How many of them have no default. */
      required: number;
      /** Takes `*args`: any number of extra positional arguments. */
      varargs: boolean;
    }
  | { ok: false; error: string };

const SCRIPT = `
import ast, json, sys

def signature(src, fn_name):
    try:
        tree = ast.parse(src)
    except (SyntaxError, ValueError) as e:
        return {"ok": False, "error": f"does not parse: {type(e).__name__}: {e}"}
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Solution"]
    if not classes:
        return {"ok": False, "error": "defines no top-level class Solution"}
    methods = [n for n in classes[-1].body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == fn_name]
    if not methods:
        return {"ok": False, "error": f"class Solution has no method {fn_name}"}
    m = methods[-1]
    if isinstance(m, ast.AsyncFunctionDef):
        return {"ok": False, "error": f"Solution.{fn_name} is async; it must return its answer"}
    decorators = {d.id for d in m.decorator_list if isinstance(d, ast.Name)}
    positional = [a.arg for a in m.args.posonlyargs + m.args.args]
    if "staticmethod" not in decorators:
        if not positional:
            return {"ok": False, "error": f"Solution.{fn_name} takes no self parameter"}
        positional = positional[1:]
    kw_required = [a.arg for a, d in zip(m.args.kwonlyargs, m.args.kw_defaults) if d is None]
    if kw_required:
        return {"ok": False, "error": f"Solution.{fn_name} has keyword-only parameters without defaults: {', '.join(kw_required)}"}
    return {"ok": True, "params": positional, "required": len(positional) - len(m.args.defaults), "varargs": m.args.vararg is not None}

json.dump([signature(item["code"], item["fnName"]) for item in json.load(sys.stdin)], sys.stdout)
`;

export async function methodSignatures(
  items: readonly { code: string; fnName: string }[],
  python = process.env.SYNTHSMITH_PYTHON_SYNTAX ?? 'python3'
): Promise<MethodSignature[]> {
  if (items.length === 0) return [];
  return runPythonJson<MethodSignature[]>(SCRIPT, items, 'python signature check', python);
}

/** Why a candidate's method cannot take the starter code's arguments, or null when it can. */
export function signatureMismatch(candidate: MethodSignature, starterParams: readonly string[], fnName: string): string | null {
  if (!candidate.ok) return candidate.error;
  const n = starterParams.length;
  if (candidate.required <= n && (candidate.varargs || candidate.params.length >= n)) return null;
  return `Solution.${fnName}(${candidate.params.join(', ')}) cannot be called with the starter code's ${n} argument(s) (${starterParams.join(', ')})`;
}
