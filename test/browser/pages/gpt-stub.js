// A stand-in for Google Publisher Tag (no network here): it runs the commands queued in
// googletag.cmd as GPT does once loaded, and logs, in order, setConfig, setTargeting,
// clearTargeting and display() — an ad request. `window.gptWithoutSetConfig` makes it an
// older GPT without the config API.
(() => {
  const log = (window.gptLog = []);
  const pubads = {
    setTargeting: (key, value) => log.push(['setTargeting', key, value]),
    clearTargeting: (key) => log.push(['clearTargeting', key]),
  };
  const queued = (window.googletag && window.googletag.cmd) || [];
  const tag = { pubads: () => pubads, display: (id) => log.push(['display', id]), cmd: { push: (fn) => fn() } };
  if (!window.gptWithoutSetConfig) tag.setConfig = (config) => log.push(['setConfig', JSON.parse(JSON.stringify(config))]);
  window.googletag = tag;
  for (const fn of queued) fn();
})();
