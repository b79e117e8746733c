/** Small HTML building blocks; every text goes through esc(). */

export function esc(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export type Tone = 'pass' | 'fail' | 'warn' | 'muted' | 'plain';

/** A cell: plain text, or text with a tone (coloured badge) or right alignment for figures. */
export interface Cell {
  text: string;
  tone?: Tone;
  numeric?: boolean;
  title?: string;
}

export type CellInput = string | Cell;

/** A right-aligned figure, optionally toned. */
export const num = (text: string, tone?: Tone): Cell => ({ text, numeric: true, ...(tone ? { tone } : {}) });

const asCell = (c: CellInput): Cell => (typeof c === 'string' ? { text: c } : c);

function cellHtml(c: Cell, tag: 'td' | 'th'): string {
  const classes = [c.numeric ? 'num' : '', c.tone && c.tone !== 'plain' ? `tone-${c.tone}` : ''].filter(
    Boolean,
  );
  const attrs = `${classes.length > 0 ? ` class="${classes.join(' ')}"` : ''}${c.title ? ` title="${esc(c.title)}"` : ''}`;
  const body =
    c.tone && c.tone !== 'plain' && c.tone !== 'muted'
      ? `<span class="badge">${esc(c.text)}</span>`
      : esc(c.text);
  return `<${tag}${attrs}>${body}</${tag}>`;
}

export function table(
  head: readonly CellInput[],
  rows: readonly (readonly CellInput[])[],
  className = '',
): string {
  const thead = `<thead><tr>${head.map((h) => cellHtml(asCell(h), 'th')).join('')}</tr></thead>`;
  const tbody = `<tbody>${rows.map((r) => `<tr>${r.map((c) => cellHtml(asCell(c), 'td')).join('')}</tr>`).join('')}</tbody>`;
  return `<div class="table-wrap"><table${className ? ` class="${className}"` : ''}>${thead}${tbody}</table></div>`;
}

export interface Tile {
  label: string;
  value: string;
  note?: string;
  tone?: Tone;
}

export function tiles(items: readonly Tile[]): string {
  const body = items
    .map(
      (t) =>
        `<div class="tile${t.tone ? ` tile-${t.tone}` : ''}"><div class="tile-label">${esc(t.label)}</div><div class="tile-value">${esc(t.value)}</div>${t.note ? `<div class="tile-note">${esc(t.note)}</div>` : ''}</div>`,
    )
    .join('');
  return `<div class="tiles">${body}</div>`;
}

/** A definition grid of key/value pairs. */
export function facts(pairs: readonly (readonly [string, string])[]): string {
  return `<dl class="facts">${pairs.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join('')}</dl>`;
}

export function section(id: string, title: string, body: string, intro = ''): string {
  return `<section id="${esc(id)}"><h2>${esc(title)}</h2>${intro ? `<p class="intro">${esc(intro)}</p>` : ''}${body}</section>`;
}

export function note(text: string, tone: Tone = 'muted'): string {
  return `<p class="note tone-${tone}">${esc(text)}</p>`;
}

export const passFail = (ok: boolean, pass = 'pass', fail = 'fail'): Cell => ({
  text: ok ? pass : fail,
  tone: ok ? 'pass' : 'fail',
});
