import { defineConfig } from '@playwright/test';

// Debian's Chromium as its headless shell (package chromium-headless-shell: the same engine as
// the browser, without the browser's own windows and pages to draw), started the way this
// machine's closed network needs: no background connections, no component or sync downloads.
const chromiumFlags = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export default defineConfig({
  testDir: './tests',
  timeout: 90_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  // Three at a time on two cores: the tests wait on mail, live frames and token lifetimes as
  // much as they draw (5.0 min against 5.5 with two, here); E2E_WORKERS to choose.
  workers: Number(process.env.E2E_WORKERS ?? 3),
  forbidOnly: true,
  retries: 0,
  // The list as it goes; a JSON report beside it, from which the system test names the failures.
  reporter: [['list'], ['json', { outputFile: process.env.E2E_REPORT ?? 'test-results/report.json' }]],
  // Each run its own folder: runs side by side do not clobber each other's traces.
  outputDir: process.env.E2E_OUTPUT_DIR ?? 'test-results/artifacts',
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium-headless-shell', args: chromiumFlags },
    locale: 'en-GB',
    timezoneId: 'Europe/Paris',
    // A failed test's trace keeps every action's page (its DOM) but no film of the screen: the
    // film's frames, drawn and encoded through every test, cost more CPU than its page states.
    trace: { mode: 'retain-on-failure', screenshots: false, snapshots: true, sources: true },
    screenshot: 'only-on-failure',
  },
});
