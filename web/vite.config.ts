/// <reference types="vitest/config" />
import { defineConfig } from 'vite';

// In development the page is served by Vite while the services run on their own ports; the
// split mirrors how the tenant host routes /v1 (control plane for identities, tenant plane for
// the rest). The Host header is kept so the services resolve the tenant from it.
const control = { target: 'http://localhost:6500', changeOrigin: false };
const app = { target: 'http://localhost:6501', changeOrigin: false };

export default defineConfig({
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
  server: {
    proxy: {
      '^/v1/(auth|invitations|tenants)(/|$)': control,
      '/v1': app,
    },
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    // The CSP forbids inline scripts; the polyfill is the only one Vite would add.
    modulePreload: { polyfill: false },
    // Everything stays a file under /assets, never a data: URL the CSP would have to allow.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  test: {
    include: ['src/**/*.test.ts'],
    setupFiles: ['src/i18n/testing.ts'],
    environment: 'node',
  },
});
