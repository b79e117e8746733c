import { describe, expect, it } from 'vitest';
import {
  erlangB,
  erlangC,
  littlesLaw,
  meetsBound,
  queueFigures,
  smallestReplicasForQueue,
} from '../../planner/queueing.ts';

describe('erlangC', () => {
  it('matches the single-server case: P(wait) = rho', () => {
    expect(erlangC(1, 0.5)).toBeCloseTo(0.5, 12);
  });

  it('matches the hand-worked c = 2, a = 1 case: 1/3', () => {
    // a^c/c! x c/(c-a) = 1/2 x 2 = 1; sum_{k<2} a^k/k! = 2; C = 1 / (2 + 1)
    expect(erlangC(2, 1)).toBeCloseTo(1 / 3, 12);
  });

  it('matches the Erlang C table for 10 servers at 8 erlangs (0.4092)', () => {
    expect(erlangC(10, 8)).toBeCloseTo(0.4092, 4);
  });

  it('returns 1 when offered load reaches the server count', () => {
    expect(erlangC(4, 4)).toBe(1);
    expect(erlangC(4, 5)).toBe(1);
  });

  it('stays finite for thousands of servers', () => {
    const c = erlangC(5000, 4900);
    expect(c).toBeGreaterThan(0);
    expect(c).toBeLessThan(1);
  });
});

describe('erlangB', () => {
  it('matches B(2, 1) = 0.2', () => {
    // (1/2) / (1 + 1 + 1/2)
    expect(erlangB(2, 1)).toBeCloseTo(0.2, 12);
  });
});

describe('littlesLaw', () => {
  it('gives L = lambda W', () => {
    expect(littlesLaw(20, 1.5)).toBe(30);
  });
});

describe('queueFigures', () => {
  it('gives the M/M/1 mean wait rho / (mu - lambda)', () => {
    const q = queueFigures(
      { ratePerSec: 0.5, servers: 1, serviceMs: 1000, arrivalScv: 1, serviceScv: 1 },
      1000,
    );
    expect(q.meanWaitMs).toBeCloseTo(1000, 9);
    // P(W > t) = rho exp(-(mu - lambda) t) = 0.5 e^-0.5
    expect(q.pWaitOverBudget).toBeCloseTo(0.5 * Math.exp(-0.5), 12);
  });

  it('halves the wait for deterministic service (Allen-Cunneen equals Pollaczek-Khinchine for M/D/1)', () => {
    const q = queueFigures(
      { ratePerSec: 0.5, servers: 1, serviceMs: 1000, arrivalScv: 1, serviceScv: 0 },
      null,
    );
    // M/D/1: Wq = rho / (2 mu (1 - rho)) = 0.5 s
    expect(q.meanWaitMs).toBeCloseTo(500, 9);
    expect(q.pWaitOverBudget).toBeNull();
  });

  it('marks an overloaded queue unstable with an infinite wait', () => {
    const q = queueFigures({ ratePerSec: 3, servers: 2, serviceMs: 1000, arrivalScv: 1, serviceScv: 1 }, 100);
    expect(q.stable).toBe(false);
    expect(q.meanWaitMs).toBe(Number.POSITIVE_INFINITY);
    expect(meetsBound(q, 0.05)).toBe(false);
  });
});

describe('smallestReplicasForQueue', () => {
  const input = {
    ratePerSec: 40,
    slotsPerReplica: 8,
    serviceMs: 2000,
    arrivalScv: 1,
    serviceScv: 1.5,
    budgetMs: 200,
    maxProb: 0.05,
  };

  it('returns a size that meets the bound where one replica fewer does not', () => {
    const { replicas } = smallestReplicasForQueue(input);
    const at = (r: number) => queueFigures({ ...input, servers: r * input.slotsPerReplica }, input.budgetMs);
    expect(meetsBound(at(replicas), input.maxProb)).toBe(true);
    expect(meetsBound(at(replicas - 1), input.maxProb)).toBe(false);
    // 80 erlangs on 8 slots each: at least 11 replicas to be stable
    expect(replicas).toBeGreaterThanOrEqual(11);
  });

  it('asks only for stability when there is no budget', () => {
    expect(smallestReplicasForQueue({ ...input, budgetMs: null }).replicas).toBe(11);
  });
});
