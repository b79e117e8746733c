/**
 * The reference stack's workloads: agent (Deployment, probes on /readyz and /healthz), model server
 * (TGI on nvidia.com/gpu, or the simulator), tools, Redis (StatefulSet, append-only file on a
 * volume), the Secret with keys and the agent's config, and the Services in front of them.
 * Object shapes are typed with kubernetes-models (type-only: nothing of it runs here).
 */
import { createHash } from 'node:crypto';
import type { IDeployment, IStatefulSet } from 'kubernetes-models/apps/v1';
import type { IContainer, INamespace, ISecret, IService, IVolume } from 'kubernetes-models/v1';
import { stringify } from 'yaml';
import type { Values } from './values.ts';

export const NAMES = {
  agent: 'agentload-agent',
  model: 'agentload-model',
  tools: 'agentload-tools',
  redis: 'agentload-redis',
  secret: 'agentload-secrets',
} as const;
export const PORTS = { agent: 8080, model: 80, tools: 8090, redis: 6379, simContainer: 8000 } as const;

type Component = keyof typeof NAMES;

export function labels(component: Component | 'k6'): Record<string, string> {
  return { 'app.kubernetes.io/name': `agentload-${component}`, 'app.kubernetes.io/part-of': 'agentload' };
}

const meta = (v: Values, name: string, component: Component | 'k6') => ({
  name,
  namespace: v.namespace,
  labels: labels(component),
});

export function namespace(v: Values): INamespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: v.namespace, labels: { 'app.kubernetes.io/part-of': 'agentload' } },
  };
}

function service(v: Values, component: Component, port: number, headless = false): IService {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(v, NAMES[component], component),
    spec: {
      ...(headless ? { clusterIP: 'None' } : {}),
      selector: labels(component),
      ports: [
        {
          name: component === 'redis' ? 'redis' : 'http',
          port,
          targetPort: component === 'redis' ? 'redis' : 'http',
        },
      ],
    },
  };
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const svc = (v: Values, component: Component, port: number): string =>
  `${NAMES[component]}.${v.namespace}.svc.cluster.local:${port}`;

/** The agent's config file (reference-service/agent/config.ts): key hashes only, never keys. */
export function agentConfig(v: Values): Record<string, unknown> {
  return {
    model: { baseUrl: `http://${svc(v, 'model', PORTS.model)}`, name: 'tgi' },
    tools: { baseUrl: `http://${svc(v, 'tools', PORTS.tools)}` },
    redis: { url: `redis://${svc(v, 'redis', PORTS.redis)}` },
    tenants: Object.entries(v.agent.tenants).map(([name, limits]) => ({
      name,
      keyHashes: [sha256(v.secrets.apiKeys[name]!)],
      limits,
    })),
    caps: { maxInFlight: v.agent.maxInFlight },
  };
}

export function secret(v: Values): ISecret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta(v, NAMES.secret, 'agent'),
    type: 'Opaque',
    stringData: {
      'agent.yaml': stringify(agentConfig(v)),
      // For the k6 runners: AGENTLOAD_API_KEYS=tenant=key,...
      'api-keys': Object.entries(v.secrets.apiKeys)
        .map(([tenant, key]) => `${tenant}=${key}`)
        .join(','),
      'hf-token': v.secrets.hfToken,
    },
  };
}

function deployment(
  v: Values,
  component: Component,
  replicas: number,
  pod: { containers: IContainer[]; volumes?: IVolume[] },
): IDeployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(v, NAMES[component], component),
    spec: {
      replicas,
      selector: { matchLabels: labels(component) },
      template: {
        metadata: { labels: labels(component) },
        spec: { terminationGracePeriodSeconds: 30, ...pod },
      },
    },
  };
}

const httpProbe = (path: string, periodSeconds: number, failureThreshold: number) => ({
  httpGet: { path, port: 'http' },
  periodSeconds,
  failureThreshold,
});

