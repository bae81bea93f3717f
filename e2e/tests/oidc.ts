// A real OpenID Provider for the single sign-on tests: testkit/oidc-provider/provider.mjs (npm's
// oidc-provider), started as a child process of the test on 127.0.0.1 with the clients and
// accounts a test gives, and stopped by it (its stdin closing stops it too, should the test
// process die first).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface ProviderClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  [metadata: string]: unknown;
}

export interface ProviderAccount {
  email: string;
  email_verified: boolean;
  name: string;
  groups: string[];
  amr?: string[];
}

export interface Provider {
  /** Its issuer, `http://127.0.0.1:PORT`. */
  issuer: string;
  /** Its last lines on stderr, for a failure's message. */
  log(): string;
  stop(): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL('../../testkit/oidc-provider/provider.mjs', import.meta.url));

export async function startProvider(config: { clients: ProviderClient[]; accounts: Record<string, ProviderAccount> }): Promise<Provider> {
  if (!existsSync(join(dirname(SCRIPT), 'node_modules', 'oidc-provider'))) {
    throw new Error('the OpenID Provider is not installed: (cd testkit/oidc-provider && npm ci); scripts/web-e2e.sh does it');
  }
  const folder = mkdtempSync(join(tmpdir(), 'hd-e2e-oidc-'));
  const file = join(folder, 'config.json');
  writeFileSync(file, JSON.stringify({ port: 0, ...config }));
  const child = spawn(process.execPath, [SCRIPT, file], { stdio: ['pipe', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    log = (log + chunk).slice(-20_000);
  });
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(folder, { recursive: true, force: true });
  };
  try {
    const issuer = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the OpenID Provider did not start within 30 s:\n${log}`)), 30_000);
      createInterface({ input: child.stdout }).once('line', (line) => {
        clearTimeout(timer);
        const found = /^listening (http:\/\/\S+)$/.exec(line.trim());
        if (found) resolve(found[1]!);
        else reject(new Error(`the OpenID Provider said ${JSON.stringify(line)}:\n${log}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the OpenID Provider exited (${code}):\n${log}`));
      });
    });
    return { issuer, log: () => log, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
