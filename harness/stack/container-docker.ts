import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
import { getContainerRuntimeClient, type ContainerRuntimeClient } from 'testcontainers';
import { DependencyMissingError } from '../errors.ts';
import { isProcessAlive, processStartTime } from './process-info.ts';

export type Dockerode = ContainerRuntimeClient['container']['dockerode'];

/**
 * Labels on every container agentload starts (containers and compose stacks alike): cleanup and the
 * tests find them by label, never by name. `owner` (host:pid:start-time of the harness process) lets
 * the next stack start remove the containers of a harness that died without stopping them.
 */
export const projectLabel = 'io.agentload.project';
export const stackLabel = 'io.agentload.stack';
export const componentLabel = 'io.agentload.component';
export const ownerLabel = 'io.agentload.owner';
export const projectName = 'agentload';

export const startDockerHint =
  'Start a Docker engine and point DOCKER_HOST at it. Linux as root without one: ' +
  'apt-get install docker.io docker-compose, then eval "$(scripts/docker/start-dockerd.sh)" ' +
  '(and scripts/docker/seed-base-images.sh when no image registry can be reached).';

/** testcontainers' client for the engine DOCKER_HOST (or the default socket) names. */
export async function dockerClient(): Promise<ContainerRuntimeClient> {
  try {
    return await getContainerRuntimeClient();
  } catch (error) {
    throw new DependencyMissingError(`no Docker engine answers: ${(error as Error).message}`, {
      hint: startDockerHint,
      cause: error,
    });
  }
}

/** Whether an engine answers; the reason when not (tests skip with it outside CI). */
export async function dockerAvailability(): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    const client = await getContainerRuntimeClient();
    await client.container.dockerode.ping();
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

export function ownerId(): string {
  return `${hostname()}:${process.pid}:${processStartTime(process.pid) ?? 'unknown'}`;
}

function ownerAlive(owner: string): boolean {
  const [host, pid, start] = owner.split(':');
  // Another machine's harness (a shared remote engine) is not ours to judge.
  if (host !== hostname()) return true;
  const n = Number(pid);
  if (!Number.isInteger(n) || !isProcessAlive(n)) return false;
  return start === 'unknown' || processStartTime(n) === start;
}

export async function removeContainers(docker: Dockerode, ids: readonly string[]): Promise<void> {
  await Promise.all(
    ids.map(async (id) => {
      try {
        await docker.getContainer(id).remove({ force: true, v: true });
      } catch (error) {
        // 404: already gone; 409: removal already in progress.
        const status = (error as { statusCode?: number }).statusCode;
        if (status !== 404 && status !== 409) throw error;
      }
    }),
  );
}

/** Ids of agentload's containers carrying `label=value` (any state). */
export async function containersLabelled(
  docker: Dockerode,
  label: string,
  value?: string,
): Promise<string[]> {
  const filter = value === undefined ? label : `${label}=${value}`;
  const list = await docker.listContainers({ all: true, filters: { label: [filter] } });
  return list.map((c) => c.Id);
}

/** Removes the containers of stacks whose harness process is gone; returns their names. */
export async function reapOrphanContainers(docker: Dockerode): Promise<string[]> {
  const list = await docker.listContainers({ all: true, filters: { label: [projectLabel] } });
  const orphans = list.filter((c) => {
    const owner = c.Labels[ownerLabel];
    return owner !== undefined && !ownerAlive(owner);
  });
  await removeContainers(
    docker,
    orphans.map((c) => c.Id),
  );
  return orphans.map((c) => c.Names[0]?.replace(/^\//, '') ?? c.Id.slice(0, 12));
}

/** Splits Docker's multiplexed log stream (8-byte frame headers) into text. */
export function demuxLogs(buffer: Buffer): string {
  let text = '';
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const kind = buffer[offset];
    const size = buffer.readUInt32BE(offset + 4);
    if ((kind !== 1 && kind !== 2) || buffer[offset + 1] !== 0) return buffer.toString('utf8');
    text += buffer.subarray(offset + 8, offset + 8 + size).toString('utf8');
    offset += 8 + size;
  }
  return text;
}

/** The last lines a container wrote (stdout and stderr), for error messages; '' when unreadable. */
export async function containerLogTail(docker: Dockerode, id: string, lines = 20): Promise<string> {
  try {
    const raw = (await docker
      .getContainer(id)
      .logs({ stdout: true, stderr: true, tail: lines, follow: false })) as unknown as Buffer;
    return demuxLogs(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw))).trimEnd();
  } catch {
    return '';
  }
}

/**
 * Removes a stack's containers with the docker CLI, synchronously: for process exit, when no event
 * loop is left to talk to the engine. Best effort; what it misses, the next start reaps (owner label).
 */
export function removeStackSync(stackId: string): void {
  try {
    const ids = execFileSync('docker', ['ps', '-aq', '--filter', `label=${stackLabel}=${stackId}`], {
      encoding: 'utf8',
      timeout: 10_000,
    })
      .split('\n')
      .filter(Boolean);
    if (ids.length > 0) execFileSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore', timeout: 20_000 });
  } catch {
    // no CLI or no engine
  }
}