export function agent(v: Values): object[] {
  const container: IContainer = {
    name: 'agent',
    image: v.images.agentload,
    workingDir: '/app',
    command: ['node', 'bin/agentload.js', 'agent', '--host', '0.0.0.0', '--port', String(PORTS.agent)],
    args: ['--config', '/etc/agentload/agent.yaml'],
    env: [{ name: 'AGENTLOAD_REPLICA_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
    ports: [{ name: 'http', containerPort: PORTS.agent }],
    readinessProbe: httpProbe('/readyz', 5, 2),
    livenessProbe: { ...httpProbe('/healthz', 10, 3), initialDelaySeconds: 10 },
    resources: v.agent.resources,
    volumeMounts: [{ name: 'config', mountPath: '/etc/agentload', readOnly: true }],
  };
  const volumes = [
    {
      name: 'config',
      secret: { secretName: NAMES.secret, items: [{ key: 'agent.yaml', path: 'agent.yaml' }] },
    },
  ];
  return [
    service(v, 'agent', PORTS.agent),
    deployment(v, 'agent', v.agent.minReplicas, { containers: [container], volumes }),
  ];
}

function tgiContainer(v: Values): IContainer {
  const m = v.model;
  return {
    name: 'tgi',
    image: v.images.tgi,
    args: [
      '--model-id',
      m.modelId,
      '--port',
      String(PORTS.model),
      '--num-shard',
      String(m.gpusPerReplica),
      '--max-concurrent-requests',
      String(m.maxConcurrentRequests),
      '--max-batch-prefill-tokens',
      String(m.maxBatchPrefillTokens),
    ],
    env: [
      {
        name: 'HF_TOKEN',
        valueFrom: { secretKeyRef: { name: NAMES.secret, key: 'hf-token', optional: true } },
      },
    ],
    ports: [{ name: 'http', containerPort: PORTS.model }],
    resources: {
      requests: { ...m.resources.requests, 'nvidia.com/gpu': m.gpusPerReplica },
      limits: { ...m.resources.limits, 'nvidia.com/gpu': m.gpusPerReplica },
    },
    volumeMounts: [
      { name: 'shm', mountPath: '/dev/shm' },
      { name: 'data', mountPath: '/data' },
    ],
  };
}

function simContainer(v: Values): IContainer {
  const m = v.model;
  return {
    name: 'model-server',
    image: v.images.agentload,
    workingDir: '/app',
    command: [
      'node',
      'bin/agentload.js',
      'model-server',
      '--host',
      '0.0.0.0',
      '--port',
      String(PORTS.simContainer),
    ],
    args: [
      '--profile',
      m.profile,
      '--max-concurrent-requests',
      String(m.maxConcurrentRequests),
      '--max-batch-prefill-tokens',
      String(m.maxBatchPrefillTokens),
    ],
    ports: [{ name: 'http', containerPort: PORTS.simContainer }],
    resources: { requests: { cpu: '1', memory: '512Mi' }, limits: { cpu: '2', memory: '1Gi' } },
  };
}

export function modelServer(v: Values): object[] {
  const tgi = v.model.server === 'tgi';
  const base = tgi ? tgiContainer(v) : simContainer(v);
  const container: IContainer = {
    ...base,
    // Weights download and load before /health answers: the startup probe covers it, then liveness.
    startupProbe: httpProbe('/health', 10, Math.ceil(v.model.startupSeconds / 10)),
    readinessProbe: httpProbe('/health', 5, 2),
    livenessProbe: httpProbe('/health', 10, 3),
  };
  const volumes: IVolume[] = tgi
    ? [
        { name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: v.model.shmSize } },
        { name: 'data', emptyDir: {} },
      ]
    : [];
  const dep = deployment(v, 'model', v.model.replicas, { containers: [container], volumes });
  return [service(v, 'model', PORTS.model), dep];
}

export function tools(v: Values): object[] {
  const container: IContainer = {
    name: 'tools',
    image: v.images.agentload,
    workingDir: '/app',
    command: ['node', 'bin/agentload.js', 'tools', '--host', '0.0.0.0', '--port', String(PORTS.tools)],
    ports: [{ name: 'http', containerPort: PORTS.tools }],
    readinessProbe: httpProbe('/health', 5, 2),
    livenessProbe: httpProbe('/health', 10, 3),
    resources: v.tools.resources,
  };
  return [
    service(v, 'tools', PORTS.tools),
    deployment(v, 'tools', v.tools.replicas, { containers: [container] }),
  ];
}

/** One Redis with the append-only file on its volume (fsync per redis.appendfsync): turns survive a restart. */
export function redis(v: Values): object[] {
  const set: IStatefulSet = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: meta(v, NAMES.redis, 'redis'),
    spec: {
      serviceName: NAMES.redis,
      replicas: 1,
      selector: { matchLabels: labels('redis') },
      template: {
        metadata: { labels: labels('redis') },
        spec: {
          containers: [
            {
              name: 'redis',
              image: v.images.redis,
              args: [
                'redis-server',
                '--appendonly',
                'yes',
                '--appendfsync',
                v.redis.appendfsync,
                '--dir',
                '/data',
              ],
              ports: [{ name: 'redis', containerPort: PORTS.redis }],
              readinessProbe: { exec: { command: ['redis-cli', 'ping'] }, periodSeconds: 5 },
              livenessProbe: { tcpSocket: { port: 'redis' }, periodSeconds: 10 },
              resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
            },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: {
            accessModes: ['ReadWriteOnce'],
            ...(v.redis.storageClassName === null ? {} : { storageClassName: v.redis.storageClassName }),
            resources: { requests: { storage: v.redis.storage } },
          },
        },
      ],
    },
  };
  return [service(v, 'redis', PORTS.redis, true), set];
}
