import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import {
  EnvVar,
  Namespace,
  PersistentVolumeClaim,
  ResourceRequirements,
  Secret,
  Service,
  Volume,
  VolumeMount,
} from 'kubernetes-models/v1';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { readPlan, valuesFromPlan } from '../../deploy/k8s/plan-values.ts';
import { manifestObjects, renderManifests, writeManifests } from '../../deploy/k8s/render.ts';
import { testRunSchema, type TestRun } from '../../deploy/k8s/testrun.ts';
import { loadValues, type Values } from '../../deploy/k8s/values.ts';
import { InvalidConfigError } from '../../harness/errors.ts';
import { runPlan } from '../../planner/run-plan.ts';
import { agentConfigSchema } from '../../reference-service/agent/config.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const fixture = (name: string): string => join(import.meta.dirname, 'fixtures', name);

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string }; spec?: unknown };

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};

/** Validates one object against its Kubernetes schema (or the k6-operator CRD); returns problems. */
function problemsOf(o: K8sObject): string[] {
  if (o.kind === 'TestRun') {
    const parsed = testRunSchema.safeParse(o);
    if (!parsed.success) return parsed.error.issues.map((i) => `TestRun ${i.path.join('.')}: ${i.message}`);
    const runner = parsed.data.spec.runner!;
    const parts: [new (d: never) => { validate(): void }, unknown[]][] = [
      [EnvVar, runner.env ?? []],
      [Volume, runner.volumes ?? []],
      [VolumeMount, runner.volumeMounts ?? []],
      [ResourceRequirements, [runner.resources ?? {}]],
    ];
    return parts.flatMap(([Model, items]) =>
      items.flatMap((item) => validate(Model, item, 'TestRun runner')),
    );
  }
  const Model = MODELS[`${o.apiVersion}/${o.kind}`];
  if (!Model) return [`no Kubernetes model for ${o.apiVersion} ${o.kind}`];
  return validate(Model, o, `${o.kind} ${o.metadata.name}`);
}

function validate(Model: new (d: never) => { validate(): void }, data: unknown, label: string): string[] {
  try {
    new Model(data as never).validate();
    return [];
  } catch (error) {
    return [`${label}: ${(error as Error).message}`];
  }
}

