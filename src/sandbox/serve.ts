/**
 * The sandbox EHR alone, without the adapter: several adapter processes can then share one EHR
 * (the outbox fault test, load tests). Environment:
 *   SANDBOX_PORT        port to listen on (0 = any free port; the chosen origin is printed)
 *   SANDBOX_PUBLIC_URL  origin clients use (default http://127.0.0.1:$port)
 *   SANDBOX_CLIENTS     JSON [{ clientId, clientSecret, redirectUris, tokenEndpointAuthMethod?, grantTypes? }]
 *   SANDBOX_SEED        optional folder of extra FHIR transaction bundles
 *   LOG_LEVEL           pino level (default info)
 * Prints one line `sandbox listening <origin>` once it answers.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import Koa from 'koa';
import { z } from 'zod';
import { createLogger } from '../log.js';
import { createSandbox } from './index.js';

const env = z
  .object({
    SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(0),
    SANDBOX_PUBLIC_URL: z.string().url().optional(),
    SANDBOX_CLIENTS: z.string().default('[]'),
    SANDBOX_SEED: z.string().optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .parse(process.env);

const clients = z
  .array(
    z.strictObject({
      clientId: z.string().min(1),
      clientSecret: z.string().min(16, 'clientSecret: at least 16 characters'),
      redirectUris: z.array(z.string().url()),
      tokenEndpointAuthMethod: z.enum(['client_secret_basic', 'client_secret_post']).default('client_secret_basic'),
      grantTypes: z.array(z.enum(['authorization_code', 'refresh_token', 'client_credentials'])).default(['authorization_code', 'refresh_token']),
    }),
  )
  .parse(JSON.parse(env.SANDBOX_CLIENTS));

const logger = createLogger({ level: env.LOG_LEVEL });
const server = createServer();
await new Promise<void>((done) => server.listen(env.SANDBOX_PORT, '127.0.0.1', done));
const origin = (env.SANDBOX_PUBLIC_URL ?? `http://127.0.0.1:${(server.address() as AddressInfo).port}`).replace(/\/+$/, '');
const sandbox = await createSandbox({
  publicUrl: origin,
  // The launch URL of the first client's app: the origin of its first redirect URI.
  appLaunchUrl: clients[0]?.redirectUris[0] ? `${new URL(clients[0].redirectUris[0]).origin}/launch` : `${origin}/launch`,
  clients,
  seedDirs: env.SANDBOX_SEED ? [resolve(env.SANDBOX_SEED)] : [],
  logger,
});
const app = new Koa();
app.use(sandbox.middleware);
app.use((ctx) => {
  ctx.status = 404;
  ctx.body = { error: 'not_found' };
});
server.on('request', app.callback());
process.stdout.write(`sandbox listening ${origin}\n`);

const stop = () => {
  void sandbox.close().finally(() => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
