import { z } from 'zod';
import { Id } from './common.js';

export const CheckItem = z
  .strictObject({ permission: Id.optional(), role: Id.optional(), feature: Id.optional(), tenantId: Id.optional() })
  // Counted without building arrays: this runs for every item of every check request.
  .refine(
    (c) =>
      (c.permission === undefined ? 0 : 1) + (c.role === undefined ? 0 : 1) + (c.feature === undefined ? 0 : 1) === 1,
    {
      message: 'exactly one of permission, role or feature',
    },
  );
export type CheckItem = z.infer<typeof CheckItem>;

export const CheckRequest = z.strictObject({
  userId: Id.optional(),
  op: z.enum(['allOf', 'anyOf']).default('allOf'),
  checks: z.array(CheckItem).min(1).max(100),
});
export type CheckRequest = z.input<typeof CheckRequest>;

export const CheckResponse = z.object({ authorized: z.boolean(), results: z.array(z.boolean()) });
export type CheckResponse = z.infer<typeof CheckResponse>;
