#!/usr/bin/env node
// `vocabkd` entry: runs the TypeScript engine unchanged in Node through tsx's loader.
import { register } from 'tsx/esm/api';

register();
// `vocabkd … | head` closes the pipe early: end quietly instead of a stack trace.
process.stdout.on('error', (e) => { if (e.code === 'EPIPE') process.exit(0); throw e; });
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
