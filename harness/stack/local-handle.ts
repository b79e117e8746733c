import { join } from 'node:path';
import type { LocalStack } from './local.ts';
import { metricsUrls } from './metrics-urls.ts';
import type { ComponentInfo, ComponentKind, StackHandle, Tenant } from './types.ts';

/** A local stack's handle: the StackHandle contract plus where to look when something goes wrong. */
export interface LocalStackHandle extends StackHandle {
  kind: 'local';
  /** The stack's directory: `logs/<id>.log` per component, `redis/` (AOF), `haproxy/` (config). */
  dir: string;
  /** Shown with every output of the stack (in-memory state, no load balancer). */
  warnings: readonly string[];
  /** Agent replicas now (addReplica/removeReplica change them). */
  readonly replicas: ComponentInfo[];
  readonly modelServers: ComponentInfo[];
  readonly tools: ComponentInfo;
  readonly redis: (ComponentInfo & { dataDir: string }) | null;
  readonly haproxy: (ComponentInfo & { configPath: string; statsUrl: string; modelUrl: string }) | null;
  logFile(id: string): string;
}

/** The StackHandle of a running local stack; URLs and replica lists read the stack live. */
export function buildLocalHandle(stack: LocalStack, tenants: readonly Tenant[]): LocalStackHandle {
  const { plan, options } = stack;
  const infos = (kind: ComponentKind) =>
    stack
      .components()
      .filter((c) => c.kind === kind)
      .map((c) => c.info());
  return {
    kind: 'local',
    get agentUrl() {
      return stack.balancer?.url ?? stack.agents[0]!.url;
    },
    modelUrl: stack.modelUrl,
    get modelUrls() {
      return stack.models.map((m) => m.url);
    },
    toolsUrl: stack.tools.url,
    redisUrl: stack.redis?.url ?? null,
    get metricsUrls() {
      return metricsUrls(stack.components(), `http://${options.host}:${stack.ports.stats}`);
    },
    tenants: [...tenants],
    adminToken: stack.adminToken,
    profile: plan.profile.name,
    gpusPerModelReplica: plan.gpusPerModelReplica,
    inMemoryState: plan.inMemoryState,
    control: stack.control,
    stop: () => stack.stop(),
    dir: stack.registry.dir,
    warnings: [...plan.warnings],
    get replicas() {
      return infos('agent');
    },
    get modelServers() {
      return infos('model');
    },
    get tools() {
      return stack.tools.info();
    },
    get redis() {
      return stack.redis ? { ...stack.redis.info(), dataDir: join(stack.registry.dir, 'redis') } : null;
    },
    get haproxy() {
      const b = stack.balancer;
      if (b === null) return null;
      const statsUrl = `http://${options.host}:${stack.ports.stats}/stats`;
      return { ...b.info(), configPath: b.haproxy.configPath, statsUrl, modelUrl: stack.modelUrl };
    },
    logFile: (id) => join(stack.rt.logDir, `${id}.log`),
  };
}
