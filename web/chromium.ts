import { existsSync } from 'node:fs';

/** Debian's chromium (or CHROMIUM_PATH); undefined when none is installed. Puppeteer's own download cannot work here. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return [env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
    (p): p is string => Boolean(p) && existsSync(p!),
  );
}

/** Flags for a headless Chromium running as root in a container. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'];
