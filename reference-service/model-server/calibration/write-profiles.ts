/**
 * Regenerates profiles/*.json from profile-catalog.ts:
 *   node --import tsx reference-service/model-server/calibration/write-profiles.ts
 * Removes stale profile files, so a catalog change that drops a combination drops its file too.
 */
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROFILES_DIR, profileFileName, serializeProfile } from '../profiles.ts';
import { buildCatalog } from './profile-catalog.ts';

const { profiles, skipped } = buildCatalog();
const wanted = new Set(profiles.map((p) => profileFileName(p.name)));
for (const file of readdirSync(PROFILES_DIR)) {
  if (file.endsWith('.json') && !wanted.has(file)) rmSync(join(PROFILES_DIR, file));
}
for (const profile of profiles) {
  writeFileSync(join(PROFILES_DIR, profileFileName(profile.name)), serializeProfile(profile));
}
console.log(`wrote ${profiles.length} profiles to ${PROFILES_DIR}`);
for (const s of skipped) console.log(`skipped ${s.name}: ${s.reason}`);
