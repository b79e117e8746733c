import type { SimRng } from './rng.ts';
import { capitalTokens, commaToken, periodToken, wordTokens, type VocabToken } from './vocab.ts';

/** TGI's finish reasons (router/src/lib.rs FinishReason). */
export type FinishReason = 'length' | 'eos_token' | 'stop_sequence';

export interface EmittedToken {
  token: VocabToken;
  logprob: number;
  /** Set on the request's last token. */
  finish: FinishReason | null;
}

/** What a request generates, one token per call, decided when the request is validated. */
export interface TokenSource {
  next(): EmittedToken;
}

export interface TextSourceOptions {
  rng: SimRng;
  maxNewTokens: number;
  /** Position (1-based) of the EOS token when the model stops on its own; > maxNewTokens means never. */
  eosAtToken: number;
  stopSequences: readonly string[];
  eos: VocabToken;
}

/** bf16-like logprobs: multiples of 1/256 in (-2.5, 0]. */
function drawLogprob(rng: SimRng): number {
  return -Math.round(rng.next() * 2.5 * 256) / 256;
}

/** Plain prose from the vocabulary: sentences of 5-14 words, an occasional comma. */
export function createTextSource(options: TextSourceOptions): TokenSource {
  const { rng, maxNewTokens, eosAtToken, eos } = options;
  const stopSequences = options.stopSequences.filter((s) => s.length > 0);
  const longestStop = stopSequences.reduce((m, s) => Math.max(m, s.length), 0);
  let emitted = 0;
  let wordsLeft = rng.int(5, 14);
  let sentenceStart = true;
  let tail = '';

  function nextProse(): VocabToken {
    if (wordsLeft === 0) {
      wordsLeft = rng.int(5, 14);
      sentenceStart = true;
      return periodToken;
    }
    const pick = rng.int(0, wordTokens.length - 1);
    const word = sentenceStart ? capitalTokens[pick]! : wordTokens[pick]!;
    if (!sentenceStart && wordsLeft > 1 && rng.next() < 0.06) {
      wordsLeft--;
      return commaToken;
    }
    sentenceStart = false;
    wordsLeft--;
    return word;
  }

  return {
    next() {
      emitted++;
      const logprob = drawLogprob(rng);
      if (emitted === eosAtToken) return { token: eos, logprob, finish: 'eos_token' };
      const token = nextProse();
      let finish: FinishReason | null = emitted >= maxNewTokens ? 'length' : null;
      if (longestStop > 0) {
        // A match can only end inside the newest token; the tail keeps enough text to see it.
        tail = (tail + token.text).slice(-(longestStop + token.text.length));
        if (stopSequences.some((s) => tail.includes(s))) finish = 'stop_sequence';
      }
      return { token, logprob, finish };
    },
  };
}

/**
 * A fixed token list (a tool call, a JSON answer) followed by EOS; cut at maxNewTokens with
 * finish_reason "length" when the list is longer, as a real model would be.
 */
export function createListSource(
  tokens: readonly VocabToken[],
  options: { rng: SimRng; maxNewTokens: number; eos: VocabToken },
): TokenSource {
  let emitted = 0;
  return {
    next() {
      const i = emitted++;
      const logprob = drawLogprob(options.rng);
      const token = i < tokens.length ? tokens[i]! : options.eos;
      const finish: FinishReason | null =
        i >= tokens.length ? 'eos_token' : emitted >= options.maxNewTokens ? 'length' : null;
      return { token, logprob, finish };
    },
  };
}
