import type { ComponentKind, StackHandle } from './types.ts';

/**
 * What the engine scrapes from a stack: each component's own /metrics, HAProxy's on its stats
 * listener (`statsUrl`, its front door serves none), nothing from Redis (it speaks RESP, not HTTP).
 */
export function metricsUrls(
  components: readonly { id: string; kind: ComponentKind; url: string }[],
  statsUrl: string,
): StackHandle['metricsUrls'] {
  return components.flatMap((c) => {
    if (c.kind === 'redis') return [];
    const url = c.kind === 'haproxy' ? `${statsUrl}/metrics` : `${c.url}/metrics`;
    return [{ id: c.id, kind: c.kind, url }];
  });
}
