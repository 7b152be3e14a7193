/**
 * Small self-contained SVG bar charts for the data card: no plotting library, no fonts to install, and the
 * same data always gives the same bytes (so a chart is content-addressed like everything else).
 */
export interface Bar {
  label: string;
  value: number;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Horizontal bars, one row per entry, value printed at the end of each bar. */
export function barChart(title: string, bars: readonly Bar[], opts: { width?: number; format?: (v: number) => string } = {}): string {
  const width = opts.width ?? 560;
  const format = opts.format ?? ((v: number) => String(v));
  const labelWidth = Math.min(240, 12 + 7 * Math.max(4, ...bars.map((b) => Math.min(32, b.label.length))));
  const row = 22;
  const top = 34;
  const height = top + Math.max(1, bars.length) * row + 10;
  const max = Math.max(0, ...bars.map((b) => b.value));
  const span = width - labelWidth - 60;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="8" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  if (!bars.length) parts.push(`<text x="8" y="${top + 14}" fill="#666666">no data</text>`);
  bars.forEach((b, i) => {
    const y = top + i * row;
    const w = max > 0 ? Math.round((b.value / max) * span) : 0;
    const label = b.label.length > 32 ? `${b.label.slice(0, 31)}…` : b.label;
    parts.push(
      `<text x="${labelWidth - 6}" y="${y + 14}" text-anchor="end">${esc(label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 3}" width="${w}" height="${row - 6}" fill="#4c78a8"/>`,
      `<text x="${labelWidth + w + 4}" y="${y + 14}">${esc(format(b.value))}</text>`
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** Counts of values in [0, 1] per bucket of width 1/buckets; 1.0 falls in the last bucket. */
export function histogram01(values: readonly number[], buckets = 5): Bar[] {
  const counts = new Array<number>(buckets).fill(0);
  for (const v of values) counts[Math.min(buckets - 1, Math.max(0, Math.floor(v * buckets)))]! += 1;
  return counts.map((n, i) => ({ label: `${(i / buckets).toFixed(1)}–${((i + 1) / buckets).toFixed(1)}`, value: n }));
}
