// A real OpenID Connect provider for iomshare's single sign-on tests (panva/oidc-provider, certified).
// Started by tests/partnership/oidc.py on 127.0.0.1 with an ephemeral port; prints {"issuer": ...}.
// Who signs in next is set by POST /test/next-sign-in (the claims a directory would hold for that
// person): it stands for the person typing their password at their agency's sign-in page.
// Environment: CLIENTS (JSON list of clients), CLOCK_OFFSET_SECONDS (a provider whose clock is wrong),
// ID_TOKEN_TTL_SECONDS.
import http from "node:http";
import Provider from "oidc-provider";

const offset = Number(process.env.CLOCK_OFFSET_SECONDS || 0) * 1000;
if (offset) {
  const realNow = Date.now;
  Date.now = () => realNow() + offset;
}
const clients = JSON.parse(process.env.CLIENTS || "[]").map((c) => ({
  token_endpoint_auth_method: "client_secret_post",
  grant_types: ["authorization_code"],
  response_types: ["code"],
  ...c,
}));
const accounts = new Map();
let nextAccount = null;

const server = http.createServer();
server.listen(0, "127.0.0.1", () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients,
    cookies: { keys: ["iomshare-test-only-cookie-key"] },
    claims: {
      // The ID token always says how the person signed in (acr, amr), as agency providers do.
      openid: ["sub", "acr", "amr", "auth_time"],
      email: ["email", "email_verified"],
      profile: ["name", "given_name", "family_name", "preferred_username", "groups"],
    },
    conformIdTokenClaims: false,
    ttl: { IdToken: Number(process.env.ID_TOKEN_TTL_SECONDS || 3600) },
    acrValues: ["urn:iomshare:test:password", "urn:iomshare:test:mfa"],
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: async (ctx, sub) => {
      const claims = accounts.get(sub);
      return claims && { accountId: sub, claims: async () => ({ ...claims, sub }) };
    },
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope("openid email profile");
      await grant.save();
      return grant;
    },
  });
  const callback = provider.callback();
  server.on("request", async (req, res) => {
    if (req.method === "POST" && req.url === "/test/next-sign-in") {
      let body = "";
      for await (const chunk of req) body += chunk;
      nextAccount = JSON.parse(body);
      accounts.set(nextAccount.sub, nextAccount.claims);
      res.writeHead(204).end();
      return;
    }
    if (req.url.startsWith("/interaction/")) {
      try {
        if (!nextAccount) throw new Error("nobody is signing in: POST /test/next-sign-in first");
        const { sub, amr, acr } = nextAccount;
        await provider.interactionFinished(req, res, { login: { accountId: sub, amr, acr } }, { mergeWithLastSubmission: false });
      } catch (error) {
        res.writeHead(500, { "content-type": "text/plain" }).end(String(error));
      }
      return;
    }
    callback(req, res);
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});
