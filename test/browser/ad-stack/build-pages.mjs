import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Bundles the test pages' Prebid.js builds with esbuild, as a publisher bundles Prebid
 * from npm, into test/browser/pages/.build/. Prebid's package does not export its hook
 * module, which `precis/prebid-rtd` imports: the alias maps it, as README shows.
 */
export async function buildPrebidPages() {
  await build({
    absWorkingDir: root,
    entryPoints: ['test/browser/ad-stack/prebid-plain.ts', 'test/browser/ad-stack/prebid-with-rtd.js'],
    outdir: 'test/browser/pages/.build',
    bundle: true,
    format: 'iife',
    target: 'es2020',
    logLevel: 'error',
    alias: { 'prebid.js/src/hook.js': './node_modules/prebid.js/dist/src/src/hook.js' },
  });
}
