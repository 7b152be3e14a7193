/**
 * The driver that runs an LLM-written test generator inside one box and hands back the `.in` files it wrote.
 * The box keeps only stdout (its work directory is wiped after every run), so the driver runs the generator as
 * a child process in an empty directory, then prints every `<name>.in` file of that directory as one JSON
 * document. A child process, not runpy, because CYaRon's IO flushes its files when the interpreter exits.
 * PYTHONHASHSEED is fixed so set/dict order of strings cannot make two runs with the same seed differ.
 */

/** What the driver reads on stdin (one JSON object); it goes through stdin because a box's argv is fixed. */
export interface DriverRequest {
  seed: number;
  scale: string;
  /** Files above this are reported by size only. */
  maxBytes: number;
  /** Total bytes of file contents printed; later files are reported by size only (keeps stdout under its cap). */
  budgetBytes: number;
}

export interface HarvestedFile {
  name: string;
  bytes: number;
  /** Present when the file was read: UTF-8, within maxBytes and the budget. */
  text?: string;
  problem?: 'oversized' | 'not-utf8' | 'budget';
}

export interface Harvest {
  /** The generator's exit status (negative: killed by that signal). */
  exit: number;
  /** Tail of the generator's stdout and stderr together. */
  log: string;
  files: HarvestedFile[];
}

/** Where the driver puts the generator (`putFile` writes into the box's work directory). */
export const GENERATOR_FILE = 'generator.py';

export const DRIVER_SOURCE = `import json, os, re, stat, subprocess, sys

req = json.loads(sys.stdin.read())
out = "/work/out"
os.mkdir(out)
env = dict(os.environ, PYTHONHASHSEED="0")
with open("/work/generator.log", "w+b") as log:
    proc = subprocess.run(
        [sys.executable, "-s", "-B", "/work/${GENERATOR_FILE}", "--seed", str(req["seed"]), "--scale", req["scale"]],
        cwd=out, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
    )
    size = log.seek(0, 2)
    log.seek(max(0, size - 2000))
    tail = log.read().decode("utf-8", "replace")

def natural(name):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\\d+)", name)]

files = []
budget = req["budgetBytes"]
# Regular files only, never followed links: a generator must not make the driver read the system for it.
entries = [e for e in os.scandir(out) if e.name.endswith(".in") and e.is_file(follow_symlinks=False)]
for entry in sorted(entries, key=lambda e: natural(e.name)):
    size = entry.stat(follow_symlinks=False).st_size
    item = {"name": entry.name, "bytes": size}
    if size > req["maxBytes"]:
        item["problem"] = "oversized"
    elif size > budget:
        item["problem"] = "budget"
    else:
        with open(entry.path, "rb") as f:
            data = f.read(req["maxBytes"] + 1)
        try:
            item["text"] = data.decode("utf-8")
            budget -= len(data)
        except UnicodeDecodeError:
            item["problem"] = "not-utf8"
    files.append(item)
json.dump({"exit": proc.returncode, "log": tail, "files": files}, sys.stdout)
`;

/** The driver's stdout, checked: the generator shares its box, so nothing printed there is trusted blindly. */
export function parseHarvest(stdout: string): Harvest {
  let raw: unknown;
  try {
    raw = JSON.parse(stdout);
  } catch {
    throw new Error('the driver printed no readable file list');
  }
  const h = raw as Partial<Harvest>;
  if (typeof h.exit !== 'number' || typeof h.log !== 'string' || !Array.isArray(h.files)) throw new Error('the driver printed a malformed file list');
  const files = h.files.filter(
    (f): f is HarvestedFile => typeof f?.name === 'string' && typeof f.bytes === 'number' && (f.text === undefined || typeof f.text === 'string'),
  );
  return { exit: h.exit, log: h.log, files };
}