const objectsOf = (v: Values): K8sObject[] => Object.values(manifestObjects(v)).flat() as K8sObject[];
/** Manifest objects are read field by field below; their shapes were checked by problemsOf. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;
const find = (objects: K8sObject[], kind: string, name: string): Loose =>
  objects.find((o) => o.kind === kind && o.metadata.name === name) as Loose;

let tmp: string | null = null;
afterEach(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
  tmp = null;
});

describe('the Kubernetes manifests from the default values', () => {
  it('validate against the Kubernetes schemas (and the TestRun against the k6-operator CRD)', async () => {
    const objects = objectsOf(await loadValues());
    expect(objects.map((o) => o.kind).sort()).toEqual(
      [
        'Deployment',
        'Deployment',
        'Deployment',
        'HorizontalPodAutoscaler',
        'Namespace',
        'NetworkPolicy',
        'PersistentVolumeClaim',
        'PodDisruptionBudget',
        'PodDisruptionBudget',
        'Secret',
        'Service',
        'Service',
        'Service',
        'Service',
        'StatefulSet',
        'TestRun',
      ].sort(),
    );
    expect(objects.flatMap(problemsOf)).toEqual([]);
    // The check bites: a container without a name, a TestRun without parallelism.
    const broken = structuredClone(find(objects, 'Deployment', 'agentload-agent'));
    delete broken.spec.template.spec.containers[0].name;
    expect(problemsOf(broken as K8sObject)).toHaveLength(1);
    const run = structuredClone(find(objects, 'TestRun', 'agentload-steady-state'));
    delete run.spec.parallelism;
    expect(problemsOf(run as K8sObject)).not.toEqual([]);
  });

  it('are what deploy/k8s/manifests holds (regenerate with `agentload deploy k8s`)', async () => {
    const rendered = renderManifests(await loadValues());
    const dir = join(ROOT, 'deploy/k8s/manifests');
    expect((await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort()).toEqual(
      Object.keys(rendered).sort(),
    );
    for (const [file, text] of Object.entries(rendered)) {
      const committed = parseAllDocuments(await readFile(join(dir, file), 'utf8')).map((d) => d.toJS());
      expect(committed, file).toEqual(parseAllDocuments(text).map((d) => d.toJS()));
    }
  });

  it('probe the agent on /readyz and /healthz and autoscale it between 2 and 10 replicas', async () => {
    const objects = objectsOf(await loadValues());
    const container = find(objects, 'Deployment', 'agentload-agent').spec.template.spec.containers[0];
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(find(objects, 'HorizontalPodAutoscaler', 'agentload-agent').spec).toMatchObject({
      minReplicas: 2,
      maxReplicas: 10,
    });
    expect(find(objects, 'PodDisruptionBudget', 'agentload-agent').spec.minAvailable).toBe(1);
  });

  it('keeps Redis on a volume with the append-only file, and gives TGI its GPU and shared memory', async () => {
    const objects = objectsOf(await loadValues());
    const redis = find(objects, 'StatefulSet', 'agentload-redis').spec;
    expect(redis.template.spec.containers[0].args).toEqual(
      expect.arrayContaining(['--appendonly', 'yes', '--appendfsync', 'everysec']),
    );
    expect(redis.volumeClaimTemplates[0].metadata.name).toBe('data');
    const tgi = find(objects, 'Deployment', 'agentload-model').spec.template.spec;
    expect(tgi.containers[0].resources.limits['nvidia.com/gpu']).toBe(1);
    expect(tgi.volumes).toContainEqual({ name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } });
  });

  it("limits the agent's egress to the model server, tools, Redis and DNS", async () => {
    const policy = find(objectsOf(await loadValues()), 'NetworkPolicy', 'agentload-agent').spec;
    expect(policy.policyTypes).toEqual(['Ingress', 'Egress']);
    const destinations = policy.egress.map(
      (rule: { to: { podSelector: { matchLabels: Record<string, string> } }[]; ports: { port: number }[] }) =>
        `${rule.to[0]!.podSelector.matchLabels['app.kubernetes.io/name'] ?? rule.to[0]!.podSelector.matchLabels['k8s-app']}:${rule.ports.map((p) => p.port).join('/')}`,
    );
    expect(destinations).toEqual([
      'agentload-model:80',
      'agentload-tools:8090',
      'agentload-redis:6379',
      'kube-dns:53/53',
    ]);
  });

  it("gives the agent a config its own schema accepts, holding only the keys' hashes", async () => {
    const values = await loadValues();
    const secret = find(objectsOf(values), 'Secret', 'agentload-secrets');
    const config = agentConfigSchema.parse(parseYaml(secret.stringData['agent.yaml']));
    const key = values.secrets.apiKeys['default']!;
    expect(config.tenants[0]!.keyHashes).toEqual([createHash('sha256').update(key).digest('hex')]);
    expect(secret.stringData['agent.yaml']).not.toContain(key);
    expect(secret.stringData['api-keys']).toBe(`default=${key}`);
  });

  it('runs the exported script from a ConfigMap over parallel runners that each keep their own output', async () => {
    const run = find(
      objectsOf(await loadValues()),
      'TestRun',
      'agentload-steady-state',
    ) as unknown as TestRun;
    expect(run.spec.parallelism).toBe(2);
    expect(run.spec.script).toEqual({
      configMap: { name: 'agentload-k6-script', file: 'steady-state.k6.js' },
    });
    expect(run.spec.runner?.env).toContainEqual({ name: 'K6_NO_THRESHOLDS', value: 'true' });
    expect(run.spec.runner?.volumeMounts).toEqual([
      { name: 'results', mountPath: '/results', subPathExpr: '$(POD_NAME)' },
    ]);
  });
});

describe('values from a capacity plan', () => {
  it('land in the manifests: replicas, GPUs, TGI limits, agent floor, in-flight cap and tenant limits', async () => {
    const plan = await readPlan(fixture('plan.json'));
    const overlay = valuesFromPlan(plan);
    expect(overlay).toEqual({
      model: {
        replicas: 6,
        gpusPerReplica: 2,
        profile: 'llama-3.1-8b@h100',
        maxConcurrentRequests: 48,
        maxBatchPrefillTokens: 6144,
      },
      agent: {
        minReplicas: 5,
        maxReplicas: 10,
        maxInFlight: 96,
        tenants: {
          acme: { requestsPerMin: 1441, tokensPerMin: 720001 },
          globex: { requestsPerMin: 960, tokensPerMin: 480000 },
        },
      },
    });
    const values = await loadValues(fixture('keys.yaml'), overlay);
    const objects = objectsOf(values);
    expect(objects.flatMap(problemsOf)).toEqual([]);
    const model = find(objects, 'Deployment', 'agentload-model').spec;
    expect(model.replicas).toBe(6);
    const tgi = model.template.spec.containers[0];
    expect(tgi.resources.limits['nvidia.com/gpu']).toBe(2);
    expect(tgi.args.join(' ')).toContain(
      '--num-shard 2 --max-concurrent-requests 48 --max-batch-prefill-tokens 6144',
    );
    expect(find(objects, 'HorizontalPodAutoscaler', 'agentload-agent').spec).toMatchObject({
      minReplicas: 5,
      maxReplicas: 10,
    });
    const config = parseYaml(find(objects, 'Secret', 'agentload-secrets').stringData['agent.yaml']);
    expect(config.caps.maxInFlight).toBe(96);
    expect(config.tenants.map((t: { name: string; limits: object }) => [t.name, t.limits])).toEqual([
      ['acme', { requestsPerMin: 1441, tokensPerMin: 720001 }],
      ['globex', { requestsPerMin: 960, tokensPerMin: 480000 }],
    ]);
  });

  it('carry a plan the planner really wrote into valid manifests', async () => {
    const { plan } = runPlan({
      from: [join(ROOT, 'test/planner/fixtures/sweeps')],
      agentFrom: [],
      demandFile: join(ROOT, 'test/planner/fixtures/demand.yaml'),
      demandFlags: {},
      policyFlags: {},
    });
    tmp = await mkdtemp(join(tmpdir(), 'agentload-deploy-'));
    const keys = plan.rateLimits.tenants.map((t) => `    ${t.name}: ${t.name}-key-0123`).join('\n');
    await writeFile(join(tmp, 'keys.yaml'), `secrets:\n  apiKeys:\n${keys}\n`);
    const objects = objectsOf(await loadValues(join(tmp, 'keys.yaml'), valuesFromPlan(plan)));
    expect(objects.flatMap(problemsOf)).toEqual([]);
    const option = plan.options[plan.recommended!]!;
    expect(find(objects, 'Deployment', 'agentload-model').spec.replicas).toBe(option.totals.replicas);
    const args: string[] = find(objects, 'Deployment', 'agentload-model').spec.template.spec.containers[0]
      .args;
    expect(args[args.indexOf('--max-concurrent-requests') + 1]).toBe(
      String(plan.settings!.maxConcurrentRequests),
    );
    const config = parseYaml(find(objects, 'Secret', 'agentload-secrets').stringData['agent.yaml']);
    expect(config.tenants.map((t: { name: string }) => t.name)).toEqual(
      plan.rateLimits.tenants.map((t) => t.name),
    );
  });

  it('says which plan tenants have no API key rather than deploying them without one', async () => {
    const overlay = valuesFromPlan(await readPlan(fixture('plan.json')));
    const attempt = loadValues(undefined, overlay);
    await expect(attempt).rejects.toBeInstanceOf(InvalidConfigError);
    await expect(attempt).rejects.toThrow(/secrets\.apiKeys\.acme: tenant "acme" has limits but no API key/);
  });

  it('refuses a file that is not a plan', async () => {
    tmp = await mkdtemp(join(tmpdir(), 'agentload-deploy-'));
    await writeFile(join(tmp, 'x.json'), '{"kind":"agentload.summary"}');
    await expect(readPlan(join(tmp, 'x.json'))).rejects.toThrow(/not a capacity plan/);
  });
});

describe('loadValues', () => {
  it('lists every bad value with its path', async () => {
    tmp = await mkdtemp(join(tmpdir(), 'agentload-deploy-'));
    const file = join(tmp, 'bad.yaml');
    await writeFile(file, 'agent:\n  minReplicas: 4\n  maxReplicas: 3\nmodel:\n  server: vllm\n');
    const attempt = loadValues(file);
    await expect(attempt).rejects.toThrow(/model\.server/);
    await expect(
      loadValues(file).catch((e: InvalidConfigError) => e.issues.map((i) => i.path)),
    ).resolves.toEqual(['model.server']);
  });

  it('writes the manifests where it is told', async () => {
    tmp = await mkdtemp(join(tmpdir(), 'agentload-deploy-'));
    const written = await writeManifests(await loadValues(), join(tmp, 'out'));
    expect(written).toHaveLength(8);
    expect(await readFile(written[0]!, 'utf8')).toMatch(/^# Generated by `agentload deploy k8s`/);
  });
});
