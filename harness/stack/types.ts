/** What every stack provider (local, containers, compose, external) hands the engine. */
export interface Tenant {
  name: string;
  apiKey: string;
}

export type ComponentKind = 'agent' | 'model' | 'redis' | 'tools' | 'haproxy';

export interface ComponentInfo {
  /** Stable id, e.g. 'agent-0', 'model-1', 'redis', 'tools', 'haproxy-agent'. */
  id: string;
  kind: ComponentKind;
  url: string;
  pid: number | null;
  state: 'running' | 'paused' | 'stopped' | 'loading';
}

export interface StackControl {
  list(): ComponentInfo[];
  kill(id: string): Promise<void>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /** Starts the component again; model servers reload (cold start) for `loadTimeSec`. */
  restart(id: string, options?: { loadTimeSec?: number }): Promise<void>;
  addReplica(kind: 'agent' | 'model', options?: { loadTimeSec?: number }): Promise<ComponentInfo>;
  removeReplica(id: string): Promise<void>;
}

export interface StackHandle {
  kind: 'local' | 'containers' | 'compose' | 'external';
  agentUrl: string;
  /** Load balancer in front of the model servers (or the only one). */
  modelUrl: string;
  modelUrls: string[];
  toolsUrl: string | null;
  redisUrl: string | null;
  /** URLs whose /metrics the engine scrapes. */
  metricsUrls: { id: string; kind: ComponentKind; url: string }[];
  tenants: Tenant[];
  /** Admin token for the model server's and tools service's fault APIs. */
  adminToken: string | null;
  profile: string;
  /** The GPU simulator, real TGI, or unknown (an external deployment); absent means the simulator. */
  modelServer?: 'sim' | 'tgi' | 'unknown';
  gpusPerModelReplica: number;
  inMemoryState: boolean;
  control: StackControl;
  stop(): Promise<void>;
}
