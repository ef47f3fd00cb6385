import { createHash, timingSafeEqual } from 'node:crypto';

export type Scope = 'read' | 'write';

export interface ApiKey {
  /** SHA-256 hex digest of the key; the key itself is never stored. */
  digest: string;
  scopes: ReadonlySet<Scope>;
}

export class InvalidApiKeysConfig extends Error {
  override name = 'InvalidApiKeysConfig';
}

const DIGEST = /^[0-9a-f]{64}$/;

/**
 * API_KEYS: comma-separated SHA-256 hex digests of the keys. A bare digest may read and write (start races);
 * `<digest>:read` may only read. Anything else is refused at start-up, so a typo never opens or closes the API
 * silently.
 */
export function parseApiKeys(value: string | undefined): ApiKey[] {
  if (!value) return [];
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [digest = '', scope, ...rest] = entry.split(':');
      const d = digest.toLowerCase();
      if (!DIGEST.test(d) || rest.length > 0 || (scope !== undefined && scope !== 'read'))
        throw new InvalidApiKeysConfig(
          `API_KEYS: "${entry.slice(0, 12)}..." is not a SHA-256 hex digest, optionally followed by :read`,
        );
      return { digest: d, scopes: new Set<Scope>(scope === 'read' ? ['read'] : ['read', 'write']) };
    });
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The key named by an `Authorization: Bearer <key>` header, compared by digest in constant time. */
export function authenticate(header: string | undefined, keys: readonly ApiKey[]): ApiKey | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const digest = Buffer.from(sha256Hex(match[1]), 'hex');
  return keys.find((k) => timingSafeEqual(Buffer.from(k.digest, 'hex'), digest));
}
