import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';

// The app is one page plus module workers (trainer + parity reference).
// tfjs-backend-wasm binaries are imported with `?url` (see src/backend/wasmPaths.ts), so they are
// served from this origin in dev and emitted into dist/assets by `vite build`: nothing comes from a CDN.
//
// Offline: a Workbox service worker (vite-plugin-pwa, production builds only) precaches everything the page needs
// to start and train: the page and its workers, the WASM binaries, the embedded corpora (public/corpus/), the
// embedded tasks (public/tasks/) and the shipped teachers (public/models/*/, ~15 MB of safetensors each, hence the
// raised size limit). After the first visit the page starts and trains with the network off; a new build replaces the
// cache on the next visit (autoUpdate). Navigations with any query (?backend=wasm, …) get the cached index.html.
const MB = 2 ** 20;

// Cross-origin isolation (SharedArrayBuffer, hence multi-threaded WASM): every page and worker response carries
// these two headers, in dev, preview (`npm start`, the e2e tests) and, for a static host, its own config (README).
// Without them the page still works, single-threaded, and the backend badge says why.
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

// Weights are served as they are: `vite preview` gzips responses on the fly, which for a shipped teacher's 15 MB of
// float32 took 0.7 s (86 ms uncompressed, on the 2-core machine) to save 8 %, on the way to the first loss point
// (bench:page, issue 16 item 5). A static host should likewise serve .safetensors uncompressed (README).
const rawWeights: Plugin = {
  name: 'vocabkd-raw-weights',
  configurePreviewServer(server) {
    server.middlewares.use((req, _res, next) => {
      if (req.url?.split('?')[0].endsWith('.safetensors')) delete req.headers['accept-encoding'];
      next();
    });
  },
};

export default defineConfig({
  plugins: [
    react(),
    rawWeights,
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: 'script',
      manifest: false,
      workbox: {
        globPatterns: ['**/*.{html,js,css,wasm,svg,txt,json,safetensors,conllu,jsonl,csv,tsv}'],
        maximumFileSizeToCacheInBytes: 64 * MB,
        navigateFallback: 'index.html',
        cleanupOutdatedCaches: true,
        // The first visit's page is controlled as soon as the cache is complete (no second visit needed before going offline).
        clientsClaim: true,
        skipWaiting: true,
      },
    }),
  ],
  worker: { format: 'es' },
  build: { chunkSizeWarningLimit: 4000, target: 'es2022' },
  server: { host: '127.0.0.1', port: 5173, headers: ISOLATION },
  preview: { host: '127.0.0.1', port: 4173, headers: ISOLATION },
});
