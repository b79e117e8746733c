/**
 * The simulator's tokenizer: a deterministic approximation of a BPE tokenizer, documented in
 * docs/model-server-api.md ("How tokens are counted"). Rules:
 *   - a run of ASCII letters is ceil(length / 8) tokens (BPE keeps common words whole and splits
 *     long ones);
 *   - every digit is one token (Llama 3 splits numbers into short digit groups; one per digit
 *     keeps the rule simple and errs high);
 *   - every other non-space character (punctuation, symbols, each non-ASCII code point) is one token;
 *   - whitespace is free: it rides on the token that follows it.
 * Generated text is built from tokens that are each exactly one token under these rules, so
 * countTokens(generated_text) equals the generated token count (minus the EOS token, which has no text).
 */

const MAX_LETTERS_PER_TOKEN = 8;

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || code === 160;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Number of tokens in `text` under the rules above. */
export function countTokens(text: string): number {
  let tokens = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const code = text.charCodeAt(i);
    if (isSpace(code)) {
      i++;
    } else if (isLetter(code)) {
      const start = i;
      while (i < n && isLetter(text.charCodeAt(i))) i++;
      tokens += Math.ceil((i - start) / MAX_LETTERS_PER_TOKEN);
    } else {
      tokens++;
      i += isHighSurrogate(code) && i + 1 < n ? 2 : 1;
    }
  }
  return tokens;
}

/**
 * Splits `text` into its tokens, each carrying the whitespace before it (trailing whitespace rides
 * on the last token), so `segment(t).join('') === t` whenever t has at least one token.
 */
export function segment(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = text.length;
  let pending = 0;
  while (i < n) {
    const start = i - pending;
    const code = text.charCodeAt(i);
    if (isSpace(code)) {
      i++;
      pending++;
      continue;
    }
    if (isLetter(code)) {
      let end = i;
      while (end < n && end - i < MAX_LETTERS_PER_TOKEN && isLetter(text.charCodeAt(end))) end++;
      i = end;
    } else {
      i += isHighSurrogate(code) && i + 1 < n ? 2 : 1;
    }
    out.push(text.slice(start, i));
    pending = 0;
  }
  if (pending > 0 && out.length > 0) out[out.length - 1] += text.slice(n - pending);
  return out;
}
