import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, loadRegistrationFile } from '../../../src/config/load-config.js';
import { ConfigError } from '../../../src/config/config-error.js';

function configDir(files: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  cpSync('smart-config', dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

function fails(env: NodeJS.ProcessEnv, pattern: RegExp): void {
  assert.throws(
    () => loadConfig(env),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.ok(!e.message.includes('\n'), 'one line');
      assert.match(e.message, pattern);
      return true;
    },
  );
}

describe('configuration', () => {
  it('starts with no environment: sandbox EHR, embedded database, port 3000', () => {
    const c = loadConfig({});
    assert.equal(c.port, 3000);
    assert.equal(c.publicUrl, 'http://localhost:3000');
    assert.deepEqual(c.ehrs.map((e) => e.id), ['sandbox']);
    assert.equal(c.ehrs[0]!.fhirBaseUrl, 'http://localhost:3000/sandbox/fhir');
    assert.equal(c.database.kind, 'embedded');
    assert.equal(c.sandbox.enabled, true);
    assert.equal(c.secureTransport, false);
  });

  it('follows PORT and PUBLIC_URL for every derived URL', () => {
    assert.equal(loadConfig({ PORT: '4123' }).ehrs[0]!.fhirBaseUrl, 'http://localhost:4123/sandbox/fhir');
    assert.equal(loadConfig({ PUBLIC_URL: 'https://portal.example.org/' }).ehrs[0]!.fhirBaseUrl, 'https://portal.example.org/sandbox/fhir');
  });

  it('names the file and the key of a malformed registration', () => {
    fails({ SMART_CONFIG_DIR: configDir({ 'broken.json': '{ "id": "x", ' }) }, /broken\.json: not valid JSON/);
    fails({ SMART_CONFIG_DIR: configDir({ 'wrong.json': { id: 'wrong', name: 'W', fhirBaseUrl: 'https://w.example/fhir', auth: { type: 'smart', clientId: 5 } } }) }, /wrong\.json: auth\.clientId: /);
    fails({ SMART_CONFIG_DIR: configDir({ 'extra.json': { id: 'extra', name: 'E', fhirBaseUrl: 'https://e.example/fhir', auth: { type: 'none' }, colour: 'red' } }) }, /extra\.json: .*colour/);
  });

  it('refuses a bad DATABASE_URL, naming the variable', () => {
    fails({ DATABASE_URL: 'mysql://x' }, /environment: DATABASE_URL: must be a postgres/);
    fails({ DATABASE_URL: 'postgres://' }, /DATABASE_URL/);
  });

  it('has no insecure production defaults', () => {
    fails({ NODE_ENV: 'production', PUBLIC_URL: 'http://portal.example.org' }, /PUBLIC_URL: must be an https/);
    fails({ NODE_ENV: 'production', PUBLIC_URL: 'https://portal.example.org' }, /EHRS: name at least one/);
    fails({ NODE_ENV: 'production', PUBLIC_URL: 'https://portal.example.org', SANDBOX: 'on' }, /SANDBOX: the sandbox EHR cannot run/);
    fails({ NODE_ENV: 'production', PUBLIC_URL: 'https://portal.example.org', EHRS: 'hapi-docker', SANDBOX: 'off' }, /"none" .* refused when NODE_ENV=production/);
    fails({ NODE_ENV: 'production', PUBLIC_URL: 'https://portal.example.org', DEBUG: 'fhir-kit-client:*' }, /DEBUG: fhir-kit-client debug logging writes bearer tokens/);
  });

  it('refuses a client secret that is not in the environment', () => {
    fails({ EHRS: 'smart-launcher' }, /SMART_LAUNCHER_CLIENT_SECRET is not set/);
    assert.equal(loadConfig({ EHRS: 'smart-launcher', SMART_LAUNCHER_CLIENT_SECRET: 's3cret-value' }).ehrs[0]!.id, 'smart-launcher');
  });

  it('allows plain http only for loopback EHRs', () => {
    const dir = configDir({ 'far.json': { id: 'far', name: 'Far', fhirBaseUrl: 'http://ehr.example.org/fhir', auth: { type: 'smart', clientId: 'c', clientAuth: { method: 'private_key_jwt', privateJwks: { env: 'K' } } } } });
    fails({ SMART_CONFIG_DIR: dir, EHRS: 'far' }, /far\.json: fhirBaseUrl: plain http is only allowed for a loopback EHR/);
  });

  it('refuses an unknown EHRS id and a duplicate registration id', () => {
    fails({ EHRS: 'nope' }, /EHRS: no registration with id "nope"/);
    const dir = configDir({ 'twin.json': { id: 'sandbox', name: 'Twin', fhirBaseUrl: 'https://t.example/fhir', auth: { type: 'none' } } });
    fails({ SMART_CONFIG_DIR: dir }, /id: "sandbox" is used by another registration/);
  });

  it('every shipped example registration is valid', () => {
    for (const f of readdirSync('smart-config/examples')) {
      const r = loadRegistrationFile(join('smart-config/examples', f), {});
      assert.ok(r.id && r.auth.type === 'smart', f);
    }
  });
});
