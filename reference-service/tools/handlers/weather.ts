import { z } from 'zod';
import { defineTool } from '../catalog.ts';
import { hash32 } from '../random.ts';

const conditions = ['sunny', 'partly cloudy', 'cloudy', 'light rain', 'heavy rain', 'snow', 'fog', 'windy'];

const schema = z
  .object({
    city: z.string().trim().min(1, 'must name a city').max(80, 'must be at most 80 characters'),
    unit: z.enum(['celsius', 'fahrenheit']).default('celsius'),
  })
  .strict();

/** Fake but stable weather: the same city always reports the same conditions. */
export const getWeather = defineTool({
  name: 'get_weather',
  description: 'Current weather for a city: temperature, conditions, humidity and wind.',
  parameters: {
    type: 'object',
    properties: {
      city: { type: 'string', description: 'City name, e.g. "Lisbon"', minLength: 1, maxLength: 80 },
      unit: {
        type: 'string',
        enum: ['celsius', 'fahrenheit'],
        description: 'Temperature unit (default celsius)',
      },
    },
    required: ['city'],
    additionalProperties: false,
  },
  schema,
  latency: { medianMs: 80, sigma: 0.5, maxMs: 2_000 },
  run({ city, unit }) {
    const h = hash32(city.toLowerCase());
    const celsius = (h % 450) / 10 - 10;
    const temperature = unit === 'celsius' ? celsius : celsius * 1.8 + 32;
    return {
      city,
      unit,
      temperature: Math.round(temperature * 10) / 10,
      conditions: conditions[(h >>> 9) % conditions.length],
      humidityPct: 20 + ((h >>> 13) % 75),
      windKph: (h >>> 19) % 60,
    };
  },
});
