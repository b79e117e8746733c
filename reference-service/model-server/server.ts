import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { InvalidConfigError } from '../../harness/errors.ts';
import { createEngine, type Engine } from './engine.ts';
import { ModelServerListenError } from './errors.ts';
import { FaultController, type ModelServerFaults } from './faults.ts';
import {
  resolveConfig,
  resolvePerfModel,
  type ModelServerConfig,
  type ModelServerOptions,
} from './options.ts';
import type { PerfModel } from './perf-types.ts';
import { createRouter } from './router.ts';

/**
 * The simulator's process lifecycle. Like TGI, the port is not listening while the model loads
 * (clients get "connection refused", not a 503); a crash destroys the listener and every socket at
 * once; a restart is a crash followed by a cold start on the same port with a fresh engine
 * (empty queue, zeroed metrics, neutral faults), as a restarted process would have.
 */

export type ModelServerState = 'loading' | 'ready' | 'crashed' | 'closed';

export interface ModelServerHandle {
  /** http://host:port, known before the port listens. */
  readonly url: string;
  readonly port: number;
  /** Resolves when the port listens (after the cold start); rejects if it cannot. */
  readonly ready: Promise<void>;
  readonly faults: ModelServerFaults;
  readonly config: ModelServerConfig;
  state(): ModelServerState;
  /** Requests holding a concurrency permit (queued + running). */
  inFlightRequests(): number;
  /** Stops at once: the listener and every open stream are destroyed. */
  close(): Promise<void>;
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

class ModelServerRuntime {
  private status: ModelServerState = 'loading';
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private engine: Engine | null = null;
  private epoch = 0;
  private loadTimer: NodeJS.Timeout | null = null;
  /** Rejects the boot in progress when a crash, restart or close supersedes it. */
  private abandonBoot: ((reason: Error) => void) | null = null;
  private readonly hangWaiters = new Set<() => void>();
  readonly faults: FaultController;
  readonly faultApi: ModelServerFaults;
  private readonly route;
  private readonly log: (event: Record<string, unknown>) => void;

  constructor(
    readonly config: ModelServerConfig,
    private readonly perf: PerfModel,
    private readonly options: ModelServerOptions,
    public port: number,
  ) {
    this.log = options.log ?? (() => undefined);
    this.route = createRouter(config.adminToken !== null, this.log);
    this.faults = new FaultController(config.seed, (hang) => this.hangChanged(hang));
    this.faultApi = {
      state: () => this.faults.state(),
      set: (patch) => this.faults.apply(patch),
      setErrorRate: (errorRate) => this.faults.apply({ errorRate }),
      setLatencyMultiplier: (latencyMultiplier) => this.faults.apply({ latencyMultiplier }),
      setHang: (hang) => this.faults.apply({ hang }),
      setMalformedToolCallRate: (malformedToolCallRate) => this.faults.apply({ malformedToolCallRate }),
      crash: () => this.crash(),
      restart: (o) => this.restart(o?.loadTimeSec),
      reset: () => this.faults.reset(),
    };
  }

  get state(): ModelServerState {
    return this.status;
  }

  get url(): string {
    return `http://${hostForUrl(this.config.host)}:${this.port}`;
  }

  get inFlight(): number {
    return this.engine?.ctx.infer.inFlightRequests ?? 0;
  }

  /** Cold start: wait out the load time with the port closed, then listen. */
  boot(loadTimeSec: number): Promise<void> {
    const epoch = ++this.epoch;
    this.status = 'loading';
    this.log({ event: 'loading', url: this.url, loadTimeSec, profile: this.config.profileName });
    return new Promise<void>((resolve, reject) => {
      this.abandonBoot = reject;
      this.loadTimer = setTimeout(() => {
        this.loadTimer = null;
        this.abandonBoot = null;
        if (epoch !== this.epoch) return resolve();
        this.listen().then(() => {
          if (epoch === this.epoch) this.status = 'ready';
          resolve();
        }, reject);
      }, loadTimeSec * 1000);
    });
  }

