/** report.json: the report document, validated against its published schema, then serialized. */
import { HarnessError } from '../harness/errors.ts';
import { reportSchema, type ReportDocument } from './report-schema.ts';

export function renderJson(doc: ReportDocument): string {
  const parsed = reportSchema.safeParse(doc);
  if (!parsed.success) {
    const first = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.')}: ${i.message}`)
      .join('; ');
    throw new HarnessError(`the report document does not match its own schema (${first})`, {
      hint: 'This is a bug in agentload reports; please report it with the results directory.',
    });
  }
  return `${JSON.stringify(parsed.data, null, 2)}\n`;
}
