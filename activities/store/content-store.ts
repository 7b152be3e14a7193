import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ArtifactKey } from '../../workflows/types';

/**
 * Content-addressed blob store on a local directory (the default; S3-compatible storage replaces it when
 * workers run on several machines). Keys are `sha256:<hex>` of the bytes, so a retried activity that writes
 * the same content gets the same key and rewrites nothing: writes are idempotent by construction.
 */
export class ContentStore {
  constructor(readonly root: string) {}

  static keyOf(bytes: Buffer | string): ArtifactKey {
    return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  }

  /** Where a blob lives on disk (trainers read datasets from here directly). */
  pathOf(key: ArtifactKey): string {
    const m = /^sha256:([0-9a-f]{64})$/.exec(key);
    if (!m?.[1]) throw new Error(`not an artifact key: ${key}`);
    const hex = m[1];
    return path.join(this.root, 'blobs', hex.slice(0, 2), hex.slice(2));
  }

  async putBytes(bytes: Buffer | string): Promise<ArtifactKey> {
    const key = ContentStore.keyOf(bytes);
    const target = this.pathOf(key);
    try {
      await fs.access(target);
      return key;
    } catch {
      // Not there yet: write to a unique temp name then rename, so readers never see a partial blob.
    }
    await fs.mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    await fs.writeFile(tmp, bytes);
    await fs.rename(tmp, target);
    return key;
  }

  async getBytes(key: ArtifactKey): Promise<Buffer> {
    return fs.readFile(this.pathOf(key));
  }

  putText(text: string): Promise<ArtifactKey> {
    return this.putBytes(Buffer.from(text, 'utf8'));
  }

  async getText(key: ArtifactKey): Promise<string> {
    return (await this.getBytes(key)).toString('utf8');
  }

  /** JSON with sorted keys, so equal values always hash to the same key. */
  putJson(value: unknown): Promise<ArtifactKey> {
    return this.putText(canonicalJson(value));
  }

  async getJson<T>(key: ArtifactKey): Promise<T> {
    return JSON.parse(await this.getText(key)) as T;
  }

  /**
   * Named, mutable pointers to immutable blobs (e.g. the head version of a dataset). The only mutable state
   * in the store; written atomically, and kept apart from blobs/.
   */
  async readRef(name: string): Promise<ArtifactKey | undefined> {
    try {
      return (await fs.readFile(this.refPath(name), 'utf8')).trim() || undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async writeRef(name: string, key: ArtifactKey): Promise<void> {
    this.pathOf(key);
    const target = this.refPath(name);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    await fs.writeFile(tmp, `${key}\n`);
    await fs.rename(tmp, target);
  }

  private refPath(name: string): string {
    if (!/^[A-Za-z0-9._-]{1,100}$/.test(name)) throw new Error(`invalid ref name: ${name}`);
    return path.join(this.root, 'refs', name);
  }

  /** Writes a human-readable copy of a blob under the store root (e.g. runs/<id>/dataset/sft.jsonl). */
  async publish(key: ArtifactKey, relativePath: string): Promise<string> {
    const target = path.join(this.root, relativePath);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    await fs.copyFile(this.pathOf(key), tmp);
    await fs.rename(tmp, target);
    return target;
  }
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])])
    );
  }
  return value;
}
