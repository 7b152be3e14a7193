/**
 * Parallel boxes get distinct unprivileged uids (60000 + slot), as isolate does per box: RLIMIT_NPROC is
 * counted per uid, signals and /proc access are allowed between processes of the same uid, and "no process of
 * this uid is left" is how tests prove a box left nothing behind. Uniqueness must hold across processes (several
 * workers, judge CLIs and test files share a machine), so a slot is an exclusive lock file holding our pid; a
 * lock whose pid is dead is taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SandboxInfraError } from './types';

export const FIRST_UID = 60000;
export const MAX_SLOTS = 256;

function lockDir(): string {
  for (const dir of ['/run/synthsmith-sandbox', join(tmpdir(), 'synthsmith-sandbox')]) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      return dir;
    } catch {
      // try the next
    }
  }
  throw new SandboxInfraError('no directory for sandbox slot locks');
}

/** Whether a process exists (EPERM: it exists but belongs to someone else). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface Slot {
  index: number;
  uid: number;
}

export class SlotPool {
  private readonly dir = lockDir();
  private readonly held = new Set<number>();
  private next = 0;

  /** Slot indexes this process holds right now. */
  heldUids(): number[] {
    return [...this.held].map((i) => FIRST_UID + i);
  }

  acquire(): Slot {
    for (let k = 0; k < MAX_SLOTS; k++) {
      const index = (this.next + k) % MAX_SLOTS;
      if (this.held.has(index) || !this.tryLock(index)) continue;
      this.held.add(index);
      this.next = (index + 1) % MAX_SLOTS;
      return { index, uid: FIRST_UID + index };
    }
    throw new SandboxInfraError(`all ${MAX_SLOTS} sandbox slots are in use`);
  }

  release(slot: Slot): void {
    if (!this.held.delete(slot.index)) return;
    try {
      if (Number(readFileSync(this.path(slot.index), 'utf8')) === process.pid) unlinkSync(this.path(slot.index));
    } catch {
      // already taken over
    }
  }

  /** Whether some live process other than us holds the slot of `uid`. */
  heldElsewhere(uid: number): boolean {
    try {
      const pid = Number(readFileSync(this.path(uid - FIRST_UID), 'utf8'));
      return pid !== process.pid && isAlive(pid);
    } catch {
      return false;
    }
  }

  private path(index: number): string {
    return join(this.dir, `slot-${index}`);
  }

  private tryLock(index: number): boolean {
    const file = this.path(index);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(file, 'wx', 0o600);
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new SandboxInfraError(`slot lock ${file}: ${String(err)}`);
      }
      let owner = NaN;
      try {
        owner = Number(readFileSync(file, 'utf8'));
      } catch {
        continue; // released meanwhile: retry the create
      }
      // An empty file is a lock being written right now; a live pid owns it.
      if (!owner || isAlive(owner)) return false;
      // Rename, then delete: of two processes taking over the same stale lock, only one rename succeeds.
      const grave = join(this.dir, `.stale-${process.pid}-${index}`);
      try {
        renameSync(file, grave);
        unlinkSync(grave);
      } catch {
        return false;
      }
    }
    return false;
  }
}
