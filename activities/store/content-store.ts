import { createHash } from 'node:crypto';
import type { ArtifactKey } from '../../workflows/types';
import type { BlobBackend } from './backends/backend';
import { LocalDirBackend } from './backends/local-dir';
import { S3Backend, type S3BackendOptions } from './backends/s3';

/**
 * Content-addressed blob store. Keys are `sha256:<hex>` of the bytes, so a retried activity that writes the
 * same content gets the same key and rewrites nothing: writes are idempotent by construction.
 *
 * Objects live in a backend: a local directory (the default, shared by the workers of one machine) or
 * S3-compatible storage (workers on several machines). `root` is always a local directory: the backend
 * itself when local, otherwise a cache where blobs are materialised for programs that need a file (the
 * trainer reads its dataset from a path) and where local outputs such as checkpoints are written.
 */
export class ContentStore {
  readonly backend: BlobBackend;

  constructor(
    readonly root: string,
    backend?: BlobBackend
  ) {
    this.backend = backend ?? new LocalDirBackend(root);
  }

  /** The local directory `root`, or S3-compatible storage when `s3.url` is set (root is then the cache). */
  static open(options: { root: string; s3?: S3BackendOptions }): ContentStore {
    return new ContentStore(options.root, options.s3 ? new S3Backend(options.s3) : undefined);
  }

  static keyOf(bytes: Buffer | string): ArtifactKey {
    return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  }

  private static blobName(key: ArtifactKey): string {
    const m = /^sha256:([0-9a-f]{64})$/.exec(key);
    if (!m?.[1]) throw new Error(`not an artifact key: ${key}`);
    return `blobs/${m[1].slice(0, 2)}/${m[1].slice(2)}`;
  }

  /** Where a blob is on this machine, when the backend is local (no copy). Prefer {@link localPath}. */
  pathOf(key: ArtifactKey): string {
    const local = new LocalDirBackend(this.root);
    return local.localPath(ContentStore.blobName(key));
  }

  /** A local file holding the blob: the blob itself when local, else a verified copy in the cache. */
  async localPath(key: ArtifactKey): Promise<string> {
    const name = ContentStore.blobName(key);
    if (this.backend.localPath) return this.backend.localPath(name);
    const cache = new LocalDirBackend(this.root);
    if (!(await cache.exists(name))) await cache.write(name, await this.getBytes(key));
    return cache.localPath(name);
  }

  async putBytes(bytes: Buffer | string): Promise<ArtifactKey> {
    const key = ContentStore.keyOf(bytes);
    const name = ContentStore.blobName(key);
    if (!(await this.backend.exists(name))) await this.backend.write(name, Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8'));
    return key;
  }

  async getBytes(key: ArtifactKey): Promise<Buffer> {
    const bytes = await this.backend.read(ContentStore.blobName(key));
    if (!bytes) throw new Error(`artifact ${key} not found in ${this.backend.description}`);
    // A blob is named by its hash, so a damaged or truncated copy is detectable: never hand one out.
    if (ContentStore.keyOf(bytes) !== key) throw new Error(`artifact ${key} in ${this.backend.description} is corrupt`);
    return bytes;
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
   * in the store, kept apart from blobs/.
   */
  async readRef(name: string): Promise<ArtifactKey | undefined> {
    const bytes = await this.backend.read(ContentStore.refName(name));
    return bytes?.toString('utf8').trim() || undefined;
  }

  async writeRef(name: string, key: ArtifactKey): Promise<void> {
    ContentStore.blobName(key);
    await this.backend.write(ContentStore.refName(name), Buffer.from(`${key}\n`));
  }

  private static refName(name: string): string {
    if (!/^[A-Za-z0-9._-]{1,100}$/.test(name)) throw new Error(`invalid ref name: ${name}`);
    return `refs/${name}`;
  }

  /**
   * A human-readable copy of a blob (e.g. runs/<id>/dataset/sft.jsonl) next to the blobs; returns where it
   * is (a path, or an s3:// URL).
   */
  async publish(key: ArtifactKey, relativePath: string): Promise<string> {
    if (relativePath.split('/').some((part) => part === '..' || part === '')) throw new Error(`invalid path: ${relativePath}`);
    await this.backend.write(relativePath, await this.getBytes(key));
    return this.backend.location(relativePath);
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
