import type { SimRng } from './rng.ts';

/**
 * A plausible JSON value for a JSON schema: what the simulated model "generates" for tool-call
 * arguments and `json` grammars. Covers the schema keywords tools use in practice: type, properties,
 * required, enum, const, default, examples, items, minimum/maximum, minItems, format, anyOf/oneOf.
 * Deterministic for a given rng state.
 */

type Schema = Record<string, unknown>;

export interface SampleContext {
  rng: SimRng;
  /** Text the value can be drawn from (the user's last message): queries, names, cities. */
  hintText: string;
}

const MAX_DEPTH = 6;

function asSchema(value: unknown): Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Schema) : {};
}

function schemaType(schema: Schema): string {
  const t = schema.type;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return String(t.find((x) => x !== 'null') ?? 'null');
  if ('properties' in schema) return 'object';
  if ('items' in schema) return 'array';
  return 'string';
}

function hintWords(hint: string, maxWords: number): string {
  const words = hint.match(/[A-Za-z0-9][A-Za-z0-9'-]*/g) ?? [];
  return words.slice(0, maxWords).join(' ');
}

function sampleString(name: string, schema: Schema, ctx: SampleContext): string {
  const key = name.toLowerCase();
  const format = typeof schema.format === 'string' ? schema.format : '';
  if (format === 'date' || key.endsWith('date')) return '2025-06-01';
  if (format === 'date-time' || key.endsWith('time')) return '2025-06-01T12:00:00Z';
  if (format === 'email' || key.includes('email')) return 'user@example.com';
  if (format === 'uri' || format === 'url' || key.includes('url')) return 'https://example.com/';
  if (key.includes('city') || key.includes('location') || key.includes('place')) return 'Paris';
  if (key.includes('country')) return 'France';
  if (key === 'id' || key.endsWith('_id') || /[a-z]Id$/.test(name)) return `id-${ctx.rng.int(1000, 9999)}`;
  if (key.includes('unit')) return 'celsius';
  if (key.includes('lang')) return 'en';
  const fromHint = hintWords(ctx.hintText, 8);
  const text = fromHint.length > 0 ? fromHint : 'example';
  const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
  return text.slice(0, Math.max(1, maxLength));
}

function sampleNumber(schema: Schema, ctx: SampleContext, integer: boolean): number {
  const min = typeof schema.minimum === 'number' ? schema.minimum : 1;
  const max = typeof schema.maximum === 'number' ? schema.maximum : Math.max(min, 10);
  if (integer) return ctx.rng.int(Math.ceil(min), Math.max(Math.ceil(min), Math.floor(max)));
  return Math.round((min + ctx.rng.next() * (max - min)) * 100) / 100;
}

function sampleObject(schema: Schema, ctx: SampleContext, depth: number): Record<string, unknown> {
  const properties = asSchema(schema.properties);
  const names = Object.keys(properties);
  const required = Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === 'string') : [];
  // Required properties, or every property when the schema lists none as required.
  const chosen = required.length > 0 ? required : names;
  const out: Record<string, unknown> = {};
  for (const name of chosen) out[name] = sampleValue(name, asSchema(properties[name]), ctx, depth + 1);
  return out;
}

export function sampleValue(name: string, schema: Schema, ctx: SampleContext, depth = 0): unknown {
  if ('const' in schema) return schema.const;
  if ('default' in schema) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  const variants = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(variants) && variants.length > 0)
    return sampleValue(name, asSchema(variants[0]), ctx, depth);
  if (depth > MAX_DEPTH) return null;
  switch (schemaType(schema)) {
    case 'object':
      return sampleObject(schema, ctx, depth);
    case 'array': {
      const count = typeof schema.minItems === 'number' ? Math.max(1, schema.minItems) : 1;
      return Array.from({ length: count }, () => sampleValue(name, asSchema(schema.items), ctx, depth + 1));
    }
    case 'integer':
      return sampleNumber(schema, ctx, true);
    case 'number':
      return sampleNumber(schema, ctx, false);
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return sampleString(name, schema, ctx);
  }
}

/** Arguments object for a tool's `parameters` schema (absent schema: no arguments). */
export function sampleArguments(
  parameters: Schema | null | undefined,
  ctx: SampleContext,
): Record<string, unknown> {
  if (!parameters) return {};
  const value = sampleValue('', { type: 'object', ...parameters }, ctx);
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
