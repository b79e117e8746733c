import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCatalog } from '../../../reference-service/model-server/calibration/profile-catalog.ts';
import {
  DEFAULT_PROFILE,
  PROFILES_DIR,
  eosLengthTokens,
  loadProfile,
  profileFileName,
  profileNames,
  profileSchema,
  serializeProfile,
  UnknownProfileError,
} from '../../../reference-service/model-server/profiles.ts';
import { InvalidConfigError } from '../../../harness/errors.ts';
import { normalQuantile } from '../../../harness/metrics/normal-quantile.ts';

const names = profileNames();

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('shipped profiles', () => {
  it.each(names)('%s validates against the schema and loads under its own name', (name) => {
    const raw: unknown = JSON.parse(readFileSync(join(PROFILES_DIR, profileFileName(name)), 'utf8'));
    expect(profileSchema.safeParse(raw).success).toBe(true);
    expect(loadProfile(name).name).toBe(name);
  });

  it('are exactly what the catalog generates (edit profile-catalog.ts, then rerun write-profiles.ts)', () => {
    const { profiles } = buildCatalog();
    expect(profiles.map((p) => p.name).sort()).toEqual(names);
    for (const profile of profiles) {
      expect(readFileSync(join(PROFILES_DIR, profileFileName(profile.name)), 'utf8')).toBe(
        serializeProfile(profile),
      );
    }
  });

  it('cover both Llama-3.1 sizes on every GPU, with TP 1/2/4/8 where the 70B fits', () => {
    for (const gpu of ['h100', 'h200', 'a100-80g', 'l4', 'a10g']) {
      expect(names).toContain(`llama-3.1-8b@${gpu}`);
      expect(names.some((n) => n.startsWith(`llama-3.1-70b@${gpu}-tp`))).toBe(true);
    }
    expect(names).toEqual(
      expect.arrayContaining(['llama-3.1-70b@h100-tp2', 'llama-3.1-70b@h100-tp4', 'llama-3.1-70b@h100-tp8']),
    );
    expect(names).not.toContain('llama-3.1-70b@l4');
  });

  it('include the default profile, returned frozen', () => {
    const profile = loadProfile(DEFAULT_PROFILE);
    expect(DEFAULT_PROFILE).toBe('llama-3.1-8b@h100');
    expect(Object.isFrozen(profile)).toBe(true);
    expect(Object.isFrozen(profile.efficiency)).toBe(true);
  });
});

describe('loadProfile errors', () => {
  it('names every shipped profile in the hint of an unknown name', () => {
    const error = thrown(() => loadProfile('gpt-5@tpu'));
    expect(error).toBeInstanceOf(UnknownProfileError);
    expect(error).toMatchObject({ code: 'AL_UNKNOWN_PROFILE' });
    for (const name of names) expect((error as UnknownProfileError).hint).toContain(name);
  });

  it('explains that 70B does not fit on one L4 and points at the TP degree that does', () => {
    const error = thrown(() => loadProfile('llama-3.1-70b@l4')) as UnknownProfileError;
    expect(error.code).toBe('AL_UNKNOWN_PROFILE');
    expect(error.message).toMatch(/141\.1 GB of weights vs 21\.6 GB usable/);
    expect(error.message).toContain('llama-3.1-70b@l4-tp8');
  });

  it('says which half of a well-formed name is unknown', () => {
    expect(() => loadProfile('llama-3.1-8b@b200')).toThrow(/no profile for GPU "b200"/);
    expect(() => loadProfile('mistral-7b@h100')).toThrow(/no profile for model "mistral-7b"/);
    expect(() => loadProfile('../../etc/passwd')).toThrow(/is not a profile name/);
  });

  it('lists every problem of a custom profile file, with its path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'profile-'));
    const path = join(dir, 'bad.json');
    const good = JSON.parse(serializeProfile(loadProfile(DEFAULT_PROFILE))) as Record<
      string,
      Record<string, unknown>
    >;
    writeFileSync(
      path,
      JSON.stringify({
        ...good,
        efficiency: { ...good.efficiency, mbu: 1.5 },
        gpu: { ...good.gpu, memoryGB: -1 },
      }),
    );
    const error = thrown(() => loadProfile(path)) as InvalidConfigError;
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect(error.issues.map((i) => i.path).sort()).toEqual(['efficiency.mbu', 'gpu.memoryGB']);
  });

  it('loads a valid custom profile file and rejects one whose weights do not fit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'profile-'));
    const custom = { ...loadProfile('llama-3.1-70b@h100-tp4'), name: 'my-70b@h100-tp4' };
    writeFileSync(join(dir, 'ok.json'), JSON.stringify(custom));
    expect(loadProfile(join(dir, 'ok.json')).name).toBe('my-70b@h100-tp4');
    writeFileSync(join(dir, 'tight.json'), JSON.stringify({ ...custom, tensorParallel: 1 }));
    expect(() => loadProfile(join(dir, 'tight.json'))).toThrow(/do not fit/);
    expect(() => loadProfile(join(dir, 'missing.json'))).toThrow(UnknownProfileError);
    writeFileSync(join(dir, 'broken.json'), '{ not json');
    expect(() => loadProfile(join(dir, 'broken.json'))).toThrow(/cannot read as JSON/);
  });
});

describe('EOS length', () => {
  it('is the lognormal quantile: the median at u = 0.5, growing with u', () => {
    const eos = { medianTokens: 130, sigma: 0.8 };
    expect(eosLengthTokens(eos, 0.5)).toBe(130);
    expect(eosLengthTokens(eos, 0.975)).toBe(Math.round(130 * Math.exp(0.8 * 1.959964)));
    expect(eosLengthTokens(eos, 0.1)).toBeLessThan(eosLengthTokens(eos, 0.9));
    expect(eosLengthTokens(eos, 0)).toBeGreaterThanOrEqual(1);
  });

  it('uses an inverse normal CDF accurate to 1e-6', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 6);
  });
});
