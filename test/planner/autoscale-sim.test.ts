import { describe, expect, it } from 'vitest';
import { planAutoscaling, simulateAutoscaler, type AutoscaleInput } from '../../planner/autoscale-sim.ts';

/** 10 req/s for 100 s, then 25 req/s for 200 s; 10 req/s per replica, 1 s service, target 10 in flight. */
function stepUp(overrides: Partial<AutoscaleInput> = {}): AutoscaleInput {
  return {
    demandPerSec: [...Array<number>(100).fill(10), ...Array<number>(200).fill(25)],
    stepSec: 1,
    goodputPerReplica: 10,
    serviceSec: 1,
    targetConcurrencyPerReplica: 10,
    coldStartSec: 30,
    queueBudgetSec: 0,
    minReplicas: 1,
    maxReplicas: 100,
    windowSec: 1,
    scaleDownDelaySec: 300,
    warmPool: 0,
    warmStartSec: 0,
    ...overrides,
  };
}

describe('simulateAutoscaler', () => {
  it('counts the cold start and the backlog drain as time over SLO (hand-worked)', () => {
    // t=100..129: 1 replica, backlog grows 15/s to 450; from t=130 3 replicas drain 5/s:
    // the backlog reaches 0 at t=219, so t=100..218 are over: 119 s.
    const run = simulateAutoscaler(stepUp());
    expect(run.secondsOverSlo).toBe(119);
    expect(run.firstOverSloSec).toBe(100);
    expect(run.excessRequests).toBe(450);
    expect(run.peakReadyReplicas).toBe(3);
  });

  it('tolerates a backlog that drains within the queueing budget', () => {
    // budget 2 s: over while backlog / capacity > 2, i.e. t=101..206
    expect(simulateAutoscaler(stepUp({ queueBudgetSec: 2 })).secondsOverSlo).toBe(106);
  });

  it('is never over SLO when the minimum covers the peak', () => {
    expect(simulateAutoscaler(stepUp({ minReplicas: 3 })).secondsOverSlo).toBe(0);
  });

  it('scales down only after the stabilization window', () => {
    const demand = [...Array<number>(50).fill(30), ...Array<number>(100).fill(10)];
    const early = simulateAutoscaler(stepUp({ demandPerSec: demand, scaleDownDelaySec: 10 }));
    const late = simulateAutoscaler(stepUp({ demandPerSec: demand, scaleDownDelaySec: 80 }));
    expect(early.meanReadyReplicas).toBeLessThan(late.meanReadyReplicas);
  });
});

describe('planAutoscaling', () => {
  it('finds the minimum replicas and the warm pool that remove the time over SLO', () => {
    const plan = planAutoscaling(stepUp({ queueBudgetSec: 2 }));
    expect(plan.run.secondsOverSlo).toBe(106);
    expect(plan.minReplicasForNoOverSlo).toBe(3);
    // two warm replicas are ready one step later: backlog 15 / 10 = 1.5 s <= 2 s at t=100
    expect(plan.warmPoolForNoOverSlo).toBe(2);
  });

  it('reports no warm pool when even an instant pool cannot beat a zero budget', () => {
    expect(planAutoscaling(stepUp()).warmPoolForNoOverSlo).toBeNull();
  });
});
