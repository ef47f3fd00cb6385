import { DefaultLogger, Runtime, type LogLevel, type TelemetryOptions } from '@temporalio/worker';

let installed = false;

/**
 * Sends the SDK's logs to stderr, so commands that print JSON on stdout stay clean. Activity and
 * workflow log lines carry ids and types, never inputs: cards and secrets stay out of logs.
 */
export function installRuntime(level: LogLevel = 'WARN', telemetryOptions?: TelemetryOptions): void {
  if (installed) return;
  installed = true;
  Runtime.install({
    ...(telemetryOptions ? { telemetryOptions } : {}),
    logger: new DefaultLogger(level, (entry) => {
      const meta = entry.meta ? ` ${JSON.stringify(entry.meta)}` : '';
      process.stderr.write(`${entry.level} ${entry.message}${meta}\n`);
    }),
  });
}
