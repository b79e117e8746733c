import { z } from 'zod';
import { defineTool } from '../catalog.ts';
import { createRandom } from '../random.ts';

const products = [
  { sku: 'KB-100', name: 'Mechanical keyboard', priceUsd: 89.0 },
  { sku: 'MS-210', name: 'Wireless mouse', priceUsd: 29.5 },
  { sku: 'MN-270', name: '27-inch monitor', priceUsd: 249.99 },
  { sku: 'HP-330', name: 'Noise-cancelling headphones', priceUsd: 179.0 },
  { sku: 'CB-010', name: 'USB-C cable', priceUsd: 12.99 },
  { sku: 'DK-400', name: 'Laptop dock', priceUsd: 139.0 },
];
const statuses = ['processing', 'shipped', 'in transit', 'delivered', 'cancelled', 'returned'] as const;
const dayMs = 86_400_000;
/** Fixed reference date, so results never depend on when the service runs. */
const referenceMs = Date.UTC(2025, 0, 1);

const schema = z
  .object({
    orderId: z
      .string()
      .trim()
      .regex(/^ORD-\d{4,10}$/, 'must look like ORD-12345 (ORD- followed by 4 to 10 digits)'),
  })
  .strict();

/** Fake order database: every well-formed id maps to the same order each time; one id in ten is unknown. */
export const lookupOrder = defineTool({
  name: 'lookup_order',
  description: 'Looks up an order by id: status, items, total and delivery estimate.',
  parameters: {
    type: 'object',
    properties: {
      orderId: { type: 'string', description: 'Order id, e.g. "ORD-10442"', pattern: '^ORD-\\d{4,10}$' },
    },
    required: ['orderId'],
    additionalProperties: false,
  },
  schema,
  latency: { medianMs: 40, sigma: 0.4, maxMs: 1_000 },
  run({ orderId }) {
    const random = createRandom(0, orderId);
    if (random.next() < 0.1) return { orderId, found: false };
    const count = 1 + Math.floor(random.next() * 3);
    const items = Array.from({ length: count }, () => {
      const product = products[Math.floor(random.next() * products.length)]!;
      return { ...product, quantity: 1 + Math.floor(random.next() * 3) };
    });
    const totalCents = items.reduce((sum, i) => sum + Math.round(i.priceUsd * 100) * i.quantity, 0);
    const placedMs = referenceMs - Math.floor(random.next() * 60) * dayMs;
    return {
      orderId,
      found: true,
      status: statuses[Math.floor(random.next() * statuses.length)],
      items,
      totalUsd: totalCents / 100,
      placedAt: new Date(placedMs).toISOString().slice(0, 10),
      estimatedDelivery: new Date(placedMs + (2 + Math.floor(random.next() * 6)) * dayMs)
        .toISOString()
        .slice(0, 10),
    };
  },
});
