import { describe, expect, it } from 'vitest';
import { knowledgeCorpus } from '../../../reference-service/tools/corpus.ts';
import { searchCorpus } from '../../../reference-service/tools/handlers/knowledge-search.ts';

describe('searchCorpus', () => {
  it('ranks the article whose title matches the query first', () => {
    expect(searchCorpus('reset my password', 3)[0]?.id).toBe('kb-password-reset');
    expect(searchCorpus('pairing bluetooth headphones', 3)[0]?.id).toBe('kb-headphone-pairing');
  });

  it('returns nothing for a query that matches no article', () => {
    expect(searchCorpus('zeppelin quasar', 5)).toEqual([]);
  });

  it('returns nothing for a query made only of stopwords', () => {
    expect(searchCorpus('how do I', 5)).toEqual([]);
  });

  it('returns at most topK results in descending score order', () => {
    const results = searchCorpus('order shipping days', 4);
    expect(results.length).toBe(4);
    for (let i = 1; i < results.length; i += 1)
      expect(results[i - 1]!.score).toBeGreaterThanOrEqual(results[i]!.score);
  });

  it('has unique article ids', () => {
    expect(new Set(knowledgeCorpus.map((a) => a.id)).size).toBe(knowledgeCorpus.length);
  });
});
