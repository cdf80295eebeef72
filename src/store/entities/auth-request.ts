import { EntitySchema } from 'typeorm';

/** A pending SMART authorization: PKCE verifier, nonce and launch, keyed by a hash of `state`. */
export interface AuthRequestRow {
  stateHash: string;
  ehrId: string;
  /** JWE: { codeVerifier, nonce, launch?, returnTo?, browserBinding } */
  payload: string;
  createdAt: Date;
  expiresAt: Date;
}

export const AuthRequestEntity = new EntitySchema<AuthRequestRow>({
  name: 'AuthRequest',
  tableName: 'auth_request',
  columns: {
    stateHash: { name: 'state_hash', type: 'text', primary: true },
    ehrId: { name: 'ehr_id', type: 'text' },
    payload: { type: 'text' },
    createdAt: { name: 'created_at', type: 'timestamptz' },
    expiresAt: { name: 'expires_at', type: 'timestamptz' },
  },
});
