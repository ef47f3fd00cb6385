import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';

const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

/**
 * Replaces the generated section of BENCHMARKS.md, leaving every hand-written section alone, and formats
 * the file as the repo's format check expects (a bench run must not leave `npm test` red).
 */
export async function writeBenchSection(file: string, body: string): Promise<void> {
  const block = `${START}\n${body.trim()}\n${END}`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const next =
    current.includes(START) && current.includes(END)
      ? current.slice(0, current.indexOf(START)) + block + current.slice(current.indexOf(END) + END.length)
      : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, await format(next, { ...(await resolveConfig(file)), filepath: file }));
}

export function table(head: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}
