import type { Prompt } from '../prompt';

/**
 * Paper §4, tool-based test inputs: one CYaRon/Python generator program, run in the sandbox once per scale with a
 * fixed seed. The output protocol is the paper's: every input in its own `<characteristic>.in` file (CYaRon's
 * IO writes exactly such files), harvested from the working directory after the run by our driver
 * (activities/sandbox/generator-driver.ts); the file name becomes the test's description. The command line, the
 * file protocol and the 1 MiB cap stated here are what activities/sandbox/generate-inputs.ts relies on and enforces.
 */
export const writeGeneratorPrompt: Prompt<{ statement: string; inputFormat: string; scales: string[]; perScale: number }> = {
  id: 'write-generator',
  version: 1,
  system: 'You are an expert competitive-programming test designer who writes test-data generators with CYaRon.',
  user: ({ statement, inputFormat, scales, perScale }) => `Write a test-input generator for the problem below: one runnable Python 3 program that writes test inputs (never
outputs) as files.

It is run once per scale (${scales.join(', ')}), each time in an empty working directory, without network and
without standard input:

    python3 generator.py --seed <integer> --scale <${scales.join('|')}>

Requirements:
- Parse the arguments with argparse: --seed (int, default 42) and --scale (choices small, medium, large; default
  small). Call random.seed(args.seed) once, before anything else is drawn.
- Use Python's \`random\` module for every random choice (CYaRon's generators draw from it too). Nothing that
  depends on the clock, the machine or process state (no numpy, time, os.urandom, uuid, secrets, id(), hash() of
  strings): the same seed and scale must write byte-identical files.
- Write every test input to its own file "<characteristic>.in" in the current directory, named after what it
  tests (letters, digits, "_" and "-"; e.g. "min_n.in", "all_equal.in", "random_3.in", "max_chain.in"), holding
  ${inputFormat} and nothing else. Other files and anything printed are ignored.
- Per scale write between 3 and ${perScale} files; over all scales cover at least 5 distinct characteristics
  (basic, boundary, random, special structure, worst case / stress):
  - small: hand-checkable inputs and edge cases (minimum sizes, zero or one, all equal, degenerate structures);
  - medium: random inputs of moderate size (about 100 to 1000 elements, or 1% to 10% of the maximum limits);
  - large: inputs at the maximum constraints, including worst cases for slow or naive solutions. Every file must
    stay under 1 MiB: if the limits allow more, use the largest sizes that fit.
- Every input must satisfy all constraints and guarantees of the statement (ranges, distinct values, exactly
  one S, connectivity, ...), including at the boundaries.
- Explain the intent of each test in a comment. Finish within a few seconds and exit with status 0.

CYaRon is installed (\`from cyaron import *\`). Its main parts:
- IO(file_prefix="random_", data_id=3, disable_output=True) writes random_3.in; io.input_writeln(*values) writes
  the values separated by spaces and ends the line (lists are flattened), io.input_write(*values) does not end
  it. Use \`with IO(...) as io:\` so the file is complete when the program ends.
- Graph.tree(n, chain=0, flower=0, weight_limit=(lo, hi)), Graph.binary_tree(n), Graph.chain(n), Graph.flower(n),
  Graph.graph(n, m, self_loop=False, repeated_edges=False, weight_limit=...), Graph.connected(n, m, ...),
  Graph.DAG(n, m, ...), Graph.UDAG(n, m, ...), Graph.forest(n, k). Vertices are 1..n; str(g) gives one "u v w"
  line per edge, g.to_str(output=Edge.unweighted_edge, shuffle=True) gives "u v" lines in random order.
  Graph.graph allows self loops and repeated edges unless told otherwise.
- Sequence(lambda i, f: ...).get(l, r): terms l..r of a sequence given by a formula.
- String.random(length or (min, max), charset="abc"), String.random_sentence(words), String.random_paragraph(k).
- Vector.random(num, [(lo, hi), ...], mode) (mode 0 distinct integer points, 1 repeatable, 2 floats).
- Polygon.convex_hull(n, fx=..., fy=...), Polygon.simple_polygon(points).
Plain Python is fine as well (open(name, "w") and random.randint, random.sample, random.shuffle).

Answer with your reasoning, then the whole program in exactly one \`\`\`python code block.

${statement}`,
};
