#!/usr/bin/env node
// One-shot set-up run by `npm start` and `npm test` before anything else, with no dependencies of its own:
//  1. installs npm dependencies (`npm ci`) when node_modules is missing or older than package-lock.json;
//  2. prepares the embedded assets (public/corpus/, and the embedded downstream tasks in public/tasks/);
//  3. with --browser: makes sure a Chromium for the end-to-end tests exists — $CHROMIUM_PATH, else /usr/bin/chromium,
//     installing Debian's `chromium` package with apt-get when running as root.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = (cmd) => execSync(cmd, { cwd: root, stdio: 'inherit', env: { ...process.env } });

function ensureDependencies() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log('setup: installing npm dependencies (npm ci)…');
  run('npm ci --no-audit --no-fund');
}

function ensureChromium() {
  const wanted = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (existsSync(wanted)) return;
  if (process.env.CHROMIUM_PATH) {
    console.error(`setup: CHROMIUM_PATH=${wanted} does not exist. Point it at a Chromium binary.`);
    process.exit(1);
  }
  if (process.getuid?.() !== 0) {
    console.error(
      'setup: the end-to-end tests need Chromium, and /usr/bin/chromium is missing.\n' +
        '  Install the Debian package `chromium` (sudo apt-get install -y chromium),\n' +
        '  or set CHROMIUM_PATH to an existing Chromium binary.',
    );
    process.exit(1);
  }
  console.log('setup: installing Debian package chromium (apt-get)…');
  run('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium');
}

ensureDependencies();
const { prepareAssets } = await import('./prepare-assets.mjs');
prepareAssets();
if (process.argv.includes('--browser')) ensureChromium();
