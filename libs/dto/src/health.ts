import { z } from 'zod';

export const HealthResponse = z.object({
  status: z.enum(['ok', 'degraded', 'unavailable']),
  checks: z.record(z.string(), z.enum(['ok', 'unavailable'])).optional(),
});
export type HealthResponse = z.infer<typeof HealthResponse>;
