import { describe, expect, it } from 'vitest';
import { toolSpecs } from '../../../reference-service/tools/handlers/index.ts';

interface JsonSchemaObject {
  type: string;
  properties: Record<string, { type: string }>;
  required: string[];
  additionalProperties: boolean;
}

const samples: Record<string, unknown> = { city: 'Lisbon', orderId: 'ORD-1234', query: 'warranty' };

describe('tool catalog', () => {
  for (const spec of Object.values(toolSpecs)) {
    const schema = spec.definition.function.parameters as unknown as JsonSchemaObject;
    const requiredArgs = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, samples[k]]));

    it(`${spec.name}: accepts a call with only the JSON schema's required fields`, () => {
      expect(spec.call(requiredArgs(schema.required))).toMatchObject({ ok: true });
    });

    it(`${spec.name}: rejects a call missing each required field`, () => {
      expect(schema.required.length).toBeGreaterThan(0);
      for (const key of schema.required) {
        const outcome = spec.call(requiredArgs(schema.required.filter((k) => k !== key)));
        expect(outcome.ok).toBe(false);
        if (!outcome.ok) expect(outcome.issues.join(' ')).toContain(key);
      }
    });

    it(`${spec.name}: rejects fields the JSON schema does not declare`, () => {
      expect(schema.additionalProperties).toBe(false);
      // With the required fields present, only the undeclared field can be the reason to refuse.
      const outcome = spec.call({ ...requiredArgs(schema.required), notDeclared: 1 });
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) expect(outcome.issues.join(' ')).toContain('notDeclared');
    });

    it(`${spec.name}: has a name OpenAI accepts`, () => {
      expect(spec.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
      expect(spec.definition.function.name).toBe(spec.name);
    });
  }

  it('validates the declared types of optional fields', () => {
    expect(toolSpecs.get_weather.call({ city: 'Oslo', unit: 'kelvin' }).ok).toBe(false);
    expect(toolSpecs.search_knowledge.call({ query: 'x', topK: 1.5 }).ok).toBe(false);
    expect(toolSpecs.search_knowledge.call({ query: 'x', topK: 11 }).ok).toBe(false);
  });

  it('reports an unknown order as not found rather than failing', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `ORD-${1000 + i}`);
    const found = ids.map((orderId) => toolSpecs.lookup_order.call({ orderId }));
    const missing = found.filter((o) => o.ok && (o.result as { found: boolean }).found === false);
    expect(missing.length).toBeGreaterThan(0);
    expect(missing.length).toBeLessThan(60);
  });
});
