// A real OpenID Provider for the single sign-on tests: oidc-provider (pinned in package.json),
// configured from a JSON file, on 127.0.0.1. testkit's `oidc` module starts it; it can also be
// run by hand:
//
//   node provider.mjs <config.json>
//
// The configuration:
//
//   {
//     "port": 0,                       // 0: any free port
//     "clients": [{ "client_id", "client_secret", "redirect_uris": [...],
//                   "backchannel_logout_uri"?, "backchannel_logout_session_required"?,
//                   ...any other client metadata oidc-provider knows }],
//     "accounts": { "<sub>": { "email", "email_verified", "name", "groups": [...],
//                              "amr"?: ["pwd", "mfa"] } },
//     "id_token_ttl"?: 3600            // seconds
//   }
//
// Once it listens, the first line on stdout is `listening http://127.0.0.1:<port>`, that URL
// being the issuer; everything else (oidc-provider's notices included) goes to stderr. It exits
// when its stdin closes (so that a test killed before it could stop it leaves nothing running)
// and on SIGTERM or SIGINT.
//
// What the provider does: discovery, JWKS, the authorization code flow with PKCE (S256, required
// of every client), client_secret_basic and client_secret_post, ID tokens carrying the claims of
// the scopes granted (`email`: email, email_verified; `profile`: name, groups; `groups`: groups)
// and `amr` when the account has one, back-channel logout and RP-initiated logout
// (/session/end), as oidc-provider ships them. Keys: one RS256 key generated at start.
//
// Interactions (oidc-provider's development ones are off):
//   GET  /interaction/:uid        the login prompt: a page with a form (an input `login`, a
//                                 "Sign in" button) posting to /interaction/:uid/login; the
//                                 consent prompt is granted at once (every scope and claim
//                                 requested) and answered with a redirect back to the provider.
//   POST /interaction/:uid/login  form-encoded `login=<sub>`: signs that account in (303 back to
//                                 the provider); an unknown account gets the page again with an
//                                 error (200).
//
// Test-only admin endpoints:
//   POST /__test/rotate               a new signing key signs from now on; the JWKS publishes it
//                                     and the one before it. Answers 200
//                                     `{ "kid": <the new key's>, "kids": [<published>...] }`.
//                                     The provider is made anew behind the same server, on the
//                                     same in-memory store (sessions and grants are kept).
//   POST /__test/backchannel-logout   JSON `{ "client_id", "sub", "sid"? }`: the provider sends
//                                     that client's back-channel logout URI a logout token for
//                                     `sub` (and `sid` when the client requires sessions), as at
//                                     the end of a session. Answers 204 once the receiver
//                                     answered 200 or 204, 502 `{ "status", "error" }` otherwise
//                                     (status 0: the receiver could not be reached).

import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';
// oidc-provider's own in-memory store, one for every Provider made here (the version is pinned
// exactly: this module is not part of its public entry point).
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';

// stdout carries the one "listening" line: oidc-provider's notices (console.info) go to stderr.
console.log = console.error;
console.info = console.error;

const HOST = '127.0.0.1';
const BODY_LIMIT = 64 * 1024;

function readConfig() {
  const path = process.argv[2];
  if (!path) {
    console.error('usage: node provider.mjs <config.json>');
    process.exit(2);
  }
  const config = JSON.parse(readFileSync(path, 'utf8'));
  if (!Array.isArray(config.clients) || typeof config.accounts !== 'object' || config.accounts === null) {
    throw new Error('the configuration needs "clients" (an array) and "accounts" (an object by sub)');
  }
  return config;
}

/** A new RS256 signing key as a private JWK, with a key ID of its own. */
function newSigningKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

/** A client's metadata: code flow, secret-based authentication, then whatever the test gave. */
function clientMetadata(client) {
  return {
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...client,
  };
}

/** The account `sub` as oidc-provider asks for it, or undefined when there is none. */
function findAccount(accounts, sub) {
  const account = Object.hasOwn(accounts, sub) ? accounts[sub] : undefined;
  if (!account) {
    return undefined;
  }
  const { amr: _amr, ...claims } = account;
  return { accountId: sub, claims: async () => ({ ...claims, sub }) };
}

