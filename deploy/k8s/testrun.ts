/**
 * The k6-operator TestRun (k6.io/v1alpha1, grafana/k6-operator api/v1alpha1/testrun_types.go) for
 * an exported script, and the volume its runners write their JSON output to. The operator gives
 * runner i of N `--execution-segment i/N:(i+1)/N` of the same sequence (pkg/segmentation), so the
 * runners share the load exactly; each writes /results/k6.json.gz, which a subPathExpr of its own
 * pod name puts in a separate directory of the shared claim, ready for `agentload ingest k6`.
 * With several runners each judges thresholds on its share only, so they are switched off there
 * (K6_NO_THRESHOLDS) and judged again on the ingested whole.
 */
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1';
import { z } from 'zod';
import { labels, NAMES, PORTS } from './stack-objects.ts';
import type { Values } from './values.ts';

export const K6_SCRIPT_CONFIGMAP = 'agentload-k6-script';
export const K6_RESULTS_CLAIM = 'agentload-k6-results';

const envVar = z
  .object({
    name: z.string().min(1),
    value: z.string().optional(),
    valueFrom: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const podSubset = z
  .object({
    image: z.string().optional(),
    env: z.array(envVar).optional(),
    resources: z.record(z.string(), z.record(z.string(), z.union([z.string(), z.number()]))).optional(),
    volumes: z.array(z.record(z.string(), z.unknown())).optional(),
    volumeMounts: z.array(z.record(z.string(), z.unknown())).optional(),
    nodeSelector: z.record(z.string(), z.string()).optional(),
    metadata: z.object({ labels: z.record(z.string(), z.string()).optional() }).optional(),
  })
  .strict();

/** The TestRun fields this generator writes, as the operator's CRD defines them. */
export const testRunSchema = z
  .object({
    apiVersion: z.literal('k6.io/v1alpha1'),
    kind: z.literal('TestRun'),
    metadata: z
      .object({ name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/), namespace: z.string() })
      .passthrough(),
    spec: z
      .object({
        parallelism: z
          .number()
          .int()
          .min(1)
          .max(2 ** 31 - 1),
        script: z.union([
          z
            .object({ configMap: z.object({ name: z.string().min(1), file: z.string().min(1) }).strict() })
            .strict(),
          z
            .object({
              volumeClaim: z
                .object({ name: z.string(), file: z.string(), readOnly: z.boolean().optional() })
                .strict(),
            })
            .strict(),
          z.object({ localFile: z.string() }).strict(),
        ]),
        arguments: z.string().optional(),
        args: z.array(z.string()).optional(),
        separate: z.boolean().optional(),
        quiet: z.enum(['true', 'false']).optional(),
        paused: z.enum(['true', 'false']).optional(),
        cleanup: z.literal('post').optional(),
        runner: podSubset.optional(),
        starter: podSubset.optional(),
        initializer: podSubset.optional(),
      })
      .strict(),
  })
  .strict();

export type TestRun = z.infer<typeof testRunSchema>;

export function resultsClaim(v: Values): IPersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: K6_RESULTS_CLAIM, namespace: v.namespace, labels: labels('k6') },
    spec: {
      accessModes: ['ReadWriteMany'],
      ...(v.k6.resultsStorageClassName === null ? {} : { storageClassName: v.k6.resultsStorageClassName }),
      resources: { requests: { storage: v.k6.resultsStorage } },
    },
  };
}

export function testRun(v: Values): TestRun {
  return {
    apiVersion: 'k6.io/v1alpha1',
    kind: 'TestRun',
    metadata: { name: `agentload-${v.k6.scenario}`, namespace: v.namespace },
    spec: {
      parallelism: v.k6.parallelism,
      script: { configMap: { name: K6_SCRIPT_CONFIGMAP, file: `${v.k6.scenario}.k6.js` } },
      separate: v.k6.separate,
      runner: {
        image: v.images.k6,
        metadata: { labels: labels('k6') },
        env: [
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'AGENTLOAD_RUN_ID', value: '$(POD_NAME)' },
          {
            name: 'AGENTLOAD_TARGET',
            value: `http://${NAMES.agent}.${v.namespace}.svc.cluster.local:${PORTS.agent}`,
          },
          {
            name: 'AGENTLOAD_API_KEYS',
            valueFrom: { secretKeyRef: { name: NAMES.secret, key: 'api-keys' } },
          },
          // Environment rather than arguments: the operator's initializer (k6 archive) gets no `run` flags.
          { name: 'K6_OUT', value: 'json=/results/k6.json.gz' },
          ...(v.k6.parallelism > 1 ? [{ name: 'K6_NO_THRESHOLDS', value: 'true' }] : []),
        ],
        resources: v.k6.resources,
        volumes: [{ name: 'results', persistentVolumeClaim: { claimName: K6_RESULTS_CLAIM } }],
        volumeMounts: [{ name: 'results', mountPath: '/results', subPathExpr: '$(POD_NAME)' }],
      },
    },
  };
}
