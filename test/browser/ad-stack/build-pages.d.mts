/** Bundles the test pages' Prebid.js builds with esbuild (see build-pages.mjs). */
export function buildPrebidPages(): Promise<void>;
