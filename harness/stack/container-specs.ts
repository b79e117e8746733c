import type { ContainerSpec } from './container-component.ts';
import type { TgiOptions } from './container-options.ts';
import { httpStatus } from './readiness.ts';
import { redisProbe, redisReadyLine, redisServerArgs } from './redis-server.ts';

/** What every app container shares: the image, the host its ports bind, the start deadline. */
export interface AppContext {
  host: string;
  appImage: string;
  startTimeoutMs: number;
}

/** The line `agentload agent|tools|model-server` prints once it serves. */
export const listeningLine = /"event":"listening"/;
/** TGI's router logs this once its shards have loaded; /health answers 200 from then on. */
export const tgiReadyLine = /Connected/;

export function httpProbe(host: string, port: number, path: string): () => Promise<boolean> {
  return async () => (await httpStatus(`http://${host}:${port}${path}`)) === 200;
}

/** An agentload CLI command in the app image; Docker's HEALTHCHECK reads AGENTLOAD_HEALTH_URL. */
function appSpec(
  ctx: AppContext,
  port: number,
  healthPath: string,
  command: string[],
  extraMs = 0,
): ContainerSpec {
  return {
    image: ctx.appImage,
    command,
    env: { AGENTLOAD_HEALTH_URL: `http://${ctx.host}:${port}${healthPath}` },
    readyLog: listeningLine,
    probe: httpProbe(ctx.host, port, healthPath),
    startupTimeoutMs: ctx.startTimeoutMs + extraMs,
  };
}

/** The AOF lives in the container's /data. */
export function redisSpec(ctx: AppContext, image: string, port: number): ContainerSpec {
  return {
    image,
    command: ['redis-server', ...redisServerArgs(ctx.host, port, '/data')],
    readyLog: redisReadyLine,
    probe: redisProbe(ctx.host, port),
    startupTimeoutMs: ctx.startTimeoutMs,
  };
}

export function toolsSpec(
  ctx: AppContext,
  port: number,
  o: { seed: number; latencyScale: number; adminToken: string },
): ContainerSpec {
  return appSpec(ctx, port, '/health', [
    'tools',
    '--port',
    String(port),
    '--host',
    ctx.host,
    '--seed',
    String(o.seed),
    '--admin-token',
    o.adminToken,
    '--latency-scale',
    String(o.latencyScale),
  ]);
}

export interface SimModelSettings {
  /** A shipped profile name, or a file: its JSON is copied into the container. */
  profile: { name: string; json: string | null };
  seed: number;
  loadTimeSec: number;
  maxConcurrentRequests: number | undefined;
  adminToken: string;
}

export const profileFileInContainer = '/tmp/agentload-profile.json';

/** The GPU simulator; the model's cold start extends its deadline. */
export function simModelSpec(ctx: AppContext, port: number, s: SimModelSettings): ContainerSpec {
  const profileArg = s.profile.json === null ? s.profile.name : profileFileInContainer;
  const command = [
    'model-server',
    '--port',
    String(port),
    '--host',
    ctx.host,
    '--profile',
    profileArg,
    '--seed',
    String(s.seed),
    '--load-time-sec',
    String(s.loadTimeSec),
  ];
  if (s.maxConcurrentRequests !== undefined) {
    command.push('--max-concurrent-requests', String(s.maxConcurrentRequests));
  }
  const spec = appSpec(ctx, port, '/health', command, s.loadTimeSec * 1000);
  // By env, the token stays out of the container's process list.
  spec.env = { ...spec.env, AGENTLOAD_MODEL_SERVER_ADMIN_TOKEN: s.adminToken };
  if (s.profile.json !== null) spec.files = [{ content: s.profile.json, target: profileFileInContainer }];
  return spec;
}

/**
 * Real TGI on NVIDIA GPUs (TGI's README: `--gpus all --shm-size 1g -v $volume:/data`), ready when the
 * router logs "Connected" after the shards loaded; /health answers 200 from then on.
 */
export function tgiSpec(
  host: string,
  port: number,
  tgi: TgiOptions,
  maxConcurrentRequests: number | undefined,
): ContainerSpec {
  const command = ['--model-id', tgi.modelId, '--hostname', host, '--port', String(port)];
  if (typeof tgi.gpus === 'number' && tgi.gpus > 1) command.push('--num-shard', String(tgi.gpus));
  if (maxConcurrentRequests !== undefined) {
    command.push('--max-concurrent-requests', String(maxConcurrentRequests));
  }
  command.push(...tgi.extraArgs);
  return {
    image: tgi.image,
    command,
    env: tgi.hfToken === null ? {} : { HF_TOKEN: tgi.hfToken },
    readyLog: tgiReadyLine,
    probe: httpProbe(host, port, '/health'),
    startupTimeoutMs: tgi.startTimeoutMs,
    gpus: tgi.gpus,
    shmSizeBytes: tgi.shmSizeBytes,
    ...(tgi.weightsDir === null ? {} : { binds: [{ source: tgi.weightsDir, target: '/data' }] }),
  };
}

export function agentSpec(
  ctx: AppContext,
  port: number,
  a: { id: string; modelUrl: string; toolsUrl: string; redisUrl: string; logLevel: string },
): ContainerSpec {
  return appSpec(ctx, port, '/healthz', [
    'agent',
    '--port',
    String(port),
    '--host',
    ctx.host,
    '--replica-id',
    a.id,
    '--model-url',
    a.modelUrl,
    '--tools-url',
    a.toolsUrl,
    '--redis-url',
    a.redisUrl,
    '--log-level',
    a.logLevel,
  ]);
}
