import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import puppeteer, { type Browser } from 'puppeteer-core';
import { runSyntheticDay } from '../../demo/run-day.js';
import type { RaceResult } from '../../schemas/result.js';
import { CHROMIUM_ARGS, chromiumPath } from '../../web/chromium.js';
import { runnerLabel, topPick } from '../../web/html.js';
import { buildServer } from '../../web/server.js';
import { startTestStack, type TestStack } from '../support/integration-stack.js';

const chromium = chromiumPath();

describe(
  'the race-day page in a real headless Chromium',
  { skip: chromium ? false : 'no Chromium installed (apt-get install chromium)' },
  () => {
    let stack: TestStack;
    let worker: Awaited<ReturnType<TestStack['startWorker']>>;
    let app: FastifyInstance;
    let browser: Browser;
    let results: RaceResult[];
    let url: string;
    before(async () => {
      stack = await startTestStack();
      worker = await stack.startWorker();
      results = await runSyntheticDay(worker.client, stack.db, { seed: 17, date: '2026-11-25', races: 4 });
      app = await buildServer({ client: worker.client, db: stack.db, namespace: 'default', keys: [] });
      url = await app.listen({ host: '127.0.0.1', port: 0 });
      browser = await puppeteer.launch({ executablePath: chromium!, headless: true, args: CHROMIUM_ARGS });
    });
    after(async () => {
      await browser?.close();
      await app?.close();
      await worker?.stop();
      await stack?.stop();
    });

    test('the latest day shows every race with its top pick and its runners table', async () => {
      const page = await browser.newPage();
      await page.goto(`${url}/`, { waitUntil: 'load' });
      const shown = await page.$$eval('section.race', (sections) =>
        sections.map((s) => ({
          raceId: s.getAttribute('data-race-id'),
          pick: s.querySelector('[data-top-pick]')?.textContent?.trim(),
          rows: s.querySelectorAll('tbody tr').length,
          heading: s.querySelector('h2')?.textContent ?? '',
        })),
      );
      const expected = results.map((r) => ({
        raceId: r.raceId,
        pick: runnerLabel(topPick(r)!),
        rows: r.runners.length,
      }));
      assert.deepEqual(
        shown
          .map(({ raceId, pick, rows }) => ({ raceId, pick, rows }))
          .sort((a, b) => a.raceId!.localeCompare(b.raceId!)),
        expected.sort((a, b) => a.raceId.localeCompare(b.raceId)),
      );
      for (const s of shown) assert.ok(s.heading.includes(s.raceId!));
      const headers = await page.$$eval('section.race thead th', (ths) => [
        ...new Set(ths.map((t) => t.textContent)),
      ]);
      assert.deepEqual(headers, [
        'No',
        'Runner',
        'Base',
        'LR',
        'Final',
        'Place',
        'Fair',
        'Market',
        'Edge',
        'Stake',
      ]);
      await page.close();
    });

    test('a race page draws its chart with Chart.js', async () => {
      const page = await browser.newPage();
      await page.goto(`${url}/races/${encodeURIComponent(results[0]!.raceId)}`, { waitUntil: 'load' });
      const drawn = await page.$eval(
        'canvas#probs',
        (c) =>
          (c as unknown as { width: number }).width > 0 &&
          typeof (globalThis as { Chart?: unknown }).Chart === 'function',
      );
      assert.equal(drawn, true);
      assert.match(await page.content(), /Dropped as outliers/);
      await page.close();
    });
  },
);
