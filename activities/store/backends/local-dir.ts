import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { BlobBackend } from './backend';

/** A directory shared by all workers of a run (the laptop default, or an NFS mount). */
export class LocalDirBackend implements BlobBackend {
  constructor(readonly root: string) {}

  get description(): string {
    return this.root;
  }

  localPath(name: string): string {
    return path.join(this.root, name);
  }

  location(name: string): string {
    return this.localPath(name);
  }

  async exists(name: string): Promise<boolean> {
    return fs.access(this.localPath(name)).then(
      () => true,
      () => false
    );
  }

  async read(name: string): Promise<Buffer | undefined> {
    try {
      return await fs.readFile(this.localPath(name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Temp file + rename: atomic on one filesystem, so a crash never leaves a partial object. */
  async write(name: string, bytes: Buffer): Promise<void> {
    const target = this.localPath(name);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    await fs.writeFile(tmp, bytes);
    await fs.rename(tmp, target);
  }
}
