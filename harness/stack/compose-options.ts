import { z } from 'zod';
import { InvalidConfigError, zodIssues } from '../errors.ts';
import { containerStackOptionsSchema } from './container-options.ts';
import { httpProbe, listeningLine, tgiReadyLine } from './container-specs.ts';
import { redisProbe, redisReadyLine } from './redis-server.ts';
import type { ComposePorts } from './compose-files.ts';
import type { BaseImages } from './container-images.ts';
import type { ComponentKind } from './types.ts';

const host = '127.0.0.1';

/**
 * `--stack compose`: docker-compose.gpu.yml (real TGI), or with docker-compose.sim.yml (the
 * simulator), through testcontainers' DockerComposeEnvironment. Replicas are the file's: two agents,
 * one model server.
 */
export const composeStackOptionsSchema = containerStackOptionsSchema
  .pick({
    modelServer: true,
    profile: true,
    loadTimeSec: true,
    maxConcurrentRequests: true,
    sticky: true,
    seed: true,
    agentLogLevel: true,
    toolsLatencyScale: true,
    healthCheckIntervalMs: true,
    startTimeoutMs: true,
    stopGraceMs: true,
    tgi: true,
    images: true,
    repoRoot: true,
    tenants: true,
    onProgress: true,
  })
  .extend({
    agentReplicas: z
      .literal(2, { errorMap: () => ({ message: 'the compose file runs 2 agent replicas' }) })
      .default(2),
    modelReplicas: z
      .literal(1, { errorMap: () => ({ message: 'the compose file runs 1 model server' }) })
      .default(1),
    /** Compose v1 (`docker-compose`) or v2 (`docker compose`); default: whichever runs here. */
    composeExecutable: z
      .object({ standalone: z.boolean(), executablePath: z.string().min(1).optional() })
      .strict()
      .optional(),
  })
  .strict();

export type ComposeStackOptionsInput = z.input<typeof composeStackOptionsSchema>;
export type ComposeStackOptions = z.output<typeof composeStackOptionsSchema>;

/** Compose v1 names containers <project>_<service>_1, v2 <project>-<service>-1 (testcontainers strips the project). */
export function containerNames(project: string, service: string): string[] {
  return [`${project}_${service}_1`, `${service}-1`];
}

export interface ComposeService {
  service: string;
  id: string;
  kind: ComponentKind;
  port: number;
  url: string;
  probe: () => Promise<boolean>;
  readyLog: RegExp | null;
}

export function composeServices(options: ComposeStackOptions, ports: ComposePorts): ComposeService[] {
  const http = (port: number) => `http://${host}:${port}`;
  const model = options.modelServer === 'tgi' ? 'tgi' : 'model-sim';
  return [
    {
      service: 'redis',
      id: 'redis',
      kind: 'redis',
      port: ports.redis,
      url: `redis://${host}:${ports.redis}`,
      probe: redisProbe(host, ports.redis),
      readyLog: redisReadyLine,
    },
    {
      service: 'tools',
      id: 'tools',
      kind: 'tools',
      port: ports.tools,
      url: http(ports.tools),
      probe: httpProbe(host, ports.tools, '/health'),
      readyLog: listeningLine,
    },
    {
      service: model,
      id: 'model-0',
      kind: 'model',
      port: ports.model,
      url: http(ports.model),
      probe: httpProbe(host, ports.model, '/health'),
      readyLog: options.modelServer === 'tgi' ? tgiReadyLine : listeningLine,
    },
    {
      service: 'agent-0',
      id: 'agent-0',
      kind: 'agent',
      port: ports.agent0,
      url: http(ports.agent0),
      probe: httpProbe(host, ports.agent0, '/healthz'),
      readyLog: listeningLine,
    },
    {
      service: 'agent-1',
      id: 'agent-1',
      kind: 'agent',
      port: ports.agent1,
      url: http(ports.agent1),
      probe: httpProbe(host, ports.agent1, '/healthz'),
      readyLog: listeningLine,
    },
    {
      service: 'haproxy',
      id: 'haproxy',
      kind: 'haproxy',
      port: ports.agentFrontend,
      url: http(ports.agentFrontend),
      probe: httpProbe(host, ports.agentFrontend, '/readyz'),
      readyLog: null,
    },
  ];
}

export function parseComposeStackOptions(input: ComposeStackOptionsInput): ComposeStackOptions {
  const parsed = composeStackOptionsSchema.safeParse(input);
  if (!parsed.success) {
    throw new InvalidConfigError(
      'compose stack options',
      zodIssues(parsed.error),
      'Fix the values listed above; for other replica counts use --stack containers.',
    );
  }
  return Object.freeze(parsed.data);
}

/** The compose file's variables that carry options (images, model, timings); ports come separately. */
export function composeVariables(
  options: ComposeStackOptions,
  run: { app: string; bases: BaseImages; loadTimeSec: number },
): Record<string, string> {
  const { tgi } = options;
  return {
    AGENTLOAD_AGENT_IMAGE: run.app,
    AGENTLOAD_TOOLS_IMAGE: run.app,
    AGENTLOAD_MODEL_SERVER_IMAGE: run.app,
    AGENTLOAD_NODE_BASE_IMAGE: run.bases.node,
    AGENTLOAD_REDIS_IMAGE: run.bases.redis,
    AGENTLOAD_HAPROXY_IMAGE: run.bases.haproxy,
    AGENTLOAD_TGI_IMAGE: tgi.image,
    AGENTLOAD_MODEL_ID: tgi.modelId,
    AGENTLOAD_PROFILE: options.profile,
    AGENTLOAD_SEED: String(options.seed),
    AGENTLOAD_LOAD_TIME_SEC: String(run.loadTimeSec),
    AGENTLOAD_MAX_CONCURRENT_REQUESTS: String(options.maxConcurrentRequests ?? 128),
    AGENTLOAD_TOOLS_LATENCY_SCALE: String(options.toolsLatencyScale),
    AGENTLOAD_AGENT_LOG_LEVEL: options.agentLogLevel,
    ...(tgi.hfToken === null ? {} : { HF_TOKEN: tgi.hfToken }),
    ...(tgi.weightsDir === null ? {} : { AGENTLOAD_TGI_DATA_DIR: tgi.weightsDir }),
  };
}
