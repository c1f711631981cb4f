/**
 * How every tab draws a token (issue 12 item 4): its colour is a hash of the token string, so the same piece has the
 * same colour on the teacher's and the student's rows and on every tab; `##` and whitespace stay visible.
 */

/** FNV-1a over the UTF-16 code units of `token`, as an unsigned 32-bit number. */
export function tokenHash(token: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) h = Math.imul(h ^ token.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A stable pastel colour per token string (hash → hue), light enough for black text. */
export function tokenColour(token: string): string {
  return `hsl(${tokenHash(token) % 360} 70% 82%)`;
}

/** Whitespace made visible: space ·, tab →, line break ↵, other spaces ␣. */
export const visibleGap = (s: string) => s.replace(/ /g, '·').replace(/\t/g, '→').replace(/\r?\n/g, '↵').replace(/[\u00a0\u2000-\u200b\u3000]/g, '␣');

/** A token for display: its continuation prefix (`##`) apart, the rest with whitespace visible (an empty string: ∅). */
export function tokenParts(token: string, prefix = '##'): { prefix: string; body: string } {
  const cont = token.startsWith(prefix) && token.length > prefix.length;
  const body = cont ? token.slice(prefix.length) : token;
  return { prefix: cont ? prefix : '', body: body === '' ? '∅' : visibleGap(body) };
}
