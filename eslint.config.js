import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

// The engine (everything but the UI folders) must stay free of React and the store so it runs unchanged in the
// worker, in Node (CLI) and in the unit tests.
const ENGINE = [
  'src/models/**', 'src/data/**', 'src/train/**', 'src/backend/**', 'src/tokenizers/**', 'src/alignment/**', 'src/distill/**',
  'src/bench/**', 'src/cli/**', 'src/worker/**', 'src/testing/**', 'src/eval/**',
];
const NOT_IN_ENGINE = [
  { group: ['react', 'react-dom', 'react/*', 'zustand', 'zustand/*', 'recharts'], message: 'the engine must not import UI libraries' },
  { group: ['**/store/**', '**/components/**', '**/app/**', '**/hooks/**'], message: 'the engine must not import the UI layer' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'public/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node, ...globals.worker } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.property.name='dataSync']", message: 'dataSync() returns wrong values on WebGPU: await t.data()' },
        { selector: "CallExpression[callee.property.name='arraySync']", message: 'arraySync() stalls or misreads on GPU backends: await t.array()' },
        { selector: "CallExpression[callee.property.name='addN']", message: 'WebGPU AddN fails silently past 8 inputs (storage-buffer limit): use addAll from models/layers.ts' },
      ],
    },
  },
  {
    files: ['src/**/*.tsx', 'src/hooks/**', 'src/store/**', 'src/app/**'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    files: ENGINE,
    rules: { 'no-restricted-imports': ['error', { patterns: NOT_IN_ENGINE }] },
  },
  {
    // Alignment runs on plain arrays (σ, C, groups, pairs, the GLMD vocabulary): no tf either.
    files: ['src/alignment/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...NOT_IN_ENGINE, { group: ['@tensorflow/*'], message: 'src/alignment/ is pure TypeScript on plain arrays: no tf' }] }],
    },
  },
);
