import type Koa from 'koa';
import type { MemoryRepository } from '@medplum/fhir-router';
import type Provider from 'oidc-provider';
import type { InteractionDetails } from 'oidc-provider';
import type { RelatedPerson } from 'fhir/r4.js';
import { z } from 'zod';
import type { Logger } from '../../log.js';
import type { SandboxPatient } from '../types.js';
import type { GrantContext, LaunchContext, LaunchStore } from './launch-store.js';
import { pickerPage } from './picker-page.js';
import { readForm } from '../http-util.js';
import { FHIR_ID } from '../../fhir/fhir-id.js';

export interface InteractionDeps {
  provider: Provider;
  launches: LaunchStore;
  grants: Map<string, GrantContext>;
  repo: MemoryRepository;
  patients: () => Promise<SandboxPatient[]>;
  knownScopes: ReadonlySet<string>;
  /** The FHIR base: a SMART `aud` naming anything else is refused. */
  fhirBase: string;
  logger: Logger;
}

const PickerForm = z.object({
  patient: z.string().regex(FHIR_ID, 'patient must be a FHIR id'),
  user: z.string().regex(FHIR_ID, 'user must be a FHIR id').optional(),
  mfa: z.literal('1').optional(),
});

/** Whether `user` (a RelatedPerson id) may act for `patient`. */
export async function isProxyOf(repo: MemoryRepository, user: string, patient: string): Promise<boolean> {
  try {
    const rp = (await repo.readResource('RelatedPerson', user)) as unknown as RelatedPerson;
    return rp.patient?.reference === `Patient/${patient}` && rp.active !== false;
  } catch {
    return false;
  }
}

async function practitionerExists(repo: MemoryRepository, id: string): Promise<boolean> {
  try {
    await repo.readResource('Practitioner', id);
    return true;
  } catch {
    return false;
  }
}

async function patientExists(repo: MemoryRepository, id: string): Promise<boolean> {
  try {
    await repo.readResource('Patient', id);
    return true;
  } catch {
    return false;
  }
}

export function createInteractionHandler(deps: InteractionDeps): Koa.Middleware {
  const { provider, repo } = deps;

  async function deny(ctx: Koa.Context, description: string): Promise<void> {
    ctx.respond = false;
    await provider.interactionFinished(
      ctx.req,
      ctx.res,
      { error: 'access_denied', error_description: description },
      { mergeWithLastSubmission: false },
    );
  }

  async function signIn(ctx: Koa.Context, details: InteractionDetails, launch: LaunchContext): Promise<void> {
    if (!(await patientExists(repo, launch.patient))) return deny(ctx, 'unknown patient');
    // The user is a proxy of the patient (RelatedPerson) or a clinician (Practitioner) opening the chart.
    let userRef: string | undefined;
    if (launch.user) {
      if (await isProxyOf(repo, launch.user, launch.patient)) userRef = `RelatedPerson/${launch.user}`;
      else if (await practitionerExists(repo, launch.user)) userRef = `Practitioner/${launch.user}`;
      else return deny(ctx, 'user is not a proxy of the patient');
    }
    const clientId = details.params.client_id;
    if (!clientId) return deny(ctx, 'missing client');
    const accountId = userRef ?? `Patient/${launch.patient}`;
    const grant = new provider.Grant({ accountId, clientId });
    // Registered clients consent automatically: grant what was asked among known scopes, minus `deny`.
    for (const scope of (details.params.scope ?? '').split(' ')) {
      if (!deps.knownScopes.has(scope)) continue;
      if (launch.deny.includes(scope)) grant.rejectOIDCScope(scope);
      else grant.addOIDCScope(scope);
    }
    const grantId = await grant.save();
    deps.grants.set(grantId, { patient: launch.patient, fhirUser: accountId });
    deps.logger.info({ event: 'sandbox.sign_in', clientId, proxy: Boolean(launch.user) }, 'sandbox sign-in');
    ctx.respond = false;
    await provider.interactionFinished(
      ctx.req,
      ctx.res,
      { login: { accountId, amr: launch.mfa ? ['pwd', 'otp'] : ['pwd'] }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  }

  return async (ctx) => {
    let details: InteractionDetails;
    try {
      details = await provider.interactionDetails(ctx.req, ctx.res);
    } catch {
      ctx.status = 400;
      ctx.type = 'text/plain';
      ctx.body = 'This sign-in request has expired. Start the launch again.';
      return;
    }
    const aud = details.params.aud;
    if (aud !== undefined && aud.replace(/\/+$/, '') !== deps.fhirBase) return deny(ctx, 'aud is not this FHIR server');
    if (ctx.method === 'GET') {
      const code = details.params.launch;
      if (code) {
        const launch = deps.launches.take(code);
        return launch ? signIn(ctx, details, launch) : deny(ctx, 'launch unknown or expired');
      }
      ctx.type = 'html';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = pickerPage(ctx.path, await deps.patients());
      return;
    }
    if (ctx.method === 'POST') {
      const parsed = PickerForm.safeParse(await readForm(ctx));
      if (!parsed.success) {
        ctx.status = 400;
        ctx.type = 'text/plain';
        ctx.body = `Invalid form: ${parsed.error.issues.map((i) => i.path.join('.') || 'form').join(', ')}`;
        return;
      }
      const { patient, user, mfa } = parsed.data;
      return signIn(ctx, details, { patient, ...(user ? { user } : {}), mfa: mfa === '1', deny: [] });
    }
    ctx.status = 405;
  };
}
