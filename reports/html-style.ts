/** The report page's stylesheet: inline, system fonts only, so the file opens offline from disk. */
export const STYLE = `
:root { --ink:#1a202c; --muted:#718096; --line:#e2e8f0; --bg:#f7f8fa; --card:#fff;
  --pass:#2f855a; --pass-bg:#e6f4ea; --fail:#c53030; --fail-bg:#fdecec; --warn:#b7791f; --warn-bg:#fdf6e3; --accent:#2b6cb0; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
.page { max-width: 960px; margin: 0 auto; padding: 24px 24px 64px; }
header.top { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 20px 24px; }
.brand { font-size: 12px; letter-spacing: .08em; text-transform: uppercase; color: var(--muted); }
h1 { font-size: 24px; margin: 2px 0 4px; }
.sub { color: var(--muted); font-size: 13px; }
.verdict { margin-top: 14px; border-radius: 8px; padding: 12px 16px; display: flex; gap: 14px; align-items: flex-start; }
.verdict.pass { background: var(--pass-bg); color: var(--pass); }
.verdict.fail { background: var(--fail-bg); color: var(--fail); }
.verdict-word { font-weight: 700; font-size: 18px; letter-spacing: .04em; min-width: 64px; }
.verdict ul { margin: 2px 0 0; padding-left: 18px; color: var(--ink); }
.verdict p { margin: 2px 0 0; color: var(--ink); }
nav.toc { margin: 14px 0 0; display: flex; flex-wrap: wrap; gap: 6px; }
nav.toc a { font-size: 12px; color: var(--accent); text-decoration: none; border: 1px solid var(--line);
  border-radius: 999px; padding: 2px 10px; background: #fff; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 18px 24px; margin-top: 18px; }
h2 { font-size: 17px; margin: 0 0 10px; }
h3 { font-size: 14px; margin: 18px 0 8px; color: #2d3748; }
.run-title { margin: 28px 0 0; font-size: 19px; }
.run-title small { color: var(--muted); font-weight: 400; font-size: 13px; margin-left: 8px; }
p.intro { color: var(--muted); margin: -4px 0 12px; font-size: 13px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px; margin: 4px 0 8px; }
.tile { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; background: #fff; }
.tile-label { font-size: 12px; color: var(--muted); }
.tile-value { font-size: 20px; font-weight: 650; margin-top: 2px; font-variant-numeric: tabular-nums; }
.tile-note { font-size: 11.5px; color: var(--muted); margin-top: 2px; }
.tile-pass { border-left: 4px solid var(--pass); }
.tile-fail { border-left: 4px solid var(--fail); background: var(--fail-bg); }
.tile-warn { border-left: 4px solid var(--warn); }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 4px 0 6px; }
th { text-align: left; font-weight: 600; color: #4a5568; border-bottom: 2px solid var(--line); padding: 6px 8px; white-space: nowrap; }
td { border-bottom: 1px solid var(--line); padding: 6px 8px; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.gate td:last-child { color: #2d3748; }
.badge { display: inline-block; border-radius: 999px; padding: 0 8px; font-size: 12px; font-weight: 600; }
.tone-pass .badge { background: var(--pass-bg); color: var(--pass); }
.tone-fail .badge { background: var(--fail-bg); color: var(--fail); }
.tone-warn .badge { background: var(--warn-bg); color: var(--warn); }
td.tone-muted, p.tone-muted { color: var(--muted); }
p.note { font-size: 13px; margin: 6px 0; }
p.tone-warn { color: var(--warn); }
p.tone-fail { color: var(--fail); }
figure.chart { margin: 10px 0 4px; }
figure.chart figcaption h3 { margin: 6px 0 2px; }
figure.chart figcaption p { margin: 0 0 6px; color: var(--muted); font-size: 12.5px; }
figure.chart svg { max-width: 100%; height: auto; display: block; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
@media (max-width: 820px) { .pair { grid-template-columns: 1fr; } }
dl.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 8px 18px; margin: 4px 0; }
dl.facts div { border-bottom: 1px dashed var(--line); padding-bottom: 4px; }
dl.facts dt { font-size: 12px; color: var(--muted); }
dl.facts dd { margin: 0; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
footer { color: var(--muted); font-size: 12px; margin-top: 24px; text-align: center; }
`;
