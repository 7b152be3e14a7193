/**
 * The bench's LLM stand-in: an OpenAI-compatible HTTP server that answers every pipeline prompt at once, by
 * rule, with no model behind it (named "instant-scripted" in every answer). It makes what a scale run needs
 * and nothing more: big feature trees, a distinct statement per feature subtree (random words, so near-
 * duplicate removal keeps them), trivial solutions (C++ or Python: 7 correct, 1 off by one) and 15 inputs.
 *
 * Run as its own process (`tsx bench/lib/instant-llm.ts`) so its CPU time is measured apart from the workers';
 * it prints `listening <port>` when ready.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const HEADER = /^\[synthsmith prompt=([A-Za-z0-9_.-]+) version=(\d+)\]/;

const CPP_OK = '#include <cstdio>\nint main(){long long s=0,x;while(scanf("%lld",&x)==1)s+=x;printf("%lld\\n",s);}\n';
const CPP_WRONG = '#include <cstdio>\nint main(){long long s=1,x;while(scanf("%lld",&x)==1)s+=x;printf("%lld\\n",s);}\n';
const PY_OK = 'import sys\nprint(sum(map(int, sys.stdin.read().split())))\n';
const PY_WRONG = 'import sys\nprint(sum(map(int, sys.stdin.read().split())) + 1)\n';

/** Deterministic pseudo-random stream from a string (statements are a function of the request). */
function stream(seed: string): () => number {
  let h = createHash('sha256').update(seed).digest();
  let i = 0;
  return () => {
    if (i + 4 > h.length) {
      h = createHash('sha256').update(h).digest();
      i = 0;
    }
    const v = h.readUInt32BE(i);
    i += 4;
    return v / 2 ** 32;
  };
}

/** Made-up words: no algorithm or data-structure names, so the statement filters pass them. */
const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'su', 'ta', 'ri', 'po', 've', 'du', 'fa', 'go', 'hi', 'ju', 'ze', 'bo'];
const VOCAB = Array.from({ length: 3000 }, (_, w) => {
  const r = stream(`word-${w}`);
  return Array.from({ length: 2 + Math.floor(r() * 3) }, () => SYLLABLES[Math.floor(r() * SYLLABLES.length)]).join('');
});

function words(seed: string, n: number): string {
  const r = stream(seed);
  return Array.from({ length: n }, () => VOCAB[Math.floor(r() * VOCAB.length)]).join(' ');
}

/** A tree of `categories` × `groups` × `leaves` features, named after `tag` so seeds extend each other. */
function tree(tag: string, categories: number, groups: number, leaves: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let c = 0; c < categories; c++) {
    const cat: Record<string, string[]> = {};
    for (let g = 0; g < groups; g++) cat[`group ${g}`] = Array.from({ length: leaves }, (_, l) => `feature ${tag} ${c}.${g}.${l}`);
    out[`category_${c}`] = cat;
  }
  return out;
}

function answer(prompt: string, user: string, n: number): string[] {
  const key = createHash('sha256').update(user).digest('hex').slice(0, 16);
  switch (prompt) {
    case 'extract-features':
      return [`<begin>${JSON.stringify(tree(key.slice(0, 6), 8, 6, 8))}<end>`];
    case 'evolve-features':
      return [`<begin>${JSON.stringify(tree(`evolved ${key.slice(0, 6)}`, 8, 6, 8))}<end>`];
    case 'select-features':
      return [
        JSON.stringify({
          feature_roles_tree: { core: ['a'] },
          selected_features_tree: { core: ['a'] },
          integration_strategy: `combine the parts in order ${key}`,
        }),
      ];
    case 'write-statement': {
      const question = `# Task ${key}\n\n${words(key, 260)}\n\n## Input\n\nSeveral integers separated by spaces.\n\n## Output\n\nTheir sum.\n`;
      return [JSON.stringify({ question })];
    }
    case 'solve':
    case 'solve-cpp': {
      const cpp = prompt === 'solve-cpp';
      return Array.from({ length: n }, (_, i) => {
        const code = cpp ? (i === n - 1 && n > 2 ? CPP_WRONG : CPP_OK) : i === n - 1 && n > 2 ? PY_WRONG : PY_OK;
        return `Add them up.\n\n\`\`\`${cpp ? 'cpp' : 'python'}\n${code}\`\`\``;
      });
    }
    case 'write-tests': {
      const r = stream(`tests-${key}`);
      const cases = Array.from({ length: 15 }, (_, i) => ({
        idx: i + 1,
        description: `case ${i + 1}`,
        input_string: `${Array.from({ length: 1 + i * 3 }, () => Math.floor(r() * 2000) - 1000).join(' ')}\n`,
      }));
      return [JSON.stringify({ test_cases: cases })];
    }
    default:
      throw new Error(`instant-scripted LLM: no rule for prompt ${prompt}`);
  }
}

export async function startInstantLlm(port = 0): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { messages: { content: string }[]; n?: number; model: string };
        const prompt = HEADER.exec(body.messages[0]?.content ?? '')?.[1] ?? '';
        const user = body.messages.slice(1).map((m) => m.content).join('\n');
        const contents = answer(prompt, user, body.n ?? 1);
        const completion = contents.reduce((s, c) => s + Math.ceil(c.length / 4), 0);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: `instant-${Date.now()}`,
            object: 'chat.completion',
            created: Math.floor(Date.now() / 1000),
            model: body.model,
            system_fingerprint: 'instant-scripted',
            choices: contents.map((content, index) => ({ index, finish_reason: 'stop', message: { role: 'assistant', content } })),
            usage: { prompt_tokens: Math.ceil(user.length / 4), completion_tokens: completion, total_tokens: Math.ceil(user.length / 4) + completion },
          })
        );
      } catch (err) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: (err as Error).message, type: 'invalid_request_error' } }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

if (require.main === module) {
  startInstantLlm()
    .then(({ port }) => console.log(`listening ${port}`))
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
