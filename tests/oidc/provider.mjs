// A real OpenID Connect provider for Fourfold's single sign-on tests: the npm package
// oidc-provider (OpenID-certified), on 127.0.0.1 only, never for production.
//
//   node tests/oidc/provider.mjs --client-id ID --client-secret SECRET --redirect-uri URI [--now EPOCH]
//
// It listens on a free port and prints one line, `READY <issuer>`, when it is ready.
// Everything between the browser and the provider is the real protocol: the authorization
// request, the sign-in (interaction) page, the code, the token endpoint, ID tokens signed with
// the provider's own key (published at its JWKS endpoint), userinfo and end of session.
//
// Only the sign-in page is the test's own: instead of a password it asks which e-mail (and
// optionally which name and UPN) signs in, so that a test can be anyone. And a test can ask,
// with POST /__test__/tamper, that the next ID token leave the token endpoint with a broken
// signature, as an attacker in the middle would send it.

import http from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    'post-logout-redirect-uri': { type: 'string', multiple: true, default: [] },
    port: { type: 'string', default: '0' },
    // The tests' frozen clock (seconds since 1970): tokens' iat and exp agree with it.
    now: { type: 'string' },
  },
});
if (args.now) {
  const offset = Number(args.now) * 1000 - Date.now();
  const realNow = Date.now.bind(Date);
  Date.now = () => realNow() + offset;
}
for (const name of ['client-id', 'client-secret', 'redirect-uri']) {
  if (!args[name]) {
    console.error(`--${name} is required`);
    process.exit(2);
  }
}

// Who signed in, by account id (the `sub` claim), as the sign-in page was told.
const accounts = new Map();
const state = { tamperNext: false };

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > 10000) reject(new Error('form too large'));
    });
    req.on('end', () => resolve(Object.fromEntries(new URLSearchParams(body))));
    req.on('error', reject);
  });
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const server = http.createServer();
await new Promise((resolve) => server.listen(Number(args.port), '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: args['client-id'],
      client_secret: args['client-secret'],
      redirect_uris: args['redirect-uri'],
      post_logout_redirect_uris: args['post-logout-redirect-uri'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
  },
  async findAccount(ctx, id) {
    const account = accounts.get(id);
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: account.email,
          email_verified: true,
          name: account.name,
          preferred_username: account.upn,
        };
      },
    };
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: { devInteractions: { enabled: false } },
  cookies: { keys: ['fourfold-test-identity-provider'] },
  ttl: { Session: 3600, Interaction: 600, Grant: 3600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600 },
});
// Plain http on 127.0.0.1 is allowed only because nothing leaves this machine.
provider.proxy = false;

// A test's ID token with a broken signature: one character of the signature changed (the
// last but one: the last may carry padding bits only, and changing those changes nothing).
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path === '/token' && state.tamperNext && ctx.body && ctx.body.id_token) {
    state.tamperNext = false;
    const token = ctx.body.id_token;
    const changed = token.at(-2) === 'A' ? 'B' : 'A';
    ctx.body = { ...ctx.body, id_token: token.slice(0, -2) + changed + token.at(-1) };
  }
});

const handler = provider.callback();

async function interaction(req, res, uid, action) {
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error('interaction mismatch');
    if (action === 'login' && req.method === 'POST') {
      const form = await readForm(req);
      const email = (form.email || '').trim();
      if (!email) {
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end('email is required');
        return;
      }
      const accountId = `sub-${email.toLowerCase()}`;
      accounts.set(accountId, { email, name: form.name || email, upn: form.upn || email });
      const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
      grant.addOIDCScope(details.params.scope);
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><title>Test identity provider</title>
<h1>Test identity provider</h1>
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label>Email <input name="email" type="email" required></label>
<label>Name <input name="name"></label>
<label>UPN <input name="upn"></label>
<button>Sign in</button></form></html>`);
  } catch (error) {
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end(String(error.message || error));
  }
}

server.on('request', async (req, res) => {
  const url = new URL(req.url, issuer);
  if (url.pathname === '/__test__/tamper' && req.method === 'POST') {
    state.tamperNext = true;
    res.writeHead(204);
    res.end();
    return;
  }
  const match = url.pathname.match(/^\/interaction\/([^/]+)(?:\/(login))?$/);
  if (match) {
    await interaction(req, res, match[1], match[2] || 'show');
    return;
  }
  handler(req, res);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
console.log(`READY ${issuer}`);
