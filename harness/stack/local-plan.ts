import { loadProfile } from '../../reference-service/model-server/profiles.ts';
import type { Profile } from '../../reference-service/model-server/perf-types.ts';
import { DependencyMissingError } from '../errors.ts';
import { findBinary } from './binaries.ts';
import type { LocalStackOptions } from './local-options.ts';

/** What a local stack will run, decided before anything starts (so bad requests fail fast). */
export interface LocalStackPlan {
  agentReplicas: number;
  modelReplicas: number;
  redisBinary: string | null;
  haproxyBinary: string | null;
  /** util-linux setpriv, for --pdeathsig (Linux only). */
  setprivBinary: string | null;
  inMemoryState: boolean;
  warnings: string[];
  profile: Readonly<Profile>;
  loadTimeSec: number;
  gpusPerModelReplica: number;
}

export const inMemoryWarning =
  'redis-server is not installed: the agent keeps sessions and rate limits in memory, runs as ONE replica, ' +
  'and loses every conversation when it restarts. Install it (Debian/Ubuntu: apt-get install redis-server).';
export const noBalancerWarning =
  'haproxy is not installed: no load balancer, one agent and one model replica, and addReplica/removeReplica ' +
  'are unavailable. Install it (Debian/Ubuntu: apt-get install haproxy).';

function resolve(
  override: string | null | undefined,
  name: string,
  searchPath: string | undefined,
): string | null {
  if (override === null) return null;
  return findBinary(override ?? name, searchPath);
}

export function planLocalStack(options: LocalStackOptions): LocalStackPlan {
  const profile = loadProfile(options.profile);
  const { binaries, searchPath } = options;
  const redisBinary = resolve(binaries.redisServer, 'redis-server', searchPath);
  const haproxyBinary = resolve(binaries.haproxy, 'haproxy', searchPath);
  const setprivBinary =
    process.platform === 'linux' ? resolve(binaries.setpriv, 'setpriv', searchPath) : null;
  const agentReplicas = options.agentReplicas ?? (redisBinary !== null && haproxyBinary !== null ? 2 : 1);
  const { modelReplicas } = options;

  if (agentReplicas > 1 && redisBinary === null) {
    throw new DependencyMissingError(
      `${agentReplicas} agent replicas need redis-server (shared sessions and rate limits), and it is not installed`,
      {
        hint: 'Install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis), or run one replica.',
      },
    );
  }
  if ((agentReplicas > 1 || modelReplicas > 1) && haproxyBinary === null) {
    throw new DependencyMissingError(
      `${agentReplicas} agent and ${modelReplicas} model replicas need haproxy in front of them, and it is not installed`,
      {
        hint: 'Install it (Debian/Ubuntu: apt-get install haproxy; macOS: brew install haproxy), or run one replica of each.',
      },
    );
  }
  const warnings: string[] = [];
  if (redisBinary === null) warnings.push(inMemoryWarning);
  if (haproxyBinary === null) warnings.push(noBalancerWarning);
  return {
    agentReplicas,
    modelReplicas,
    redisBinary,
    haproxyBinary,
    setprivBinary,
    inMemoryState: redisBinary === null,
    warnings,
    profile,
    loadTimeSec: options.loadTimeSec ?? profile.loadTimeSec,
    gpusPerModelReplica: profile.tensorParallel,
  };
}
