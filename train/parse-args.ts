/**
 * Strict `--flag value` / `--flag=value` / `--boolean` / `--no-boolean` parser.
 */
import { PrecisError } from './errors';

/** Declared flags: name → kind. */
export type FlagSpec = Record<string, 'string' | 'number' | 'boolean'>;

/**
 * Parse argv against a spec; unknown flags, missing values and bad numbers throw
 * PrecisError (E_UNKNOWN_FLAG / E_BAD_FLAG).
 *
 * @example
 * parseArgs(['--data', 'x.txt', '--epochs=3', '--no-baselines'], { data: 'string', epochs: 'number', baselines: 'boolean' });
 * // { data: 'x.txt', epochs: 3, baselines: false }
 */
export function parseArgs(argv: readonly string[], spec: FlagSpec): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new PrecisError('E_UNKNOWN_FLAG', `unexpected argument ${JSON.stringify(arg)}`);
    let [name, value] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const kind = spec[name];
    if (!kind && name.startsWith('no-') && spec[name.slice(3)] === 'boolean' && value === undefined) {
      out[name.slice(3)] = false;
      continue;
    }
    if (!kind) throw new PrecisError('E_UNKNOWN_FLAG', `unknown flag --${name} (known: ${Object.keys(spec).map((k) => `--${k}`).join(' ')})`);
    if (kind === 'boolean') {
      out[name] = value === undefined ? true : !/^(false|0|no)$/i.test(value);
      continue;
    }
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new PrecisError('E_BAD_FLAG', `flag --${name} needs a value`);
    }
    if (kind === 'number') {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n)) throw new PrecisError('E_BAD_FLAG', `flag --${name} needs a number, got ${JSON.stringify(value)}`);
      out[name] = n;
    } else out[name] = value;
  }
  return out;
}
