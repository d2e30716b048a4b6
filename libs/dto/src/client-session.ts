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

/**
 * `POST /v1/sessions` with `type: "ssdash"`: a self-service dashboard session for one user in one
 * tenant (Warrant-compatible). `redirectUrl` must be on an allowed origin.
 */
export const CreateSelfServiceSessionRequest = z.strictObject({
  type: z.literal('ssdash'),
  userId: Id,
  tenantId: Id,
  ttl: z.number().int().min(1).optional().describe('seconds'),
  redirectUrl: z.url().max(2048).optional(),
  ...WarrantExtras,
});
export type CreateSelfServiceSessionRequest = z.infer<typeof CreateSelfServiceSessionRequest>;

export const CreateClientSessionRequest = z.discriminatedUnion('type', [
  CreateAuthorizationSessionRequest,
  CreateSelfServiceSessionRequest,
]);
export type CreateClientSessionRequest = z.infer<typeof CreateClientSessionRequest>;

export const AuthorizationSessionResponse = z.object({ token: z.string(), expiresAt: Timestamp });
export type AuthorizationSessionResponse = z.infer<typeof AuthorizationSessionResponse>;

/** `url` opens the dashboard with a one-time code in its fragment: never a token in a URL. */
export const SelfServiceSessionResponse = z.object({ token: z.string(), url: z.url(), expiresAt: Timestamp });
export type SelfServiceSessionResponse = z.infer<typeof SelfServiceSessionResponse>;

export const ClientSessionResponse = z.union([SelfServiceSessionResponse, AuthorizationSessionResponse]);
export type ClientSessionResponse = z.infer<typeof ClientSessionResponse>;