  private listen(): Promise<void> {
    const nowMs = (): number => performance.now();
    const engine = createEngine({
      config: this.config,
      perf: this.perf,
      faults: this.faults,
      faultApi: this.faultApi,
      nowMs,
      whenNotHung: () => this.whenNotHung(),
      onStep: this.options.onStep,
    });
    const server = createServer({ noDelay: true }, (req, res) => this.route(engine.ctx, req, res));
    server.on('connection', (socket: Socket) => {
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.engine = engine;
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        this.teardown();
        this.status = 'crashed';
        this.log({ event: 'error', message: error.message });
        reject(
          new ModelServerListenError(`cannot listen on ${this.config.host}:${this.port}: ${error.message}`, {
            hint:
              error.code === 'EADDRINUSE' ? 'another process holds the port; pick another --port' : undefined,
            cause: error,
          }),
        );
      });
      server.listen(this.port, this.config.host, () => {
        server.on('error', (error: Error) => this.log({ event: 'error', message: error.message }));
        const address = server.address();
        if (address && typeof address === 'object') this.port = address.port;
        this.log({ event: 'listening', url: this.url });
        resolve();
      });
    });
  }

  private teardown(): void {
    this.epoch++;
    if (this.loadTimer) clearTimeout(this.loadTimer);
    this.loadTimer = null;
    this.abandonBoot?.(
      new Error('the model server stopped (crash, restart or close) before it finished loading'),
    );
    this.abandonBoot = null;
    this.engine?.stop();
    this.engine = null;
    this.server?.close();
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    this.releaseHangWaiters();
  }

  crash(): void {
    if (this.status === 'closed') return;
    this.teardown();
    this.status = 'crashed';
    this.log({ event: 'crash', url: this.url });
    this.options.onCrash?.();
  }

  restart(loadTimeSec?: number): Promise<void> {
    if (this.status === 'closed') return Promise.reject(new Error('the model server is closed'));
    if (loadTimeSec !== undefined && !(Number.isFinite(loadTimeSec) && loadTimeSec >= 0)) {
      return Promise.reject(
        new InvalidConfigError('restart options', [
          { path: 'loadTimeSec', message: 'must be a number >= 0' },
        ]),
      );
    }
    this.teardown();
    this.faults.reset();
    this.log({ event: 'restart', url: this.url });
    return this.boot(loadTimeSec ?? this.config.loadTimeSec);
  }

  close(): Promise<void> {
    this.teardown();
    this.status = 'closed';
    return Promise.resolve();
  }

  private whenNotHung(): Promise<void> {
    if (!this.faults.hang) return Promise.resolve();
    return new Promise((resolve) => this.hangWaiters.add(resolve));
  }

  private hangChanged(hang: boolean): void {
    if (hang) return;
    this.releaseHangWaiters();
    this.engine?.loop.kick();
  }

  private releaseHangWaiters(): void {
    for (const wake of this.hangWaiters) wake();
    this.hangWaiters.clear();
  }
}

/** Binds port 0 for a moment to learn a free port, so a cold start can keep it closed meanwhile. */
function reservePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      const port = address && typeof address === 'object' ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts a simulated TGI server. Resolves once the port listens (after the cold start), or, with
 * `waitUntilReady: false`, as soon as the port is chosen (then await `ready`).
 */
export async function startModelServer(options: ModelServerOptions = {}): Promise<ModelServerHandle> {
  const perf = await resolvePerfModel(options);
  const config = resolveConfig(options, perf);
  const reserve = config.port === 0 && (config.loadTimeSec > 0 || !config.waitUntilReady);
  const port = reserve ? await reservePort(config.host) : config.port;
  const runtime = new ModelServerRuntime(config, perf, options, port);
  const ready = runtime.boot(config.loadTimeSec);
  ready.catch(() => undefined);
  if (config.waitUntilReady) await ready;
  return {
    get url() {
      return runtime.url;
    },
    get port() {
      return runtime.port;
    },
    ready,
    faults: runtime.faultApi,
    config,
    state: () => runtime.state,
    inFlightRequests: () => runtime.inFlight,
    close: () => runtime.close(),
  };
}
