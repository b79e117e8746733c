import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StackStartError } from '../errors.ts';
import type { Dockerode } from './container-docker.ts';
import { projectLabel, projectName } from './container-docker.ts';
import { isProcessAlive } from './process-info.ts';

/** Images the stack runs besides its own: the Node base of the app images, Redis, HAProxy. */
export interface BaseImages {
  node: string;
  redis: string;
  haproxy: string;
}

/** What a laptop pulls. */
export const publicBaseImages: Readonly<BaseImages> = Object.freeze({
  node: 'node:20-bookworm-slim',
  redis: 'redis:7.4-bookworm',
  haproxy: 'haproxy:2.8',
});

/** What scripts/docker/seed-base-images.sh makes from this machine's binaries (no registry needed). */
export const seededBaseImages: Readonly<BaseImages> = Object.freeze({
  node: 'agentload/node-base:local',
  redis: 'agentload/redis-base:local',
  haproxy: 'agentload/haproxy-base:local',
});

/**
 * The image the stacks run for the agent, the tools service and the model server alike. It is
 * Dockerfile.agent's: its entrypoint is the agentload CLI, and each container names its command
 * (agent, tools, model-server), port and health URL. Dockerfile.tools and Dockerfile.model-server
 * differ from it only in CMD, port and health URL, for standalone builds (`compose up --build`);
 * building one image instead of three saves ~40 s a fresh run on two cores (each build ships and
 * checksums the ~23k files of node_modules).
 */
export const appDockerfile = 'reference-service/docker/Dockerfile.agent';
export const appRepository = 'agentload/app';

/** The app's own files every image holds; node_modules is added package by package. */
const appEntries = [
  'package.json',
  'tsconfig.json',
  'bin',
  'scenarios',
  'planner',
  'reports',
  'harness',
  'reference-service',
];

async function imageId(docker: Dockerode, name: string): Promise<string | null> {
  try {
    return (await docker.getImage(name).inspect()).Id;
  } catch {
    return null;
  }
}

/** Per image: the override, else the seeded local one when present (offline engine), else the public one. */
export async function resolveBaseImages(
  docker: Dockerode,
  override: Partial<BaseImages> = {},
): Promise<BaseImages> {
  const pick = async (key: keyof BaseImages): Promise<string> =>
    override[key] ??
    ((await imageId(docker, seededBaseImages[key])) ? seededBaseImages[key] : publicBaseImages[key]);
  return { node: await pick('node'), redis: await pick('redis'), haproxy: await pick('haproxy') };
}

/**
 * Production dependencies the services in the image never load: the harness's own (testcontainers
 * drives Docker from the harness, vega renders report charts). Leaving them out keeps the build
 * context (and every rebuild) small.
 */
export const packagesNotInImage: readonly string[] = ['testcontainers', 'vega', 'vega-lite'];

interface LockPackage {
  dev?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** Node's lookup: `<from>/node_modules/<name>`, then each parent's, up to the root. */
function resolveLockPath(packages: Record<string, LockPackage>, from: string, name: string): string | null {
  let dir = from;
  for (;;) {
    const candidate = dir === '' ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (dir === '') return null;
    const cut = dir.lastIndexOf('/node_modules/');
    dir = cut < 0 ? '' : dir.slice(0, cut);
  }
}

/**
 * node_modules entries the services need: the closure of package.json's dependencies (less
 * `exclude`) through package-lock.json, optional ones only where installed, outermost first: a
 * fraction of the development tree (docs/architecture.md gives the measured sizes).
 */
export function productionPackages(
  repoRoot: string,
  exclude: readonly string[] = packagesNotInImage,
): string[] {
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockPackage>;
  };
  const { packages } = lock;
  const root = packages[''] ?? {};
  const seen = new Set<string>();
  const queue: [from: string, name: string][] = Object.keys({
    ...root.dependencies,
    ...root.optionalDependencies,
  })
    .filter((name) => !exclude.includes(name))
    .map((name) => ['', name]);
  while (queue.length > 0) {
    const [from, name] = queue.pop()!;
    const path = resolveLockPath(packages, from, name);
    if (path === null || seen.has(path) || !existsSync(join(repoRoot, path))) continue;
    seen.add(path);
    const meta = packages[path]!;
    for (const dep of Object.keys({
      ...meta.dependencies,
      ...meta.optionalDependencies,
      ...meta.peerDependencies,
    })) {
      queue.push([path, dep]);
    }
  }
  const paths = [...seen].sort();
  // A package under an already listed one travels with it (the build context recurses).
  return paths.filter((path) => !paths.some((outer) => outer !== path && path.startsWith(`${outer}/`)));
}

function hashTree(hash: ReturnType<typeof createHash>, root: string, rel: string): void {
  const abs = join(root, rel);
  let entries;
  try {
    entries = readdirSync(abs, { withFileTypes: true });
  } catch {
    hash.update(`file:${rel}\0`);
    hash.update(existsSync(abs) ? readFileSync(abs) : '\0missing');
    return;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.endsWith('.log')) continue;
    const child = `${rel}/${entry.name}`;
    if (entry.isDirectory()) hashTree(hash, root, child);
    else if (entry.isFile()) {
      hash.update(`file:${child}\0`);
      hash.update(readFileSync(join(root, child)));
    }
  }
}

