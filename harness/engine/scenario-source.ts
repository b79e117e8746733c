import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { parseScenario, type Scenario } from '../config/scenario-schema.ts';
import { InvalidConfigError } from '../errors.ts';
import { isScenarioName, scenarios } from '../../scenarios/index.ts';

const FILE_KINDS = ['.ts', '.mts', '.js', '.mjs', '.json', '.yaml', '.yml'];

/**
 * A scenario by shipped name (`smoke`, `outage-model`) or by file: a .ts/.js module whose default
 * export (or `scenario` export) is the scenario, or a .json/.yaml document. Validated and frozen.
 * @throws InvalidConfigError naming the shipped scenarios when `ref` is neither.
 */
export async function loadScenario(ref: string, cwd = process.cwd()): Promise<Scenario> {
  if (isScenarioName(ref)) return parseScenario(scenarios[ref], `scenario ${ref}`);
  const ext = extname(ref).toLowerCase();
  if (!FILE_KINDS.includes(ext)) {
    throw new InvalidConfigError(
      'scenario',
      [{ path: 'scenario', message: `"${ref}" is not a shipped scenario nor a scenario file` }],
      `Shipped: ${Object.keys(scenarios).join(', ')}; or pass a file ending in ${FILE_KINDS.join(', ')}.`,
    );
  }
  const path = resolve(cwd, ref);
  return parseScenario(await readScenarioFile(path, ext), ref);
}

async function readScenarioFile(path: string, ext: string): Promise<unknown> {
  const unreadable = (error: unknown) =>
    new InvalidConfigError('scenario', [
      {
        path: 'scenario',
        message: `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`,
      },
    ]);
  if (['.ts', '.mts', '.js', '.mjs'].includes(ext)) {
    let mod: { default?: unknown; scenario?: unknown };
    try {
      mod = (await import(pathToFileURL(path).href)) as typeof mod;
    } catch (error) {
      throw unreadable(error);
    }
    const value = mod.default ?? mod.scenario;
    if (value === undefined) {
      throw new InvalidConfigError('scenario', [
        { path, message: 'the module exports no scenario (use `export default defineScenario({...})`)' },
      ]);
    }
    return value;
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw unreadable(error);
  }
  try {
    return ext === '.json' ? (JSON.parse(text) as unknown) : (parseYaml(text) as unknown);
  } catch (error) {
    throw new InvalidConfigError('scenario', [
      {
        path,
        message: `not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${error instanceof Error ? error.message : String(error)}`,
      },
    ]);
  }
}
