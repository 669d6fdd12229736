// `npm test` runs the browser suites in Debian's Chromium. Install it when it is missing
// and we may (root with apt-get); otherwise say exactly what to do.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const binary = process.env.PRECIS_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(binary)) {
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) {
    console.error(`precis: Chromium not found at ${binary}. Install it (apt-get install -y chromium) or set PRECIS_CHROMIUM.`);
    process.exit(1);
  }
  console.log('precis: installing Chromium with apt-get…');
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', { stdio: 'inherit' });
}
