// Prebid.js's hook module, which its npm package does not export: a bundler maps this
// specifier to node_modules/prebid.js/dist/src/src/hook.js (README, "With your ad stack").
declare module 'prebid.js/src/hook.js' {
  /** Registers a submodule with a Prebid module, e.g. `submodule('realTimeData', provider)`. */
  export function submodule(name: string, ...args: unknown[]): void;
}
