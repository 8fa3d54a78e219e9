// The console is a static single-page app: `vite build` writes dist/, which the api serves
// at http://127.0.0.1:8080/ (services/api/src/console). `npm run dev -w @sessionrec/console`
// proxies the API to a running api so the console can be worked on with hot reload.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const API = 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1500 },
  server: { proxy: { '/api': API } },
});
