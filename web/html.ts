import { runnerCells } from '../cli/print.js';
import type { PricedRunner, RaceResult } from '../schemas/result.js';

/** Small HTML building blocks for the server-rendered pages. Every interpolated value goes through esc. */

export const esc = (v: unknown): string =>
  String(v ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

export const pct = (p: number | null | undefined, d = 1): string =>
  p == null ? '-' : `${(p * 100).toFixed(d)}%`;
export const num = (x: number | null | undefined, d = 2): string => (x == null ? '-' : x.toFixed(d));

/** A chart drawn in the browser by Chart.js (served from node_modules) from data embedded as JSON. */
export function chart(id: string, config: object): string {
  // JSON inside <script> must not be able to close the tag.
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  return `<div class="chart"><canvas id="${esc(id)}"></canvas></div>
<script type="application/json" id="${esc(id)}-data">${json}</script>
<script>new Chart(document.getElementById(${JSON.stringify(id)}), JSON.parse(document.getElementById(${JSON.stringify(`${id}-data`)}).textContent));</script>`;
}

const NAV = [
  ['/', 'Race day'],
  ['/book', 'Book'],
  ['/monitoring', 'Monitoring'],
  ['/api/openapi.json', 'API'],
] as const;

export function page(title: string, body: string, opts: { charts?: boolean } = {}): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · race-engine</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.2rem;align-items:center}
header a{color:#cfd8ea;text-decoration:none} header strong{margin-right:1rem}
main{padding:1rem 1.2rem;max-width:1200px}
section.race{background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:.6rem 1rem;margin:0 0 1rem}
table{border-collapse:collapse;width:100%} th,td{padding:.2rem .5rem;border-bottom:1px solid #eceff3;text-align:right}
th:nth-child(2),td:nth-child(2){text-align:left} th{background:#f0f2f6}
tr.top td{font-weight:600;background:#fff7e0} .muted{color:#6b7385} .bad{color:#b3261e} .ok{color:#1b7f3b}
.chart{max-width:900px;height:320px} .pill{display:inline-block;padding:0 .4rem;border-radius:4px;background:#eef1f6;margin-right:.3rem}
</style>
${opts.charts ? '<script src="/assets/chart.umd.min.js"></script>' : ''}
</head><body>
<header><strong>race-engine</strong>${NAV.map(([href, label]) => `<a href="${href}">${label}</a>`).join('')}</header>
<main>${body}</main></body></html>`;
}

export function table(head: readonly string[], rows: readonly string[][], rowClass?: (i: number) => string) {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map(
      (r, i) =>
        `<tr${rowClass?.(i) ? ` class="${rowClass(i)}"` : ''}>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`,
    )
    .join('')}</tbody></table>`;
}

export const runnerLabel = (r: PricedRunner): string => `${r.horseNo} ${r.horseName ?? r.horseId}`;

/** The runner the engine rates most likely to win (highest final probability). */
export const topPick = (result: RaceResult): PricedRunner | undefined =>
  [...result.runners].sort((a, b) => b.winProbFinal - a.winProbFinal)[0];

/** Runners by final probability with the columns of the CLI table. */
export function runnersTable(result: RaceResult): string {
  const rows = [...result.runners].sort((a, b) => b.winProbFinal - a.winProbFinal);
  return table(
    ['No', 'Runner', 'Base', 'LR', 'Final', 'Place', 'Fair', 'Market', 'Edge', 'Stake'],
    rows.map((r) => runnerCells(r).map(esc)),
    (i) => (i === 0 ? 'top' : ''),
  );
}

export function temporalRunUrl(uiUrl: string, namespace: string, workflowId: string, runId: string): string {
  return `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`;
}
