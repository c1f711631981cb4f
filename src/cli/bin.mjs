#!/usr/bin/env node
// `vocabkd` entry: runs the TypeScript engine unchanged in Node through tsx's loader.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
