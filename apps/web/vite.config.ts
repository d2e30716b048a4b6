import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Served by the API itself (one URL for a newcomer); `npm run dev -w @tessera/web` proxies to it.
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: { proxy: { '/v1': 'http://127.0.0.1:3000', '/health': 'http://127.0.0.1:3000' } },
});
