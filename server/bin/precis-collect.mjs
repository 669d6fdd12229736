#!/usr/bin/env node
// The collector's command; the TypeScript is compiled to dist/ by `npm run build` (at the repo root).
import { runCli } from '../dist/cli.js';

runCli(process.argv.slice(2)).catch((error) => {
  console.error(`precis-collect: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
