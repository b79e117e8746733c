/**
 * Prints how long the container stacks take here: the app image build (cold: no image and no layer
 * cache; warm: the node_modules layer cached; hit: nothing to build), the container stack's start
 * and stop, and the compose stack's (simulator override). Needs a Docker engine (DOCKER_HOST) and,
 * offline, the seeded base images. Run: npx tsx scripts/docker/measure-stack.ts [--cold]
 */
import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startComposeStack } from '../../harness/stack/compose.ts';
import { dockerClient } from '../../harness/stack/container-docker.ts';
import { appRepository, ensureAppImage, resolveBaseImages } from '../../harness/stack/container-images.ts';
import { startContainerStack } from '../../harness/stack/containers.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const docker = (await dockerClient()).container.dockerode;
const bases = await resolveBaseImages(docker);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await work();
  console.log(`${label}: ${seconds(Date.now() - started)}`);
  return result;
}

async function removeAppImages(): Promise<void> {
  for (const image of await docker.listImages()) {
    for (const tag of image.RepoTags ?? []) {
      if (tag.startsWith(`${appRepository}:`)) await docker.getImage(tag).remove({ force: true });
    }
  }
}

console.log(`base images: ${JSON.stringify(bases)}`);
if (process.argv.includes('--cold')) {
  await removeAppImages();
  await docker.pruneImages({ filters: { dangling: { true: true } } });
  await timed('app image build, cold', () => ensureAppImage(docker, { repoRoot, nodeBase: bases.node }));
}
// A file the image holds changes: a new tag, built on the cached node_modules layer.
const marker = `${repoRoot}reference-service/docker/.measure-marker`;
writeFileSync(marker, String(Date.now()));
try {
  await timed('app image build, warm (app files changed)', () =>
    ensureAppImage(docker, { repoRoot, nodeBase: bases.node }),
  );
} finally {
  rmSync(marker, { force: true });
}
await timed('app image build, warm (back to the tree)', () =>
  ensureAppImage(docker, { repoRoot, nodeBase: bases.node }),
);
await timed('app image, cache hit (hash only)', () =>
  ensureAppImage(docker, { repoRoot, nodeBase: bases.node }),
);

const containers = await timed('container stack start (2 agents, 1 sim, images present)', () =>
  startContainerStack({ loadTimeSec: 0 }),
);
await timed('container stack stop (all removed)', () => containers.stop());
const compose = await timed('compose stack start (gpu.yml + sim.yml)', () =>
  startComposeStack({ modelServer: 'sim', loadTimeSec: 0 }),
);
await timed('compose stack stop (down -v)', () => compose.stop());
