import { z } from 'zod';
import { InvalidConfigError, zodIssues } from '../errors.ts';
import { localStackOptionsSchema } from './local-options.ts';
import type { Tenant } from './types.ts';

/** Real text-generation-inference: the image, the model, where weights are cached, the GPUs. */
export const tgiOptionsSchema = z
  .object({
    image: z.string().min(1).default('ghcr.io/huggingface/text-generation-inference:3.3.5'),
    /** Hugging Face model id (or a directory under the weights volume's /data). */
    modelId: z.string().min(1).default('meta-llama/Llama-3.1-8B-Instruct'),
    /** For gated models; handed to the container at run time, never written into an image. */
    hfToken: z.string().min(1).nullable().default(null),
    /** Host directory mounted at /data: downloaded weights survive between runs. */
    weightsDir: z.string().min(1).nullable().default(null),
    /** GPUs per TGI replica (tensor parallel shards); 'all' = every GPU of the machine. */
    gpus: z.union([z.number().int().min(1).max(16), z.literal('all')]).default(1),
    /** NCCL needs shared memory between shards (TGI's README: --shm-size 1g). */
    shmSizeBytes: z
      .number()
      .int()
      .min(64 * 2 ** 20)
      .default(2 ** 30),
    /** Weights download and load can take many minutes on a cold cache. */
    startTimeoutMs: z
      .number()
      .int()
      .min(10_000)
      .max(3 * 3_600_000)
      .default(30 * 60_000),
    /** More launcher flags, e.g. ['--max-input-tokens', '4096']. */
    extraArgs: z.array(z.string()).default([]),
  })
  .strict();

export type TgiOptions = z.output<typeof tgiOptionsSchema>;

/**
 * `--stack containers`: the local stack's options (replicas, profile, timings, stickiness), less
 * what only applies to child processes (binaries, stack directories), plus images and the model
 * server kind.
 */
export const containerStackOptionsSchema = localStackOptionsSchema
  .omit({
    binaries: true,
    searchPath: true,
    stacksRoot: true,
    keepLogs: true,
    agentConfigPath: true,
    host: true,
    agentReplicas: true,
  })
  .extend({
    agentReplicas: z.number().int().min(1).max(16).default(2),
    /** sim: the GPU simulator (no GPU); tgi: real TGI containers on NVIDIA GPUs. */
    modelServer: z.enum(['sim', 'tgi']).default('sim'),
    tgi: tgiOptionsSchema.default({}),
    /** Base images; default: the seeded local ones when present (offline engine), else public ones. */
    images: z
      .object({ node: z.string().min(1), redis: z.string().min(1), haproxy: z.string().min(1) })
      .partial()
      .strict()
      .default({}),
    /** The repository the app image is built from; default this checkout. */
    repoRoot: z.string().min(1).optional(),
    /** Leave the containers after stop() (debugging; they stay labelled for `docker rm`). */
    keepContainers: z.boolean().default(false),
  })
  .strict();

export type ContainerStackOptionsInput = z.input<typeof containerStackOptionsSchema>;
export type ContainerStackOptions = Readonly<z.output<typeof containerStackOptionsSchema>> & {
  readonly tenants?: readonly Tenant[];
};

export function parseContainerStackOptions(input: ContainerStackOptionsInput): ContainerStackOptions {
  const parsed = containerStackOptionsSchema.safeParse(input);
  if (!parsed.success) {
    throw new InvalidConfigError('container stack options', zodIssues(parsed.error));
  }
  return Object.freeze(parsed.data);
}
