/**
 * Scaling and protection around the workloads: the agent's HorizontalPodAutoscaler (CPU target,
 * slow scale-down so a dip between bursts does not drop capacity mid-conversation), disruption
 * budgets for the agent and the model server, and a NetworkPolicy that lets the agent reach only
 * the model server, the tools, Redis and cluster DNS (and accept traffic on its port).
 */
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import type { INetworkPolicy, INetworkPolicyEgressRule } from 'kubernetes-models/networking.k8s.io/v1';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { labels, NAMES, PORTS } from './stack-objects.ts';
import type { Values } from './values.ts';

export function agentAutoscaler(v: Values): IHorizontalPodAutoscaler {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: NAMES.agent, namespace: v.namespace, labels: labels('agent') },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: NAMES.agent },
      minReplicas: v.agent.minReplicas,
      maxReplicas: v.agent.maxReplicas,
      metrics: [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            target: { type: 'Utilization', averageUtilization: v.agent.targetCpuUtilizationPercent },
          },
        },
      ],
      behavior: {
        scaleDown: {
          stabilizationWindowSeconds: 300,
          policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }],
        },
        scaleUp: {
          stabilizationWindowSeconds: 0,
          policies: [{ type: 'Percent', value: 100, periodSeconds: 30 }],
        },
      },
    },
  };
}

export function disruptionBudgets(v: Values): IPodDisruptionBudget[] {
  return [
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: NAMES.agent, namespace: v.namespace, labels: labels('agent') },
      spec: { minAvailable: v.agent.minAvailable, selector: { matchLabels: labels('agent') } },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: NAMES.model, namespace: v.namespace, labels: labels('model') },
      spec: { maxUnavailable: v.model.maxUnavailable, selector: { matchLabels: labels('model') } },
    },
  ];
}

export function agentNetworkPolicy(v: Values): INetworkPolicy {
  const modelPort = v.model.server === 'tgi' ? PORTS.model : PORTS.simContainer;
  const to = (component: 'model' | 'tools' | 'redis', port: number): INetworkPolicyEgressRule => ({
    to: [{ podSelector: { matchLabels: labels(component) } }],
    ports: [{ protocol: 'TCP', port }],
  });
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: NAMES.agent, namespace: v.namespace, labels: labels('agent') },
    spec: {
      podSelector: { matchLabels: labels('agent') },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ ports: [{ protocol: 'TCP', port: PORTS.agent }] }],
      egress: [
        // Pod ports, not Service ports: policies see traffic after the Service's translation.
        to('model', modelPort),
        to('tools', PORTS.tools),
        to('redis', PORTS.redis),
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    },
  };
}
