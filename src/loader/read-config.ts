import { NUMBER_OPTIONS, type PersonalizerOptions } from '../client/options';


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
  if (data.catalog) config.catalog = data.catalog;
  if (data.dbName) config.dbName = data.dbName;
  if (data.model) config.model = data.model;
  if (data.backend) config.backend = data.backend as PersonalizerOptions['backend'];
  if (data.worker !== undefined) config.worker = data.worker !== 'false';
  if (data.defaultConsent === 'allow' || data.defaultConsent === 'deny') config.defaultConsent = data.defaultConsent;
  if (data.linkHosts) config.linkHosts = data.linkHosts.split(/[\s,]+/).filter(Boolean);
  if (data.tcfVendorId) config.tcf = { ...config.tcf, vendorId: Number(data.tcfVendorId) };
  if (data.report) config.report = data.report;
  // `data-report-every="day"`, or hours: `data-report-every="12"`.
  if (data.reportEvery) config.reportEvery = (Number(data.reportEvery) || data.reportEvery) as PersonalizerOptions['reportEvery'];
  if (data.holdout !== undefined) config.holdout = Number(data.holdout);
  if (data.explore !== undefined) config.explore = data.explore !== 'false';
  if (data.whyLink !== undefined) config.whyLink = data.whyLink !== 'false';
  if (data.autoCapture !== undefined) config.autoCapture = data.autoCapture !== 'false';
  for (const key of NUMBER_OPTIONS) {
    const value = data[key];
    // A non-number is passed on as NaN so that option validation reports it.
    if (value !== undefined) config[key] = Number(value);
  }
  return config;
}
