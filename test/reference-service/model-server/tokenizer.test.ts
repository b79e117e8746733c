import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countTokens, segment } from '../../../reference-service/model-server/tokenizer.ts';
import {
  capitalTokens,
  commaToken,
  periodToken,
  wordTokens,
} from '../../../reference-service/model-server/vocab.ts';

describe('countTokens', () => {
  it('counts a word of up to eight letters as one token and splits longer ones', () => {
    expect(countTokens('model')).toBe(1);
    expect(countTokens('tokenize')).toBe(1);
    expect(countTokens('tokenizers')).toBe(2);
    expect(countTokens('internationalization')).toBe(3);
  });

  it('counts each digit, punctuation mark and non-ASCII code point as one token', () => {
    expect(countTokens('2025')).toBe(4);
    expect(countTokens('Hi, you!')).toBe(4);
    expect(countTokens('日本')).toBe(2);
    expect(countTokens('🙂')).toBe(1);
  });

  it('treats whitespace as free', () => {
    expect(countTokens('  a  \n b\t')).toBe(2);
    expect(countTokens('')).toBe(0);
  });
});

describe('segment', () => {
  it('splits text into tokens that keep their leading whitespace', () => {
    expect(segment('Hello, big world')).toEqual(['Hello', ',', ' big', ' world']);
    expect(segment('{"a": 1} ')).toEqual(['{', '"', 'a', '"', ':', ' 1', '} ']);
  });

  it('gives as many pieces as countTokens counts, which join back to the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const pieces = segment(text);
        expect(pieces.length).toBe(countTokens(text));
        if (pieces.length > 0) expect(pieces.join('')).toBe(text);
      }),
    );
  });
});

describe('the output vocabulary', () => {
  it('holds only entries that are exactly one token each', () => {
    for (const t of [...wordTokens, ...capitalTokens, periodToken, commaToken]) {
      expect(countTokens(t.text), t.text).toBe(1);
      expect(JSON.parse(t.json)).toBe(t.text);
    }
  });
});
