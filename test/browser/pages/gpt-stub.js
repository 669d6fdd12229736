// A stand-in for Google Publisher Tag (no network here): it runs the commands queued in
// googletag.cmd as GPT does once loaded, and logs, in order, setConfig, setTargeting,
// clearTargeting and display() — an ad request — in `gptLog`, with when each happened in
// `gptTimes` (ms since navigation start). `window.gptWithoutSetConfig` makes it an older
// GPT without the config API.
(() => {
  const log = (window.gptLog = []);
  const times = (window.gptTimes = []);
  const record = (...entry) => {
    log.push(entry);
    times.push(performance.now());
  };
  const pubads = {
    setTargeting: (key, value) => record('setTargeting', key, value),
    clearTargeting: (key) => record('clearTargeting', key),
  };
  const queued = (window.googletag && window.googletag.cmd) || [];
  const tag = { pubads: () => pubads, display: (id) => record('display', id), cmd: { push: (fn) => fn() } };
  if (!window.gptWithoutSetConfig) tag.setConfig = (config) => record('setConfig', JSON.parse(JSON.stringify(config)));
  window.googletag = tag;
  for (const fn of queued) fn();
})();
