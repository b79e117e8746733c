import { hashSeed } from './rng.ts';

/**
 * The output vocabulary. Every entry is exactly one token under tokenizer.ts (a space plus at most
 * eight ASCII letters, or one punctuation mark), and carries its JSON-escaped text so the SSE writer
 * never re-serializes token text on the hot path.
 */
export interface VocabToken {
  readonly id: number;
  readonly text: string;
  /** JSON.stringify(text), precomputed. */
  readonly json: string;
  readonly special: boolean;
}

const WORDS = (
  'the of and to in is that for it as with was on be by this are at from or an which have not ' +
  'but all were can more one has its also there their been into other some when will these would ' +
  'about model server request token batch queue memory cache latency answer question system user ' +
  'agent tool result value number time first second third data network service replica capacity ' +
  'planner budget window stream output input prompt context length limit rate load peak steady ' +
  'spike outage failure retry timeout circuit breaker session turn message reply report figure ' +
  'measure sample median tail percent growth demand supply cluster node region zone storage ' +
  'compute graphics kernel tensor matrix vector scalar layer weight bias signal noise pattern ' +
  'design shape method process thread worker socket packet header payload record entry index ' +
  'search filter sort merge split group order range bound error warning notice status health ' +
  'ready start finish begin end early late quick slow fast stable simple clear useful careful ' +
  'good better best small large wide narrow deep high low long short many few each every both ' +
  'either neither because however thus while during before after since until unless'
).split(' ');

function token(id: number, text: string, special = false): VocabToken {
  return Object.freeze({ id, text, json: JSON.stringify(text), special });
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

const WORD_ID_BASE = 1000;

/** Lower-case words with a leading space. */
export const wordTokens: readonly VocabToken[] = WORDS.map((w, i) => token(WORD_ID_BASE + 2 * i, ` ${w}`));
/** The same words capitalized, used after a full stop. */
export const capitalTokens: readonly VocabToken[] = WORDS.map((w, i) =>
  token(WORD_ID_BASE + 2 * i + 1, ` ${capitalize(w)}`),
);
export const periodToken = token(13, '.');
export const commaToken = token(11, ',');

/** Llama 3's end-of-turn token, or the last id of a smaller vocabulary. */
export function eosToken(vocabSize: number): VocabToken {
  return token(vocabSize > 128009 ? 128009 : vocabSize - 1, '<|eot_id|>', true);
}

/** A stable id for arbitrary token text (tool-call JSON, prompt tokens): its hash into the vocabulary. */
export function idForText(text: string, vocabSize: number): number {
  return hashSeed(0, text) % Math.max(1, vocabSize - 1);
}

export function textToken(text: string, vocabSize: number): VocabToken {
  return token(idForText(text, vocabSize), text);
}
