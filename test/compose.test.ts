import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

const ROOT = path.join(__dirname, '..');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[] | string;
  environment?: Record<string, string>;
  privileged?: boolean;
  depends_on?: string[] | Record<string, unknown>;
}

/**
 * Docker cannot run on these machines, so the compose file is checked statically: it parses, and what it
 * names exists and matches the code (entry points, environment variables, search attributes).
 */
describe('docker/compose.yml', async () => {
  const compose = parse(await fs.readFile(path.join(ROOT, 'docker', 'compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
  const services = compose.services;
  const envSource = [await fs.readFile(path.join(ROOT, 'workers', 'env.ts'), 'utf8')].join('\n');
  const readVariables = new Set([...envSource.matchAll(/env\.([A-Z0-9_]+)/g)].map((m) => m[1]));

  it('runs the Temporal server on PostgreSQL, the Web UI, MinIO and the three worker pools', () => {
    for (const name of ['postgresql', 'temporal', 'temporal-ui', 'minio', 'orchestrator', 'sandbox', 'trainer']) expect(services[name], name).toBeDefined();
    expect(services.temporal?.environment?.DB).toBe('postgres12');
  });

  it.each(['orchestrator', 'sandbox', 'trainer'])('starts the %s worker from an entry point that exists, on a Debian image', async (name) => {
    const service = services[name] as Service;
    const entry = Array.isArray(service.command) ? service.command[0] : service.command;
    expect(entry).toMatch(/^workers\/\w+\.ts$/);
    expect(existsSync(path.join(ROOT, entry as string))).toBe(true);
    const dockerfile = path.join(ROOT, 'docker', '..', service.build!.dockerfile);
    expect(existsSync(dockerfile)).toBe(true);
    const from = /^FROM\s+(\S+)/m.exec(await fs.readFile(dockerfile, 'utf8'))?.[1] ?? '';
    // core-bridge ships glibc-only binaries: no Alpine.
    expect(from).not.toMatch(/alpine/);
  });

  it('sets only environment variables the workers read (or the LLM key variable)', () => {
    for (const name of ['orchestrator', 'sandbox', 'trainer']) {
      for (const variable of Object.keys(services[name]?.environment ?? {})) {
        expect(readVariables.has(variable) || variable === 'OPENAI_API_KEY', `${name}: ${variable}`).toBe(true);
      }
      expect(services[name]?.environment?.SYNTHSMITH_STORE).toMatch(/^s3:\/\//);
    }
  });

  it('gives the sandbox the privileges bubblewrap needs and registers every search attribute the workflows upsert', () => {
    expect(services.sandbox?.privileged).toBe(true);
    const setup = JSON.stringify(services['temporal-create-namespace']);
    for (const key of SEARCH_ATTRIBUTES) expect(setup).toContain(key.name);
  });
});
