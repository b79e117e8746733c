/**
 * Vega-Lite spec -> SVG text, in Node: compile to Vega, run a headless View (renderer 'none', so
 * no canvas is needed) and serialize its scenegraph. Vega names clip paths and gradients
 * "clip1", "gradient_2"...; several charts inlined in one HTML page would share those ids and clip
 * each other, so every id and reference gets the chart's own prefix.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { HarnessError } from '../harness/errors.ts';

function prefixIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${prefix}${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}${id})`)
    .replace(/href="#([^"]+)"/g, (_, id: string) => `href="#${prefix}${id}"`);
}

/** Collects Vega-Lite's compile warnings instead of printing them to the console. */
function collectingLogger(warnings: string[]): vega.LoggerInterface {
  let level = vega.Warn;
  const logger: vega.LoggerInterface = {
    level(value?: number) {
      if (value === undefined) return level as never;
      level = value;
      return logger as never;
    },
    error: (...args: readonly unknown[]) => {
      warnings.push(args.map(String).join(' '));
      return logger;
    },
    warn: (...args: readonly unknown[]) => {
      warnings.push(args.map(String).join(' '));
      return logger;
    },
    info: () => logger,
    debug: () => logger,
  };
  return logger;
}

/**
 * @param warnings receives Vega-Lite's compile warnings (tests require none).
 * @throws HarnessError when the spec does not compile or render (a bug in a chart definition).
 */
export async function renderSvg(
  spec: TopLevelSpec,
  idPrefix: string,
  warnings: string[] = [],
): Promise<string> {
  let view: vega.View | null = null;
  try {
    const compiled = compile(spec, { logger: collectingLogger(warnings) }).spec;
    view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
    const svg = await view.toSVG();
    return prefixIds(svg, idPrefix);
  } catch (cause) {
    throw new HarnessError(`a report chart could not be rendered: ${(cause as Error).message}`, {
      hint: 'This is a bug in agentload reports; please report it with the results directory.',
      cause,
    });
  } finally {
    view?.finalize();
  }
}
