// Docker HEALTHCHECK of the agentload node images: exits 0 when AGENTLOAD_HEALTH_URL answers 200
// within 2 s, 1 otherwise. Plain JS (no tsx start-up) so a check costs ~50 ms of CPU, not ~500.
/* global fetch, AbortSignal */
/* eslint-disable no-restricted-properties -- a container entry point: Docker hands settings over as env */
const url = process.env.AGENTLOAD_HEALTH_URL ?? 'http://127.0.0.1:8080/healthz';
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  process.exit(response.status === 200 ? 0 : 1);
} catch {
  process.exit(1);
}
