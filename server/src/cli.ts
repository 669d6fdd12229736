import { parseArgs } from 'node:util';
import { startCollector } from './collector.js';

const USAGE = `Usage: precis-collect --catalog ./catalog.json [--db ./precis.sqlite | --db postgres://…]
       [--port 8787] [--host 127.0.0.1] [--token <dashboard token> | env PRECIS_COLLECTOR_TOKEN]
       [--republish-every 1000] [--min-impressions 100] [--max-prior-strength 1000]
       [--rate-limit 60 (reports per minute per source; 0 = off)] [--trust-proxy]`;

/**
 * The `precis-collect` command: reads the flags, starts the collector, prints where the
 * dashboard is, and closes cleanly on SIGINT / SIGTERM.
 *
 * @example
 * await runCli(['--catalog', './catalog.json', '--port', '8787']);
 */
export async function runCli(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: 'string', default: './precis.sqlite' },
      catalog: { type: 'string' },
      port: { type: 'string', default: '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      token: { type: 'string' },
      'republish-every': { type: 'string', default: '1000' },
      'min-impressions': { type: 'string', default: '100' },
      'max-prior-strength': { type: 'string', default: '1000' },
      'rate-limit': { type: 'string', default: '60' },
      'trust-proxy': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.catalog) {
    console.log(USAGE);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const number = (name: keyof typeof values): number => {
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number ≥ 0`);
    return n;
  };
  const rate = number('rate-limit');
  const collector = await startCollector({
    db: values.db!, catalog: values.catalog, port: number('port'), host: values.host,
    token: values.token ?? process.env.PRECIS_COLLECTOR_TOKEN,
    republishEvery: number('republish-every'), minImpressions: number('min-impressions'), maxPriorStrength: number('max-prior-strength'),
    rateLimit: rate === 0 ? false : { perMinute: rate, burst: rate }, trustProxy: values['trust-proxy'],
  });
  console.log(JSON.stringify({ url: collector.url, reports: `${collector.url}/reports`, catalog: `${collector.url}/catalog.json`,
    dashboard: `${collector.url}/dashboard?token=${collector.token}` }));
  const stop = (): void => void collector.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
