import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DependencyMissingError } from '../errors.ts';
import { agentAndModelProxies, renderHaproxyConfig } from './haproxy-config.ts';

const execFileAsync = promisify(execFile);

/** The compose files at the repository root: TGI on GPUs, and the override that swaps in the simulator. */
export const composeFiles = { gpu: 'docker-compose.gpu.yml', sim: 'docker-compose.sim.yml' } as const;

/** The compose file's committed HAProxy config (for the default ports), relative to the root. */
export const defaultHaproxyConfigPath = 'reference-service/docker/haproxy/haproxy.cfg';

export function composeFilesFor(modelServer: 'sim' | 'tgi'): string[] {
  return modelServer === 'sim' ? [composeFiles.gpu, composeFiles.sim] : [composeFiles.gpu];
}

/** Every port of the compose stack; each one an AGENTLOAD_*_PORT variable of the compose file. */
export interface ComposePorts {
  agentFrontend: number;
  agent0: number;
  agent1: number;
  modelFrontend: number;
  model: number;
  tools: number;
  redis: number;
  stats: number;
}

/** The compose file's defaults (`${AGENTLOAD_..._PORT:-default}`). */
export const defaultComposePorts: Readonly<ComposePorts> = Object.freeze({
  agentFrontend: 8080,
  agent0: 8081,
  agent1: 8082,
  modelFrontend: 8090,
  model: 3000,
  tools: 8070,
  redis: 6390,
  stats: 8404,
});

export function composePortVariables(ports: ComposePorts): Record<string, string> {
  return {
    AGENTLOAD_AGENT_LB_PORT: String(ports.agentFrontend),
    AGENTLOAD_AGENT0_PORT: String(ports.agent0),
    AGENTLOAD_AGENT1_PORT: String(ports.agent1),
    AGENTLOAD_MODEL_LB_PORT: String(ports.modelFrontend),
    AGENTLOAD_MODEL_PORT: String(ports.model),
    AGENTLOAD_TOOLS_PORT: String(ports.tools),
    AGENTLOAD_REDIS_PORT: String(ports.redis),
    AGENTLOAD_HAPROXY_STATS_PORT: String(ports.stats),
  };
}

/**
 * HAProxy's config for the compose stack, from the same generator as the local and container stacks
 * (harness/stack/haproxy-config.ts). The committed default file is this for defaultComposePorts
 * (a test keeps them equal); `--stack compose` writes one per run for the ports it picked.
 */
export function composeHaproxyConfig(
  ports: ComposePorts,
  options: { healthCheckIntervalMs?: number; sticky?: boolean } = {},
): string {
  const host = '127.0.0.1';
  return renderHaproxyConfig({
    proxies: agentAndModelProxies({
      host,
      agentFrontend: ports.agentFrontend,
      modelFrontend: ports.modelFrontend,
      agents: [
        { id: 'agent-0', host, port: ports.agent0 },
        { id: 'agent-1', host, port: ports.agent1 },
      ],
      models: [{ id: 'model-0', host, port: ports.model }],
      sticky: options.sticky ?? false,
    }),
    stats: { host, port: ports.stats },
    stateFile: '/tmp/agentload-haproxy-servers.state',
    healthCheckIntervalMs: options.healthCheckIntervalMs ?? 1_000,
    streamIdleTimeoutMs: 10 * 60_000,
    hardStopAfterMs: 30_000,
  });
}

export interface ComposeExecutable {
  /** true: Compose v1 (`docker-compose`); false: the v2 plugin (`docker compose`). */
  standalone: boolean;
  executablePath?: string;
}

/** Compose v2 (`docker compose`) when the CLI has it, else v1 (`docker-compose`, Debian 12's). */
export async function detectComposeExecutable(): Promise<ComposeExecutable> {
  try {
    await execFileAsync('docker', ['compose', 'version'], { timeout: 15_000 });
    return { standalone: false };
  } catch {
    // no v2 plugin
  }
  try {
    await execFileAsync('docker-compose', ['version'], { timeout: 15_000 });
    return { standalone: true };
  } catch {
    throw new DependencyMissingError('neither `docker compose` (v2) nor `docker-compose` (v1) runs here', {
      hint: 'Install Compose (Debian/Ubuntu: apt-get install docker-compose; Docker Desktop ships v2).',
    });
  }
}

/**
 * `docker compose config` (or v1's) on the given files: the normalized YAML, or the error it printed.
 * `env`: the whole environment for interpolation; default this process's.
 */
export async function composeConfig(
  repoRoot: string,
  files: readonly string[],
  executable: ComposeExecutable,
  env?: Record<string, string | undefined>,
): Promise<{ ok: boolean; output: string }> {
  const fileArgs = files.flatMap((f) => ['-f', f]);
  const [command, args] = executable.standalone
    ? [executable.executablePath ?? 'docker-compose', [...fileArgs, 'config']]
    : [executable.executablePath ?? 'docker', ['compose', ...fileArgs, 'config']];
  try {
    const { stdout } = await execFileAsync(command, args, {
      cwd: repoRoot,
      ...(env === undefined ? {} : { env }),
      timeout: 60_000,
    });
    return { ok: true, output: stdout };
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    return { ok: false, output: e.stderr?.trim() || e.message };
  }
}
