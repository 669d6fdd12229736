import { NUMBER_OPTIONS, type PersonalizerOptions } from '../client/options';

/** Options read from an attribute as written (an empty one is ignored). */
const TEXT_OPTIONS = ['catalog', 'dbName', 'model', 'backend', 'report'] as const;
/** Options read as on unless the attribute says `false`. */
const FLAG_OPTIONS = ['worker', 'explore', 'whyLink', 'autoCapture'] as const;

/**
 * Reads options from the script tag's `data-*` attributes (`data-catalog`,
 * `data-auto-capture="false"`, `data-max-events`, …) on top of `window.precisConfig`.
 * Attributes win, since they are written next to the script itself.
 *
 * @example
 * readConfig(document.currentScript, window.precisConfig);
 */
export function readConfig(script: HTMLOrSVGScriptElement | null, base: unknown): PersonalizerOptions {
  const config: PersonalizerOptions = typeof base === 'object' && base !== null ? { ...(base as PersonalizerOptions) } : {};
  const data = script instanceof HTMLElement ? script.dataset : undefined;
  if (!data) return config;
  const set = config as Record<string, unknown>;
  for (const key of TEXT_OPTIONS) if (data[key]) set[key] = data[key];
  for (const key of FLAG_OPTIONS) if (data[key] !== undefined) set[key] = data[key] !== 'false';
  // A non-number is passed on as NaN so that option validation reports it.
  for (const key of [...NUMBER_OPTIONS, 'holdout'] as const) if (data[key] !== undefined) set[key] = Number(data[key]);
  if (data.defaultConsent === 'allow' || data.defaultConsent === 'deny') config.defaultConsent = data.defaultConsent;
  if (data.linkHosts) config.linkHosts = data.linkHosts.split(/[\s,]+/).filter(Boolean);
  if (data.tcfVendorId) config.tcf = { ...config.tcf, vendorId: Number(data.tcfVendorId) };
  // `data-report-every="day"`, or hours: `data-report-every="12"`.
  if (data.reportEvery) config.reportEvery = (Number(data.reportEvery) || data.reportEvery) as PersonalizerOptions['reportEvery'];
  if (data.adStack === 'false') config.adStack = false;
  else if (data.adStackName) config.adStack = { ...(config.adStack || {}), name: data.adStackName };
  return config;
}
