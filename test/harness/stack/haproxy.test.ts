import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startToolsService, type ToolsServiceHandle } from '../../../reference-service/tools/index.ts';
import { renderHaproxyConfig, type HaproxyServer } from '../../../harness/stack/haproxy-config.ts';
import {
  HaproxyProcess,
  parseShowProc,
  type ProcList,
  reloadMaster,
} from '../../../harness/stack/haproxy.ts';
import { allocatePorts } from '../../../harness/stack/ports.ts';
import { haproxyServerStatus } from '../../integration/agent-client.ts';
import { describeWith, eventually } from './support.ts';

describe('parseShowProc', () => {
  it('reads the reload counters and the current and old workers', () => {
    const text = [
      '#<PID>          <type>          <reloads>       <uptime>        <version>',
      '100             master          2 [failed: 1]   0d00h00m10s     2.6.12',
      '# workers',
      '300             worker          0               0d00h00m01s     2.6.12',
      '# old workers',
      '200             worker          1               0d00h00m05s     2.6.12',
      '# programs',
      '',
    ].join('\n');
    expect(parseShowProc(text)).toEqual({
      masterReloads: 2,
      masterFailedReloads: 1,
      workers: [300],
      oldWorkers: [200],
    });
  });
});

describe('reloadMaster', () => {
  const showProc = (reloads: number, failed: number, workers: number[]) =>
    [
      '#<PID>          <type>          <reloads>       <uptime>        <version>',
      `100             master          ${reloads} [failed: ${failed}]   0d00h00m10s     2.6.12`,
      '# workers',
      ...workers.map((pid) => `${pid}             worker          0               0d00h00m01s     2.6.12`),
      '',
    ].join('\n');

  /** A master that answers `show proc` from `before`, then the `after` lists once signalled. */
  function fakeMaster(serverState: string, before: string, after: string[]) {
    const calls: string[] = [];
    const seen: ProcList[] = [];
    const target = {
      command: async (line: string) => {
        calls.push(line);
        return line === 'show proc' ? before : serverState;
      },
      saveServerState: async (state: string) => void calls.push(`save ${state}`),
      sendReloadSignal: async () => void calls.push('SIGUSR2'),
      waitForProcs: async (done: (p: ProcList) => boolean) => {
        for (const text of after) {
          const p = parseShowProc(text);
          seen.push(p);
          if (done(p)) return p;
        }
        throw new Error('reload never seen');
      },
    };
    return { target, calls, seen };
  }

  it('saves the checked server state, signals, and waits for a newer reload with a worker', async () => {
    const state = '1\n# be_id be_name srv_id ...\n';
    const m = fakeMaster(state, showProc(2, 0, [300]), [
      showProc(2, 0, [300]),
      showProc(3, 0, []),
      showProc(3, 0, [301]),
    ]);
    expect(await reloadMaster(m.target)).toBe(true);
    expect(m.calls).toEqual(['show proc', '@1 show servers state', `save ${state}`, 'SIGUSR2']);
    expect(m.seen.map((p) => p.workers)).toEqual([[300], [], [301]]);
  });

  it('skips a server state HAProxy did not give, and reports a reload the master counted as failed', async () => {
    const m = fakeMaster('', showProc(2, 0, [300]), [showProc(3, 1, [300])]);
    expect(await reloadMaster(m.target)).toBe(false);
    expect(m.calls).toEqual(['show proc', '@1 show servers state', 'SIGUSR2']);
  });

  it('counts from zero when the master does not answer before the reload', async () => {
    const m = fakeMaster('', '', [showProc(1, 0, [300])]);
    expect(await reloadMaster(m.target)).toBe(true);
  });
});

const port = (url: string) => Number(new URL(url).port);

function newHaproxy(): { haproxy: HaproxyProcess; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'agentload-haproxy-'));
  const haproxy = new HaproxyProcess('haproxy', {
    binary: 'haproxy',
    dir,
    logPath: join(dir, 'haproxy.log'),
    deathSignalWrapper: null,
  });
  return { haproxy, dir };
}