/**
 * Content hash of everything an image is built from: the Dockerfiles, the app's files, the
 * lockfiles standing in for node_modules (npm keeps node_modules/.package-lock.json in step with the
 * installed tree) and the base image's id. The images' tag, so a rebuild happens only on change.
 */
export function appContentHash(repoRoot: string, baseImageId: string): string {
  const hash = createHash('sha256');
  hash.update(`base:${baseImageId}\0`);
  for (const file of ['package-lock.json', 'node_modules/.package-lock.json', '.dockerignore']) {
    if (existsSync(join(repoRoot, file))) hashTree(hash, repoRoot, file);
  }
  for (const entry of appEntries) hashTree(hash, repoRoot, entry);
  return hash.digest('hex').slice(0, 16);
}

/** One image build at a time across processes (test files run in parallel): a lock directory. */
async function withBuildLock<T>(work: () => Promise<T>, timeoutMs: number): Promise<T> {
  const dir = join(tmpdir(), 'agentload-image-build.lock');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'pid'), String(process.pid));
      break;
    } catch {
      let holder = NaN;
      try {
        holder = Number(readFileSync(join(dir, 'pid'), 'utf8'));
      } catch {
        // being created or removed right now
      }
      if (Number.isInteger(holder) && !isProcessAlive(holder)) rmSync(dir, { recursive: true, force: true });
      if (Date.now() > deadline) {
        throw new StackStartError(`another process has held ${dir} for ${timeoutMs} ms`, {
          hint: `If no agentload build is running, remove ${dir}.`,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface BuildEvent {
  stream?: string;
  error?: string;
}

async function buildImage(
  docker: Dockerode,
  repoRoot: string,
  tag: string,
  nodeBase: string,
  src: string[],
): Promise<void> {
  const dockerfile = appDockerfile;
  const stream = await docker.buildImage(
    { context: repoRoot, src: [...src, dockerfile] },
    {
      t: tag,
      dockerfile,
      buildargs: { BASE_IMAGE: nodeBase },
      labels: { [projectLabel]: projectName },
      rm: true,
      forcerm: true,
    },
  );
  const events = await new Promise<BuildEvent[]>((resolve, reject) =>
    docker.modem.followProgress(stream, (error: Error | null, output: BuildEvent[]) =>
      error ? reject(error) : resolve(output),
    ),
  );
  const failure = events.find((e) => e.error !== undefined);
  if (failure) {
    const log = events
      .map((e) => e.stream ?? e.error ?? '')
      .join('')
      .trim()
      .split('\n')
      .slice(-15)
      .join('\n');
    throw new StackStartError(`building ${tag} from ${dockerfile} failed: ${failure.error}\n${log}`, {
      hint:
        nodeBase === publicBaseImages.node
          ? `The build needs ${nodeBase} from Docker Hub; offline, run scripts/docker/seed-base-images.sh first.`
          : `Check that ${nodeBase} exists (docker image ls) and has node on its PATH.`,
    });
  }
}

export interface EnsureImageOptions {
  repoRoot: string;
  nodeBase: string;
  onProgress?: (message: string) => void;
  /** Waiting for another process's build, at most. */
  lockTimeoutMs?: number;
}

/**
 * `agentload/app:<content hash>`, built only when missing. Older tags are removed afterwards when
 * no container uses them (the engine refuses then).
 */
export async function ensureAppImage(docker: Dockerode, options: EnsureImageOptions): Promise<string> {
  const baseId = await imageId(docker, options.nodeBase);
  const hash = appContentHash(options.repoRoot, baseId ?? options.nodeBase);
  const tag = `${appRepository}:${hash}`;
  if (await imageId(docker, tag)) return tag;
  await withBuildLock(
    async () => {
      if (await imageId(docker, tag)) return;
      const started = Date.now();
      options.onProgress?.(`building image ${tag} (FROM ${options.nodeBase})`);
      const src = [...appEntries, ...productionPackages(options.repoRoot)];
      await buildImage(docker, options.repoRoot, tag, options.nodeBase, src);
      options.onProgress?.(`built ${tag} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      await removeStaleTags(docker, tag);
    },
    options.lockTimeoutMs ?? 10 * 60_000,
  );
  return tag;
}

async function removeStaleTags(docker: Dockerode, current: string): Promise<void> {
  const list = await docker.listImages({ filters: { label: [`${projectLabel}=${projectName}`] } });
  for (const image of list) {
    for (const tag of image.RepoTags ?? []) {
      if (!tag.startsWith(`${appRepository}:`) || tag === current) continue;
      try {
        await docker.getImage(tag).remove();
      } catch {
        // in use by a container, or removed by another process
      }
    }
  }
}
