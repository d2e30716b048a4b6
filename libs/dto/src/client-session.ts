import { z } from 'zod';
import { Id, Timestamp } from './common.js';

/** Fields Warrant's SDK sends that Tessera accepts and ignores. */
const WarrantExtras = { context: z.unknown().optional(), selfServiceStrategy: z.unknown().optional() };

/** `POST /v1/sessions` with `type: "sess"`: an authorization session for one user (Warrant-compatible). */
export const CreateAuthorizationSessionRequest = z.strictObject({
  type: z.literal('sess'),
  userId: Id,
  ttl: z.number().int().min(1).optional().describe('seconds'),
  ...WarrantExtras,
});
export type CreateAuthorizationSessionRequest = z.infer<typeof CreateAuthorizationSessionRequest>;

export const CreateClientSessionRequest = z.discriminatedUnion('type', [CreateAuthorizationSessionRequest]);
export type CreateClientSessionRequest = z.infer<typeof CreateClientSessionRequest>;

export const AuthorizationSessionResponse = z.object({ token: z.string(), expiresAt: Timestamp });
export type AuthorizationSessionResponse = z.infer<typeof AuthorizationSessionResponse>;

export const ClientSessionResponse = AuthorizationSessionResponse;
export type ClientSessionResponse = AuthorizationSessionResponse;