describeWith(['haproxy'], 'HaproxyProcess', () => {
  let backends: ToolsServiceHandle[];
  let haproxy: HaproxyProcess;
  let frontendPort: number;
  let config: (servers: HaproxyServer[]) => string;

  beforeAll(async () => {
    backends = await Promise.all([0, 1].map(() => startToolsService({ latencyScale: 0 })));
    let dir: string;
    ({ haproxy, dir } = newHaproxy());
    frontendPort = (await allocatePorts(1))[0]!;
    config = (servers) =>
      renderHaproxyConfig({
        proxies: [
          { name: 'tools', bind: { host: '127.0.0.1', port: frontendPort }, healthPath: '/health', servers },
        ],
        stats: null,
        stateFile: join(dir, 'servers.state'),
        healthCheckIntervalMs: 200,
        streamIdleTimeoutMs: 60_000,
        hardStopAfterMs: 20_000,
      });
    const servers = backends.map((b, i) => ({ id: `tools-${i}`, host: '127.0.0.1', port: port(b.url) }));
    await haproxy.start(config(servers), 10_000);
  });

  afterAll(async () => {
    await haproxy?.process.terminate(2_000);
    await Promise.all(backends.map((b) => b.close()));
  });

  const front = () => `http://127.0.0.1:${frontendPort}`;

  it('forwards requests to the backends', async () => {
    const response = await fetch(`${front()}/tools`);
    expect(response.status).toBe(200);
  });

  it('keeps a request in flight alive across a reload that removes its backend', async () => {
    // Only backend 0 in rotation, and it holds every call until the hang is lifted.
    await haproxy.reload(
      config([{ id: 'tools-0', host: '127.0.0.1', port: port(backends[0]!.url) }]),
      10_000,
    );
    backends[0]!.faults.set({ hang: true });
    const inFlight = fetch(`${front()}/tools/get_weather`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ city: 'Oslo' }),
    });
    await eventually(
      () => (backends[0]!.faults.hangingCount === 1 ? true : undefined),
      5_000,
      'the call to hang',
    );
    const before = (await haproxy.procList())!;
    await haproxy.reload(
      config([{ id: 'tools-1', host: '127.0.0.1', port: port(backends[1]!.url) }]),
      10_000,
    );
    const after = (await haproxy.procList())!;
    expect(after.masterReloads).toBe(before.masterReloads + 1);
    expect(after.oldWorkers).toEqual(before.workers);
    // New requests go to the new config's backend while the old worker still holds the hung call.
    expect((await fetch(`${front()}/tools`)).status).toBe(200);
    backends[0]!.faults.reset();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ result: { city: 'Oslo' } });
    expect(await haproxy.waitDrained(10_000)).toBe(true);
  });

  it('rejects a config HAProxy cannot parse and keeps running the old one', async () => {
    await expect(haproxy.reload('global\n  no-such-keyword 1\n', 10_000)).rejects.toMatchObject({
      code: 'AL_STACK_START',
    });
    expect((await fetch(`${front()}/tools`)).status).toBe(200);
    expect(readFileSync(haproxy.configPath, 'utf8')).toContain('backend tools');
  });
});

describeWith(['haproxy'], 'HaproxyProcess with every server failing its check', () => {
  let haproxy: HaproxyProcess;
  let frontendPort: number;
  let statsPort: number;
  const servers: Server[] = [];

  beforeAll(async () => {
    // Replicas that are alive but unready (as an agent whose model is down): /readyz 503, turns 200.
    for (let i = 0; i < 2; i += 1) {
      const server = createServer((req, res) => {
        res.statusCode = req.url === '/readyz' ? 503 : 200;
        res.end(req.url === '/readyz' ? 'unready' : `degraded answer from ${i}`);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
    }
    let dir: string;
    ({ haproxy, dir } = newHaproxy());
    [frontendPort, statsPort] = (await allocatePorts(2)) as [number, number];
    const config = renderHaproxyConfig({
      proxies: [
        {
          name: 'agents',
          bind: { host: '127.0.0.1', port: frontendPort },
          healthPath: '/readyz',
          routeWhenAllUnready: true,
          servers: servers.map((s, i) => ({
            id: `agent-${i}`,
            host: '127.0.0.1',
            port: (s.address() as AddressInfo).port,
          })),
        },
      ],
      stats: { host: '127.0.0.1', port: statsPort },
      stateFile: join(dir, 'servers.state'),
      healthCheckIntervalMs: 100,
      streamIdleTimeoutMs: 60_000,
      hardStopAfterMs: 20_000,
    });
    await haproxy.start(config, 10_000);
  });

  afterAll(async () => {
    await haproxy?.process.terminate(2_000);
    for (const s of servers) s.close();
  });

  it('still routes to the replicas (their own degraded answer) instead of answering 503', async () => {
    // Servers start UP: until both checked primaries are DOWN a 200 would not show the backups at work.
    await eventually(
      async () => {
        const status = await haproxyServerStatus(`http://127.0.0.1:${statsPort}/stats`);
        return status['agents/agent-0'] === 'DOWN' && status['agents/agent-1'] === 'DOWN' ? true : undefined;
      },
      10_000,
      'both checked servers to be DOWN',
    );
    const response = await fetch(`http://127.0.0.1:${frontendPort}/v1/sessions/s/turns`);
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^degraded answer from/);
  });
});
