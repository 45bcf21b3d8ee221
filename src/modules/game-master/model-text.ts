/**
 * A model's prose made safe to store and show: NFC, no control characters
 * (newlines kept, at most one blank line in a row), bounded in code points.
 * Undefined when nothing is left.
 */
export function cleanModelText(text: unknown, max: number): string | undefined {
  if (typeof text !== 'string') return undefined;
  const out = text
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/[\p{Cc}\u2028\u2029]/gu, (c) => (c === '\n' ? c : ' '))
    .replace(/[^\S\n]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  if (!out) return undefined;
  const chars = [...out];
  return chars.length <= max ? out : `${chars.slice(0, max - 1).join('')}…`;
}
