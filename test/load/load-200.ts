/**
 * Measurement, not a test: 200 races started at once on a fresh test stack, one worker process with
 * inline agents. Prints a JSON report (wall time, worker peak RSS, stored row counts).
 *   npx tsx test/load/load-200.ts [races]
 */
import { runLoad } from '../support/load-run.js';
import { installRuntime } from '../../worker/runtime.js';

installRuntime('ERROR');
const races = Number(process.argv[2] ?? 200);
const report = await runLoad(races);
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
process.exit(report.failed === 0 ? 0 : 1);
