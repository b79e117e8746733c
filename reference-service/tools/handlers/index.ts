import type { ToolSpec } from '../catalog.ts';
import { searchKnowledge } from './knowledge-search.ts';
import { lookupOrder } from './order-lookup.ts';
import { getWeather } from './weather.ts';

/** Every tool the service offers, by name. */
export const toolSpecs = {
  get_weather: getWeather,
  lookup_order: lookupOrder,
  search_knowledge: searchKnowledge,
} satisfies Record<string, ToolSpec>;

export type ToolName = keyof typeof toolSpecs;

export function findTool(name: string): ToolSpec | undefined {
  return Object.hasOwn(toolSpecs, name) ? toolSpecs[name as ToolName] : undefined;
}
