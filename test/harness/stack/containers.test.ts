import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import outageReplica from '../../../scenarios/outage-replica.ts';
import smoke from '../../../scenarios/smoke.ts';
import { InvalidConfigError } from '../../../harness/errors.ts';
import {
  containersLabelled,
  dockerClient,
  type Dockerode,
  projectLabel,
  stackLabel,
} from '../../../harness/stack/container-docker.ts';
import { type ContainerStackHandle, startContainerStack } from '../../../harness/stack/containers.ts';
import { dockerGate } from './docker-gate.ts';
import { runShort } from './run-short.ts';

const gate = await dockerGate('the container stack tests');

describe('container stack options', () => {
  it.runIf(process.env.REQUIRE_DOCKER === '1')(
    'has a Docker engine to run against (REQUIRE_DOCKER=1)',
    () => {
      expect(gate.reason, 'start one: eval "$(scripts/docker/start-dockerd.sh)"').toBeNull();
    },
  );

  it('rejects bad options before touching Docker, naming each field', async () => {
    const error = await startContainerStack({ agentReplicas: 0, modelServer: 'gpu' as 'sim' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as InvalidConfigError).issues.map((i) => i.path).sort()).toEqual([
      'agentReplicas',
      'modelServer',
    ]);
  });
});

describe.skipIf(gate.skip)('the stack as containers (testcontainers, host network)', () => {
  let stack: ContainerStackHandle | null = null;
  let docker: Dockerode;

  beforeAll(async () => {
    docker = (await dockerClient()).container.dockerode;
    stack = await startContainerStack({
      agentReplicas: 2,
      loadTimeSec: 0,
      stopGraceMs: 2_000,
      drainTimeoutMs: 5_000,
    });
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('runs every component in its own labelled, non-root container on the host network', async () => {
    const s = stack!;
    expect(s.control.list().map((c) => `${c.id}:${c.state}`)).toEqual([
      'redis:running',
      'tools:running',
      'model-0:running',
      'agent-0:running',
      'agent-1:running',
      'haproxy:running',
    ]);
    const ids = await containersLabelled(docker, stackLabel, s.stackId);
    expect(ids).toHaveLength(6);
    const inspected = await Promise.all(ids.map((id) => docker.getContainer(id).inspect()));
    for (const c of inspected) {
      expect(c.HostConfig.NetworkMode).toBe('host');
      expect(c.Config.Labels[projectLabel]).toBe('agentload');
      expect(c.Config.User).not.toBe('');
      expect(c.Config.User).not.toBe('root');
    }
    const app = inspected.filter((c) => c.Config.Image === s.images.app);
    expect(app).toHaveLength(4);
    expect(
      app.every((c) => c.Config.Healthcheck?.Test?.includes('/app/reference-service/docker/healthcheck.mjs')),
    ).toBe(true);
    expect((await fetch(`${s.agentUrl}/readyz`)).status).toBe(200);
  });

  it('serves a smoke load through HAProxy with every turn stored', async () => {
    const outcome = await runShort(stack!, smoke, 4, 2);
    const c = outcome.summary.counts;
    expect(c.requests).toBeGreaterThan(0);
    expect(c.failed).toBe(0);
    expect(c.turnsLost).toBe(0);
    expect(c.turnsAcknowledged).toBe(c.completed);
  }, 60_000);

  it('keeps conversations going when an agent container is killed mid-run (outage-replica)', async () => {
    const outcome = await runShort(stack!, outageReplica, 12);
    const s = outcome.summary;
    expect(s.faults.map((f) => `${f.component}:${f.action}:${f.ok}`)).toEqual([
      'agent-1:kill:true',
      'agent-1:restart:true',
    ]);
    expect(s.counts.completed).toBeGreaterThan(0);
    // Sessions live in Redis: no acknowledged turn is lost, whichever replica served it.
    expect(s.counts.turnsLost).toBe(0);
    expect(s.counts.failed).toBeLessThan(s.counts.requests / 2);
    const agent1 = stack!.control.list().find((c) => c.id === 'agent-1')!;
    expect(agent1.state).toBe('running');
    expect((await docker.getContainer(`agentload-${stack!.stackId}-agent-1`).inspect()).State.Running).toBe(
      true,
    );
  }, 90_000);

  it('pauses, resumes, adds and removes replicas through the Docker API', async () => {
    const s = stack!;
    await s.control.pause('tools');
    expect((await docker.getContainer(`agentload-${s.stackId}-tools`).inspect()).State.Paused).toBe(true);
    await s.control.resume('tools');
    expect((await docker.getContainer(`agentload-${s.stackId}-tools`).inspect()).State.Paused).toBe(false);
    const added = await s.control.addReplica('agent');
    expect(added).toMatchObject({ id: 'agent-2', kind: 'agent', state: 'running' });
    expect(await containersLabelled(docker, stackLabel, s.stackId)).toHaveLength(7);
    await s.control.removeReplica('agent-2');
    expect(s.control.list().map((c) => c.id)).not.toContain('agent-2');
    expect(await containersLabelled(docker, stackLabel, s.stackId)).toHaveLength(6);
    expect((await fetch(`${s.agentUrl}/readyz`)).status).toBe(200);
  }, 60_000);

  it('stop() leaves no container of the stack behind, in any state', async () => {
    const s = stack!;
    await s.control.kill('agent-0');
    await s.control.pause('model-0');
    await s.stop();
    expect(await containersLabelled(docker, stackLabel, s.stackId)).toEqual([]);
  }, 60_000);
});
