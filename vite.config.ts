import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The app is one page plus module workers (trainer + parity reference).
// tfjs-backend-wasm binaries are imported with `?url` (see src/backend/wasmPaths.ts), so they are
// served from this origin in dev and emitted into dist/assets by `vite build`: nothing comes from a CDN.
export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  build: { chunkSizeWarningLimit: 4000, target: 'es2022' },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
});
