import { execFile } from 'node:child_process';

/** One GPU as nvidia-smi reports it. */
export interface GpuSample {
  index: number;
  memoryUsedMb: number;
  memoryTotalMb: number;
  utilizationPct: number;
}

/** What the trainer worker reports about the GPUs over a job: peaks and means, or that there is none. */
export type GpuSummary = { gpus: 'none'; note: string } | { gpus: number; peakMemoryMb: number; meanUtilizationPct: number; samples: number };

/** `nvidia-smi --query-gpu` once; null when the binary is missing or fails (a CPU host). */
export function queryGpus(bin = 'nvidia-smi'): Promise<GpuSample[] | null> {
  return new Promise((resolve) => {
    execFile(bin, ['--query-gpu=index,memory.used,memory.total,utilization.gpu', '--format=csv,noheader,nounits'], { timeout: 10_000 }, (err, stdout) => {
      if (err) return resolve(null);
      const rows = stdout
        .trim()
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => l.split(',').map((x) => Number(x.trim())))
        .filter((r) => r.length === 4 && r.every(Number.isFinite))
        .map(([index, used, total, util]) => ({ index: index!, memoryUsedMb: used!, memoryTotalMb: total!, utilizationPct: util! }));
      resolve(rows);
    });
  });
}

/**
 * Polls nvidia-smi while a job runs. Where it does not exist (CPU hosts, CI) the summary says "no GPU" rather
 * than zeros, so nobody reads a 0 % utilisation as a slow GPU.
 */
export class GpuMonitor {
  private timer: NodeJS.Timeout | undefined;
  private latest: GpuSample[] | null = null;
  private peakMemoryMb = 0;
  private utilSum = 0;
  private samples = 0;
  private absent = false;

  constructor(
    private readonly intervalMs = 15_000,
    private readonly bin = 'nvidia-smi'
  ) {}

  async start(): Promise<void> {
    await this.poll();
    if (!this.absent) this.timer = setInterval(() => void this.poll(), this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async poll(): Promise<void> {
    const rows = await queryGpus(this.bin);
    if (rows === null || rows.length === 0) {
      this.absent = this.samples === 0;
      return;
    }
    this.latest = rows;
    this.samples += 1;
    this.peakMemoryMb = Math.max(this.peakMemoryMb, ...rows.map((r) => r.memoryUsedMb));
    this.utilSum += rows.reduce((s, r) => s + r.utilizationPct, 0) / rows.length;
  }

  /** Small enough for heartbeat details: per GPU "used/total MiB, util %". */
  current(): string {
    if (this.absent || !this.latest) return 'no GPU (nvidia-smi not found)';
    return this.latest.map((r) => `gpu${r.index} ${r.memoryUsedMb}/${r.memoryTotalMb} MiB ${r.utilizationPct}%`).join('; ');
  }

  summary(): GpuSummary {
    if (this.absent || this.samples === 0) return { gpus: 'none', note: 'no GPU (nvidia-smi not found)' };
    return { gpus: this.latest?.length ?? 0, peakMemoryMb: this.peakMemoryMb, meanUtilizationPct: Math.round(this.utilSum / this.samples), samples: this.samples };
  }
}
