import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidConfigError } from '../../harness/errors.ts';
import type { FaultPatch, ToolFaults } from './faults.ts';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * Fault controls over HTTP, only when an admin token was given:
 *   GET /admin/faults -> settings; PUT or POST /admin/faults {patch} -> settings (400 lists problems);
 *   DELETE /admin/faults or POST /admin/faults/reset -> no faults.
 * POST and /reset mirror the model server's admin API, so a scenario drives both the same way. Comparing sha256 digests keeps the
 * comparison constant-time whatever the presented token's length.
 */
export function registerAdminRoutes(app: FastifyInstance, adminToken: string, faults: ToolFaults): void {
  const expected = digest(adminToken);
  app.register(async (admin) => {
    admin.addHook('onRequest', async (request, reply) => {
      const header = request.headers.authorization ?? '';
      const presented = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
      if (!timingSafeEqual(digest(presented), expected)) {
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer')
          .send({
            error: { code: 'unauthorized', message: 'admin routes need Authorization: Bearer <admin token>' },
          });
      }
    });
    admin.get('/admin/faults', async () => faults.state());
    const set = async (request: FastifyRequest<{ Body: FaultPatch }>, reply: FastifyReply) => {
      try {
        return faults.set(request.body ?? {});
      } catch (error) {
        if (!(error instanceof InvalidConfigError)) throw error;
        const issues = error.issues.map((i) => `${i.path || '(body)'}: ${i.message}`);
        return reply.code(400).send({
          error: {
            code: 'invalid_faults',
            message: `invalid fault settings: ${issues.join('; ')}`,
            issues,
          },
        });
      }
    };
    admin.put('/admin/faults', set);
    admin.post('/admin/faults', set);
    admin.delete('/admin/faults', async () => faults.reset());
    admin.post('/admin/faults/reset', async () => faults.reset());
  });
}
