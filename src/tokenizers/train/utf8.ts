/**
 * Streaming UTF-8 decoding that reports invalid input (issue 3 "Bad input": invalid UTF-8 is replaced, with a count
 * reported). Bytes are decoded with `TextDecoder('utf-8', {fatal: false})`; the count is the U+FFFD characters produced
 * minus the U+FFFD (EF BF BD) already present in the bytes. Portable: works on Node streams and on `File.stream()`.
 */

export interface DecodeStats {
  bytes: number;
  /** Invalid byte sequences replaced by U+FFFD. */
  invalidReplacements: number;
}

function countFffd(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\ufffd'); i >= 0; i = s.indexOf('\ufffd', i + 1)) n++;
  return n;
}

/** Decodes a byte stream chunk by chunk, updating `stats` as it goes. */
export async function* decodeUtf8Stream(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, stats: DecodeStats,
): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  // Last two bytes of the previous chunk, to find an EF BF BD split across chunks.
  let p1 = -1, p2 = -1;
  let genuine = 0, produced = 0;
  for await (const bytes of chunks) {
    stats.bytes += bytes.length;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] !== 0xbd) continue;
      const b1 = i >= 1 ? bytes[i - 1] : p2;
      const b0 = i >= 2 ? bytes[i - 2] : i === 1 ? p2 : p1;
      if (b1 === 0xbf && b0 === 0xef) genuine++;
    }
    if (bytes.length >= 2) { p1 = bytes[bytes.length - 2]; p2 = bytes[bytes.length - 1]; }
    else if (bytes.length === 1) { p1 = p2; p2 = bytes[0]; }
    const text = decoder.decode(bytes, { stream: true });
    produced += countFffd(text);
    stats.invalidReplacements = Math.max(0, produced - genuine); // exact once the stream ends
    if (text) yield text;
  }
  const tail = decoder.decode();
  produced += countFffd(tail);
  stats.invalidReplacements = produced - genuine;
  if (tail) yield tail;
}
