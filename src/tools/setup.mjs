#!/usr/bin/env node
// One-shot set-up run by `npm start` and `npm test` before anything else, with no dependencies of its own:
//  1. installs npm dependencies (`npm ci`) when node_modules is missing or older than package-lock.json;
//  2. prepares the embedded assets (public/corpus/, and the embedded downstream tasks in public/tasks/);
//  3. with --browser: makes sure a Chromium for the end-to-end tests exists — $CHROMIUM_PATH, else /usr/bin/chromium,
//     installing Debian's `chromium` package with apt-get when running as root;
//  4. with --browser (the test command): makes sure Debian's /usr/bin/python3 imports torch, for the PyTorch trainer's
//     tests (src/cli/exportRun.test.ts, issue 18), installing `python3-torch libopenblas0-pthread` the same way.
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

/**
 * Installs Debian packages with apt-get when running as root; otherwise prints `missing` (what is missing and the other
 * ways out) with the install command, and exits 1.
 */
function aptInstall(packages, missing) {
  const list = packages.join(' ');
  if (process.getuid?.() !== 0) {
    console.error(`setup: ${missing}\n  Install the Debian package(s) as root: apt-get install -y ${list}`);
    process.exit(1);
  }
  console.log(`setup: installing Debian package(s) ${list} (apt-get)…`);
  run(`apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${list}`);
}

function ensureChromium() {
  const wanted = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (existsSync(wanted)) return;
  if (process.env.CHROMIUM_PATH) {
    console.error(`setup: CHROMIUM_PATH=${wanted} does not exist. Point it at a Chromium binary.`);
    process.exit(1);
  }
  aptInstall(['chromium'], 'the end-to-end tests need Chromium, and /usr/bin/chromium is missing (or set CHROMIUM_PATH to an existing Chromium binary).');
}

function ensurePyTorch() {
  const hasTorch = () => {
    try {
      execSync('/usr/bin/python3 -c "import torch"', { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (hasTorch()) return;
  aptInstall(['python3-torch', 'libopenblas0-pthread'], "the PyTorch trainer's tests need Debian's PyTorch, and /usr/bin/python3 cannot import torch.");
  if (!hasTorch()) {
    console.error('setup: python3-torch is installed but /usr/bin/python3 still cannot import torch.');
    process.exit(1);
  }
}

ensureDependencies();
const { prepareAssets } = await import('./prepare-assets.mjs');
prepareAssets();
if (process.argv.includes('--browser')) {
  ensureChromium();
  ensurePyTorch();
}
