import { describe, expect, it } from 'vitest';
import { nodesFor, replicasForUtilization, sizeModelFleet, withRedundancy } from '../../planner/sizing.ts';

describe('replicasForUtilization', () => {
  it('rounds lambda / (mu u) up', () => {
    expect(replicasForUtilization(100, 10, 0.8)).toBe(13);
  });

  it('does not add a replica for floating-point noise at an exact fit', () => {
    expect(replicasForUtilization(80, 10, 0.8)).toBe(10);
  });
});

describe('withRedundancy', () => {
  it('adds one replica for n+1', () => {
    expect(withRedundancy(10, { kind: 'n+1' })).toEqual({ total: 11, spare: 1, afterFailure: 10, zones: 1 });
  });

  it('spreads over zones so that any one zone can fail', () => {
    // 3 x ceil(10 / 2) = 15; a zone holds 5, 10 remain
    expect(withRedundancy(10, { kind: 'zones', zones: 3 })).toEqual({
      total: 15,
      spare: 5,
      afterFailure: 10,
      zones: 3,
    });
  });
});

describe('nodesFor', () => {
  it('packs replicas onto nodes by GPUs', () => {
    expect(nodesFor(13, 1, 8, 1)).toBe(2);
    expect(nodesFor(13, 2, 8, 1)).toBe(4);
  });

  it('gives a wide replica several nodes', () => {
    expect(nodesFor(3, 16, 8, 1)).toBe(6);
  });

  it('counts nodes per zone', () => {
    expect(nodesFor(15, 1, 8, 3)).toBe(3);
  });
});

describe('sizeModelFleet', () => {
  it('takes the larger of the utilization and queueing counts, then adds redundancy', () => {
    const size = sizeModelFleet({
      ratePerSec: 100,
      goodputPerReplica: 10,
      utilizationTarget: 0.8,
      queueReplicas: 14,
      redundancy: { kind: 'n+1' },
      gpusPerReplica: 2,
      gpusPerNode: 8,
    });
    expect(size.baseReplicas).toBe(14);
    expect(size.replicas).toBe(15);
    expect(size.gpus).toBe(30);
    expect(size.nodes).toBe(4);
    expect(size.reasoning.map((r) => r.formula)).toContain(
      'R_util = ceil(lambda_peak / (goodput_per_replica x u))',
    );
  });
});
