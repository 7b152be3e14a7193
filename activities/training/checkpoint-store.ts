/**
 * Checkpoints in the content store, so a trainer worker on another machine gets one by key. A checkpoint
 * directory becomes a manifest blob listing each file's relative path and content key; fetching it
 * materialises the files under a local cache named by the manifest key (written to a temp dir and renamed, so a
 * half-fetched copy is never used). Files go through the store whole, in memory: fine for the tiny preset and
 * LoRA adapters; multi-GB full checkpoints want a shared filesystem or object storage with multipart upload.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ArtifactKey } from '../../workflows/types';
import type { ContentStore } from '../store/content-store';

export interface DirectoryManifest {
  kind: 'synthsmith-directory';
  files: { path: string; key: ArtifactKey; bytes: number }[];
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else if (entry.isFile()) out.push(rel);
  }
  return out.sort();
}

export async function putDirectory(store: ContentStore, dir: string): Promise<ArtifactKey> {
  const files: DirectoryManifest['files'] = [];
  for (const rel of await listFiles(dir)) {
    const bytes = await fs.readFile(path.join(dir, rel));
    files.push({ path: rel, key: await store.putBytes(bytes), bytes: bytes.length });
  }
  return store.putJson({ kind: 'synthsmith-directory', files } satisfies DirectoryManifest);
}

/** The directory of `manifestKey` on this machine: under `<store root>/cache/dirs/`, fetched once. */
export async function materializeDirectory(store: ContentStore, manifestKey: ArtifactKey): Promise<string> {
  const target = path.join(store.root, 'cache', 'dirs', manifestKey.replace(/^sha256:/, ''));
  try {
    await fs.access(target);
    return target;
  } catch {
    // not cached yet
  }
  const manifest = await store.getJson<DirectoryManifest>(manifestKey);
  if (manifest.kind !== 'synthsmith-directory') throw new Error(`${manifestKey} is not a directory manifest`);
  const tmp = `${target}.tmp-${process.pid}`;
  await fs.rm(tmp, { recursive: true, force: true });
  for (const file of manifest.files) {
    if (file.path.split('/').some((p) => p === '..' || p === '')) throw new Error(`bad path in manifest: ${file.path}`);
    await fs.mkdir(path.dirname(path.join(tmp, file.path)), { recursive: true });
    await fs.writeFile(path.join(tmp, file.path), await store.getBytes(file.key));
  }
  await fs.rename(tmp, target).catch(async (err: NodeJS.ErrnoException) => {
    // Another attempt on this machine got there first: its copy has the same content.
    await fs.rm(tmp, { recursive: true, force: true });
    if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
  });
  return target;
}
