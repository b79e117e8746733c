import { z } from 'zod';
import { defineTool } from '../catalog.ts';
import { knowledgeCorpus, type KnowledgeArticle } from '../corpus.ts';

/**
 * BM25 over the bundled corpus (k1 = 1.2, b = 0.75, Lucene's idf = ln(1 + (N - n + 0.5) / (n + 0.5))).
 * The title counts twice by being indexed twice: titles are short and say what an article is about.
 */
const k1 = 1.2;
const b = 0.75;
const stopwords = new Set(
  'a an and are as at be by can do for from how i if in is it my of on or the to what when where with you your'.split(
    ' ',
  ),
);

function tokens(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((t) => !stopwords.has(t));
}

interface IndexedArticle {
  article: KnowledgeArticle;
  termCounts: Map<string, number>;
  length: number;
}

function buildIndex(corpus: readonly KnowledgeArticle[]) {
  const docs: IndexedArticle[] = corpus.map((article) => {
    const terms = tokens(`${article.title} ${article.title} ${article.body}`);
    const termCounts = new Map<string, number>();
    for (const t of terms) termCounts.set(t, (termCounts.get(t) ?? 0) + 1);
    return { article, termCounts, length: terms.length };
  });
  const docFreq = new Map<string, number>();
  for (const d of docs) for (const t of d.termCounts.keys()) docFreq.set(t, (docFreq.get(t) ?? 0) + 1);
  const avgLength = docs.reduce((s, d) => s + d.length, 0) / Math.max(docs.length, 1);
  return { docs, docFreq, avgLength };
}

const index = buildIndex(knowledgeCorpus);

export function searchCorpus(query: string, topK: number) {
  const queryTerms = [...new Set(tokens(query))];
  const n = index.docs.length;
  const scored = index.docs.map((d) => {
    let score = 0;
    for (const t of queryTerms) {
      const tf = d.termCounts.get(t) ?? 0;
      if (tf === 0) continue;
      const df = index.docFreq.get(t) ?? 0;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      score += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * d.length) / index.avgLength));
    }
    return { d, score };
  });
  return scored
    .filter((s) => s.score > 0)
    .sort((x, y) => y.score - x.score || x.d.article.id.localeCompare(y.d.article.id))
    .slice(0, topK)
    .map(({ d, score }) => ({
      id: d.article.id,
      title: d.article.title,
      snippet: d.article.body.length > 160 ? `${d.article.body.slice(0, 157)}...` : d.article.body,
      score: Math.round(score * 1000) / 1000,
    }));
}

const schema = z
  .object({
    query: z.string().trim().min(1, 'must not be empty').max(500, 'must be at most 500 characters'),
    topK: z.number().int('must be an integer').min(1).max(10).default(3),
  })
  .strict();

export const searchKnowledge = defineTool({
  name: 'search_knowledge',
  description:
    'Searches the help-centre knowledge base (shipping, returns, warranty, payments, accounts, products) and returns the best-matching articles.',
  parameters: {
    type: 'object',
    properties: {
      query: { type: 'string', description: 'What to search for', minLength: 1, maxLength: 500 },
      topK: {
        type: 'integer',
        description: 'How many articles to return (default 3)',
        minimum: 1,
        maximum: 10,
      },
    },
    required: ['query'],
    additionalProperties: false,
  },
  schema,
  latency: { medianMs: 150, sigma: 0.6, maxMs: 3_000 },
  run({ query, topK }) {
    return { query, results: searchCorpus(query, topK) };
  },
});
