/**
 * Parsers for LLM answers. Each throws an Error whose message is fed back to the model in a repair attempt,
 * so messages say what was wrong in words a model can act on.
 */

/** JSON between <begin> and <end> (the paper's feature prompts). */
export function jsonBetweenMarkers(text: string): unknown {
  const start = text.lastIndexOf('<begin>');
  const end = text.lastIndexOf('<end>');
  if (start < 0 || end < start) throw new Error('the answer must contain a JSON object between <begin> and <end>');
  return parseLenientJson(text.slice(start + '<begin>'.length, end));
}

/**
 * The JSON object of an answer (the paper's stage-1 parse): after a ```json fence if there is one (up to the
 * last fence: the JSON's own strings may hold ``` code blocks, e.g. statement examples), from the first "{"
 * to the last "}". Fences are never stripped globally, for the same reason.
 */
export function jsonObject(text: string): unknown {
  const open = /```json[^\n]*\n/i.exec(text);
  const afterOpen = open ? text.slice(open.index + open[0].length) : text;
  const close = afterOpen.lastIndexOf('```');
  const body = open && close >= 0 ? afterOpen.slice(0, close) : afterOpen;
  const start = body.indexOf('{');
  const end = body.lastIndexOf('}');
  if (start < 0 || end < start) throw new Error('the answer must contain one JSON object');
  return parseLenientJson(body.slice(start, end + 1));
}

/** JSON.parse after the cheap repair real models most often need: trailing commas. */
function parseLenientJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    try {
      return JSON.parse(text.replace(/,\s*([}\]])/g, '$1'));
    } catch (err) {
      throw new Error(`the JSON is invalid (${(err as Error).message})`);
    }
  }
}

export interface CodeAnswer {
  reasoning: string;
  code: string;
}

const FENCES = {
  python: { tags: /```(?:python|py|python3)[^\n]*\n([\s\S]*?)```/gi, name: 'python' },
  cpp: { tags: /```(?:cpp|c\+\+|cc|cxx)[^\n]*\n([\s\S]*?)```/gi, name: 'cpp' },
} as const;

/**
 * Exactly one code block of the language, with the reasoning before it (paper App. C.1 filters ii/iii). C++
 * answers follow the same contract; they are compiled by the judge, Python ones parsed with `ast`.
 */
export function codeAnswer(text: string, language: keyof typeof FENCES): CodeAnswer {
  const { tags, name } = FENCES[language];
  const blocks = [...text.matchAll(tags)];
  if (blocks.length === 0) throw new Error(`no \`\`\`${name} code block`);
  if (blocks.length > 1) throw new Error(`${blocks.length} code blocks; exactly one is allowed`);
  const block = blocks[0] as RegExpMatchArray;
  const reasoning = text
    .slice(0, block.index)
    .replace(/<\/?think>/g, '')
    .trim();
  return { reasoning, code: (block[1] ?? '').replace(/\s+$/, '') + '\n' };
}

export function pythonAnswer(text: string): CodeAnswer {
  return codeAnswer(text, 'python');
}
