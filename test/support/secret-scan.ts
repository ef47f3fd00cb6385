import assert from 'node:assert/strict';
import type { WorkflowHandle } from '@temporalio/client';

/** Every string in a value, with byte arrays (payloads) decoded as UTF-8 and as base64 text. */
export function textOf(value: unknown, out: string[] = []): string[] {
  if (value instanceof Uint8Array) {
    const buf = Buffer.from(value);
    out.push(buf.toString('utf8'), buf.toString('base64'));
  } else if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) textOf(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      textOf(v, out);
    }
  } else if (value !== null && value !== undefined) out.push(String(value));
  return out;
}

/** The texts of a finished run a secret must never reach: its history, memo and search attributes. */
export async function runPlaces(
  handle: WorkflowHandle,
): Promise<{ history: string; memo: string; searchAttributes: string }> {
  const history = await handle.fetchHistory();
  const desc = await handle.describe();
  return {
    history: textOf(history).join('\n'),
    memo: JSON.stringify(desc.memo ?? {}) + textOf(desc.raw.workflowExecutionInfo?.memo).join('\n'),
    searchAttributes:
      JSON.stringify(desc.searchAttributes ?? {}) +
      textOf(desc.raw.workflowExecutionInfo?.searchAttributes).join('\n'),
  };
}

/** Fails when any secret, as text or base64, appears in any place, naming both. */
export function assertNoSecretIn(secrets: string[], places: Record<string, string>): void {
  for (const secret of secrets) {
    for (const [where, text] of Object.entries(places)) {
      assert.ok(!text.includes(secret), `${secret} found in ${where}`);
      assert.ok(
        !text.includes(Buffer.from(secret).toString('base64')),
        `${secret} (base64) found in ${where}`,
      );
    }
  }
}
