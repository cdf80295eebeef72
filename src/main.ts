import { ConfigError } from './config/config-error.js';
import { StoreError } from './store/data-source.js';
import { RuleLoadError } from './policy/index.js';
import { startPortal } from './server.js';

/** `npm start`: load config → open store → build app → listen; graceful shutdown on SIGTERM/SIGINT. */
try {
  const portal = await startPortal(process.env);
  const stop = (signal: string) => {
    process.stderr.write(`${signal} received: finishing in-flight requests\n`);
    portal.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  process.stdout.write(`\nfhir-portal-adapter is running at ${portal.url}\n${portal.sandbox ? `  sandbox EHR: ${portal.url}/sandbox/patients.json  (launch: ${portal.url}/sandbox/launch?patient=maria-lopez)\n` : ''}\n`);
} catch (e) {
  if (e instanceof ConfigError || e instanceof StoreError || e instanceof RuleLoadError) {
    process.stderr.write(`fhir-portal-adapter cannot start: ${e.message}\n`);
  } else {
    process.stderr.write(`fhir-portal-adapter cannot start: ${(e as Error)?.stack ?? String(e)}\n`);
  }
  process.exit(1);
}
