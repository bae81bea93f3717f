import { defineConfig } from '@playwright/test';
import base from '../playwright.config';

// The web benchmark (scripts/web-bench.sh): one worker, so loads do not compete for the cores.
export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: /.*\.bench\.ts/,
  timeout: 600_000,
  workers: 1,
  fullyParallel: false,
  use: { ...base.use, trace: 'off', screenshot: 'off' },
});
