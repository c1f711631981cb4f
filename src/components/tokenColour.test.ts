// The one token colouring (issue 12 item 4): a hash of the token string, so the same piece has the same colour on
// both rows and every tab; whitespace and the ## prefix stay visible.
import { describe, expect, it } from 'vitest';
import { tokenColour, tokenHash, tokenParts, visibleGap } from './tokenColour.ts';

describe('tokenColour', () => {
  it('FNV-1a of the UTF-16 units (published test vectors) and a pastel hue from it', () => {
    expect(tokenHash('')).toBe(0x811c9dc5);
    expect(tokenHash('a')).toBe(0xe40c292c);
    expect(tokenHash('foobar')).toBe(0xbf9cf968);
    expect(tokenColour('a')).toBe(`hsl(${0xe40c292c % 360} 70% 82%)`);
  });

  it('the same string always gets the same colour; near strings get different ones', () => {
    expect(tokenColour('##ing')).toBe(tokenColour('##ing'));
    const tokens = ['the', 'The', '##the', 'whale', '##s', 's', 'кит', '##ы', '鯨', '🐋'];
    const colours = new Set(tokens.map(tokenColour));
    expect(colours.size).toBeGreaterThanOrEqual(tokens.length - 1); // 360 hues: at most one clash among ten is tolerated
    expect(tokenColour('the')).not.toBe(tokenColour('The'));
    for (const c of colours) expect(c).toMatch(/^hsl\(\d{1,3} 70% 82%\)$/);
  });
});

describe('visible tokens', () => {
  it('whitespace shows as · → ↵ ␣', () => {
    expect(visibleGap(' \t\n\r\n\u00a0')).toBe('·→↵↵␣');
    expect(visibleGap('ab')).toBe('ab');
  });

  it('the continuation prefix apart; a bare ## is a token of its own; the empty string is ∅', () => {
    expect(tokenParts('##ing')).toEqual({ prefix: '##', body: 'ing' });
    expect(tokenParts('ing')).toEqual({ prefix: '', body: 'ing' });
    expect(tokenParts('##')).toEqual({ prefix: '', body: '##' });
    expect(tokenParts('')).toEqual({ prefix: '', body: '∅' });
    expect(tokenParts('a b')).toEqual({ prefix: '', body: 'a·b' });
  });
});