function escapeHtml(text) {
  return String(text)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body><main>
<h1>${escapeHtml(title)}</h1>
${body}
</main></body>
</html>
`;
}

function loginPage(uid, clientId, error) {
  const alert = error ? `<p role="alert">${escapeHtml(error)}</p>\n` : '';
  return page('Sign in', `<p>to continue to ${escapeHtml(clientId)}</p>
${alert}<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label for="login">Login</label>
<input id="login" name="login" type="text" autocomplete="username" required autofocus>
<button type="submit">Sign in</button>
</form>`);
}

async function logoutSource(ctx, form) {
  ctx.type = 'html';
  ctx.body = page('Sign out', `${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>
<button type="submit" form="op.logoutForm">Stay signed in</button>`);
}

async function postLogoutSuccessSource(ctx) {
  ctx.type = 'html';
  ctx.body = page('Signed out', '<p>You are signed out.</p>');
}

async function renderError(ctx, out) {
  ctx.type = 'html';
  const lines = Object.entries(out).map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(value)}</dd>`);
  ctx.body = page('Error', `<dl>${lines.join('')}</dl>`);
}

/** A Provider for `issuer` that signs with the first of `keys` and publishes them all. */
function makeProvider(issuer, config, { keys, cookieKeys, adapter }) {
  const accounts = config.accounts;
  const provider = new Provider(issuer, {
    adapter,
    clients: config.clients.map(clientMetadata),
    jwks: { keys },
    cookies: { keys: cookieKeys },
    findAccount: async (_ctx, sub) => findAccount(accounts, sub),
    claims: {
      acr: null,
      auth_time: null,
      iss: null,
      sid: null,
      // amr (the account's, when it has one) with every ID token, unasked.
      openid: ['sub', 'amr'],
      email: ['email', 'email_verified'],
      profile: ['name', 'groups'],
      groups: ['groups'],
    },
    // The claims of the scopes granted go into the ID token itself, not only to userinfo.
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    pkce: { required: () => true },
    interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
    },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      Grant: 3600,
      IdToken: config.id_token_ttl ?? 3600,
      Interaction: 600,
      Session: 3600,
    },
    clientBasedCORS: () => false,
    renderError,
    // Requests to the clients (back-channel logout) go to 127.0.0.1, which oidc-provider's own
    // dispatcher refuses (special-use addresses); the tests' receivers live there.
    fetch: (url, { dispatcher: _dispatcher, ...options }) => globalThis.fetch(url, options),
  });
  provider.on('server_error', (_ctx, error) => console.error('oidc-provider server_error:', error));
  provider.on('backchannel.error', (_ctx, error, client) => {
    console.error(`oidc-provider back-channel logout to ${client.clientId} failed:`, error.message);
  });
  return provider;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > BODY_LIMIT) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res, status, type, body) {
  res.statusCode = status;
  if (body === undefined) {
    res.end();
    return;
  }
  res.setHeader('Content-Type', type);
  res.setHeader('Cache-Control', 'no-store');
  res.end(body);
}

function sendJson(res, status, value) {
  send(res, status, 'application/json', JSON.stringify(value));
}

/** The consent prompt, granted at once: every scope, claim and resource scope it asks for. */
async function grantConsent(provider, req, res, interaction) {
  const { prompt: { details }, params, session: { accountId } } = interaction;
  const grant = interaction.grantId
    ? await provider.Grant.find(interaction.grantId)
    : new provider.Grant({ accountId, clientId: params.client_id });
  if (details.missingOIDCScope) {
    grant.addOIDCScope(details.missingOIDCScope.join(' '));
  }
  if (details.missingOIDCClaims) {
    grant.addOIDCClaims(details.missingOIDCClaims);
  }
  for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();
  const consent = interaction.grantId ? {} : { grantId };
  await provider.interactionFinished(req, res, { consent }, { mergeWithLastSubmission: true });
}

