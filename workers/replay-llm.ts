/**
 * Runs the replay provider: an OpenAI-compatible endpoint that answers from a recorded corpus, so the demo
 * pipeline runs end to end without a model. Point an LLM endpoint's baseURL at the printed URL.
 *
 *   npx tsx workers/replay-llm.ts [--port 8399] [--host 127.0.0.1] [--corpus workers/demo-data/replay-corpus.json]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_CORPUS_PATH, loadReplayCorpus } from './replay-llm/corpus';
import { ReplayLlmServer, replayModelId } from './replay-llm/server';

async function run(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8399' },
      host: { type: 'string', default: '127.0.0.1' },
      corpus: { type: 'string', default: DEFAULT_CORPUS_PATH },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got ${values.port}`);
  const corpusPath = path.resolve(values.corpus);
  const corpus = await loadReplayCorpus(corpusPath);
  const server = await ReplayLlmServer.start({ corpus, port, host: values.host });

  console.log(
    `SynthSmith replay provider (recorded answers from corpus "${corpus.name}" v${corpus.version}, ` +
      `${corpus.tasks.length} tasks; not a model) from ${corpusPath}`
  );
  console.log(`model id: ${replayModelId(corpus)}`);
  console.log(`base URL: ${server.baseURL}`);

  const stop = (signal: string) => {
    console.log(`${signal}: closing the replay provider`);
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      }
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
