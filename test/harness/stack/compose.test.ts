import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import smoke from '../../../scenarios/smoke.ts';
import { InvalidConfigError } from '../../../harness/errors.ts';
import { containersLabelled, dockerClient, stackLabel } from '../../../harness/stack/container-docker.ts';
import {
  composeConfig,
  composeFiles,
  composeHaproxyConfig,
  type ComposeExecutable,
  defaultComposePorts,
  defaultHaproxyConfigPath,
  detectComposeExecutable,
} from '../../../harness/stack/compose-files.ts';
import { type ComposeStackHandle, startComposeStack } from '../../../harness/stack/compose.ts';
import { dockerGate } from './docker-gate.ts';
import { runShort } from './run-short.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const gate = await dockerGate('the compose stack tests');
const required = process.env.REQUIRE_DOCKER === '1';
const executable: ComposeExecutable | null = await detectComposeExecutable().catch(() => null);
if (executable === null && !required)
  console.warn('skipping the compose file checks: no docker compose / docker-compose');

interface ComposeService {
  image?: string;
  command?: string[];
  profiles?: string[];
  network_mode?: string;
  shm_size?: string | number;
  volumes?: (string | { source?: string; target: string })[];
  healthcheck?: { test: string[] };
  labels?: Record<string, string>;
  environment?: Record<string, string | null>;
  deploy?: {
    resources: { reservations: { devices: { driver: string; count: number; capabilities: string[] }[] } };
  };
}

async function config(
  files: string[],
  env: Record<string, string> = {},
): Promise<Record<string, ComposeService>> {
  const result = await composeConfig(repoRoot, files, executable!, { ...process.env, ...env });
  expect(result.ok, result.output).toBe(true);
  return (parse(result.output) as { services: Record<string, ComposeService> }).services;
}

describe('the compose files', () => {
  it.runIf(process.env.REQUIRE_DOCKER === '1')(
    'has a Docker engine to run against (REQUIRE_DOCKER=1)',
    () => {
      expect(gate.reason, 'start one: eval "$(scripts/docker/start-dockerd.sh)"').toBeNull();
    },
  );

  it('ship the HAProxy config the shared generator makes for the default ports', () => {
    const committed = readFileSync(join(repoRoot, defaultHaproxyConfigPath), 'utf8');
    // After a change to harness/stack/haproxy-config.ts, regenerate it:
    // npx tsx -e 'import("./harness/stack/compose-files.ts").then((m) => process.stdout.write(
    //   m.composeHaproxyConfig(m.defaultComposePorts)))' > reference-service/docker/haproxy/haproxy.cfg
    expect(committed, `${defaultHaproxyConfigPath} is stale: regenerate it (command above)`).toBe(
      composeHaproxyConfig(defaultComposePorts),
    );
  });

  it.skipIf(executable === null && !required)(
    'validate with compose config: real TGI on a reserved NVIDIA GPU, weights volume, shm and health check',
    async () => {
      const services = await config([composeFiles.gpu], {
        AGENTLOAD_MODEL_ID: 'org/some-model',
        HF_TOKEN: 'hf_test',
      });
      expect(Object.keys(services).sort()).toEqual([
        'agent-0',
        'agent-1',
        'haproxy',
        'redis',
        'tgi',
        'tools',
      ]);
      const tgi = services.tgi!;
      expect(tgi.image).toMatch(/^ghcr\.io\/huggingface\/text-generation-inference:/);
      expect(tgi.command).toEqual(expect.arrayContaining(['--model-id', 'org/some-model']));
      expect(tgi.deploy?.resources.reservations.devices).toEqual([
        { driver: 'nvidia', count: 1, capabilities: ['gpu'] },
      ]);
      expect(tgi.environment?.HF_TOKEN).toBe('hf_test');
      expect(JSON.stringify(tgi.volumes)).toContain('/data');
      // 1 GiB (TGI's README: --shm-size 1g); compose v1 echoes the file's text, v2 gives bytes.
      expect(['1gb', '1073741824']).toContain(String(tgi.shm_size));
      expect(tgi.healthcheck?.test.join(' ')).toContain('/health');
      expect(services.redis!.command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
      for (const [name, s] of Object.entries(services)) {
        expect(s.network_mode, name).toBe('host');
        expect(s.labels?.['io.agentload.project'], name).toBe('agentload');
      }
    },
  );

  it.skipIf(executable === null && !required)(
    'validate with the simulator override: TGI is parked in a profile and the simulator listens in its place',
    async () => {
      const services = await config([composeFiles.gpu, composeFiles.sim], { AGENTLOAD_MODEL_PORT: '39999' });
      expect(services.tgi!.profiles).toEqual(['tgi-disabled-by-sim-override']);
      const sim = services['model-sim']!;
      expect(sim.command?.slice(0, 5)).toEqual(['model-server', '--host', '127.0.0.1', '--port', '39999']);
      expect(sim.deploy).toBeUndefined();
      expect(sim.labels?.['io.agentload.component']).toBe('model-0');
    },
  );

  it('refuses replica counts the compose file does not run', async () => {
    const error = await startComposeStack({ agentReplicas: 3 as 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as InvalidConfigError).message).toMatch(
      /agentReplicas: the compose file runs 2 agent replicas/,
    );
  });
});

describe.skipIf(gate.skip)('--stack compose with the simulator override', () => {
  let stack: ComposeStackHandle | null = null;

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('comes up, serves a smoke load, and leaves nothing behind', async () => {
    stack = await startComposeStack({ modelServer: 'sim', loadTimeSec: 0, stopGraceMs: 2_000 });
    const docker = (await dockerClient()).container.dockerode;
    expect(stack.control.list().map((c) => `${c.id}:${c.state}`)).toEqual([
      'redis:running',
      'tools:running',
      'model-0:running',
      'agent-0:running',
      'agent-1:running',
      'haproxy:running',
    ]);
    expect(await containersLabelled(docker, stackLabel, stack.stackId)).toHaveLength(6);
    await expect(stack.control.addReplica('agent')).rejects.toThrow(/replicas are fixed/);

    const outcome = await runShort(stack, smoke, 4, 2);
    expect(outcome.summary.counts.requests).toBeGreaterThan(0);
    expect(outcome.summary.counts.failed).toBe(0);
    expect(outcome.summary.counts.turnsLost).toBe(0);

    await stack.stop();
    expect(await containersLabelled(docker, stackLabel, stack.stackId)).toEqual([]);
    const project = await docker.listContainers({
      all: true,
      filters: { label: [`com.docker.compose.project=${stack.projectName}`] },
    });
    expect(project).toEqual([]);
  }, 240_000);
});