async function showInteraction(provider, req, res) {
  const interaction = await provider.interactionDetails(req, res);
  switch (interaction.prompt.name) {
    case 'login':
      send(res, 200, 'text/html; charset=utf-8', loginPage(interaction.uid, interaction.params.client_id));
      return;
    case 'consent':
      await grantConsent(provider, req, res, interaction);
      return;
    default:
      send(res, 400, 'text/plain', `unexpected prompt ${interaction.prompt.name}\n`);
  }
}

async function submitLogin(provider, accounts, req, res) {
  const interaction = await provider.interactionDetails(req, res);
  const login = new URLSearchParams(await readBody(req)).get('login') ?? '';
  const account = Object.hasOwn(accounts, login) ? accounts[login] : undefined;
  if (interaction.prompt.name !== 'login' || !account) {
    const error = account ? 'This sign-in is not waiting for a login.' : `No account "${login}".`;
    send(res, 200, 'text/html; charset=utf-8', loginPage(interaction.uid, interaction.params.client_id, error));
    return;
  }
  const result = { login: { accountId: login, ...(account.amr ? { amr: account.amr } : {}) } };
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

async function backchannelLogout(provider, req, res) {
  const { client_id: clientId, sub, sid } = JSON.parse(await readBody(req));
  if (typeof clientId !== 'string' || typeof sub !== 'string') {
    sendJson(res, 400, { error: '"client_id" and "sub" are required strings' });
    return;
  }
  const client = await provider.Client.find(clientId);
  if (!client) {
    sendJson(res, 404, { error: `no client ${clientId}` });
    return;
  }
  if (!client.backchannelLogoutUri) {
    sendJson(res, 400, { error: `client ${clientId} has no backchannel_logout_uri` });
    return;
  }
  try {
    await client.backchannelLogout(sub, sid ?? undefined);
  } catch (error) {
    console.error(`back-channel logout to ${client.backchannelLogoutUri} failed:`, error.message);
    sendJson(res, 502, { status: error.response?.status ?? 0, error: error.message });
    return;
  }
  send(res, 204);
}

async function main() {
  const config = readConfig();
  // Kept when the provider is made anew (rotation): its cookies stay valid, its store the same.
  const cookieKeys = [randomBytes(32).toString('hex')];
  const adapter = createMemoryAdapter();
  let keys = [newSigningKey()];
  let provider;
  let handle;

  const server = createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://localhost');
    const interaction = pathname.match(/^\/interaction\/([^/]+)(\/login)?$/);
    let answer;
    if (req.method === 'POST' && pathname === '/__test/rotate') {
      keys = [newSigningKey(), keys[0]];
      ({ provider, handle } = build());
      console.error(`signing key rotated: ${keys[0].kid} signs, ${keys[1].kid} is still published`);
      answer = Promise.resolve(sendJson(res, 200, { kid: keys[0].kid, kids: keys.map((key) => key.kid) }));
    } else if (req.method === 'POST' && pathname === '/__test/backchannel-logout') {
      answer = backchannelLogout(provider, req, res);
    } else if (req.method === 'GET' && interaction && !interaction[2]) {
      answer = showInteraction(provider, req, res);
    } else if (req.method === 'POST' && interaction && interaction[2]) {
      answer = submitLogin(provider, config.accounts, req, res);
    } else {
      handle(req, res);
      return;
    }
    answer.catch((error) => {
      console.error(`${req.method} ${pathname}:`, error);
      if (!res.headersSent) {
        sendJson(res, error.statusCode ?? 500, { error: error.message });
      } else {
        res.end();
      }
    });
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port ?? 0, HOST, resolve);
  });
  const issuer = `http://${HOST}:${server.address().port}`;
  function build() {
    const made = makeProvider(issuer, config, { keys, cookieKeys, adapter });
    return { provider: made, handle: made.callback() };
  }
  ({ provider, handle } = build());

  const stop = () => {
    server.close();
    process.exit(0);
  };
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  process.stdout.write(`listening ${issuer}\n`);
}

main().catch((error) => {
  console.error('the OpenID Provider did not start:', error);
  process.exit(1);
});
