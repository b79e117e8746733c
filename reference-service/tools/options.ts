import { z } from 'zod';
import { InvalidConfigError, zodIssues } from '../../harness/errors.ts';

export const toolsServiceOptionsSchema = z
  .object({
    /** 0 picks a free port; read the URL back from the handle. */
    port: z.number().int().min(0).max(65_535).default(0),
    host: z.string().min(1).default('127.0.0.1'),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(1),
    /** Enables /admin/faults, guarded by `Authorization: Bearer <adminToken>`; absent, no admin routes. */
    adminToken: z.string().min(8, 'must be at least 8 characters').optional(),
    /** Multiplies every latency draw; 0 answers at once (tests), 1 is the modelled latency. */
    latencyScale: z.number().min(0).max(100).default(1),
  })
  .strict();

export type ToolsServiceOptionsInput = z.input<typeof toolsServiceOptionsSchema>;
export type ToolsServiceOptions = Readonly<z.output<typeof toolsServiceOptionsSchema>>;

export function parseToolsServiceOptions(raw: ToolsServiceOptionsInput): ToolsServiceOptions {
  const parsed = toolsServiceOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new InvalidConfigError('tools service options', zodIssues(parsed.error));
  }
  return Object.freeze(parsed.data);
}
