/** Corpus file formats (issue 3 §5): documents from .txt/.jsonl/.csv/.conllu, streamed, with named errors. */
import { describe, expect, it } from 'vitest';
import { CorpusFormatError, documents, formatOf, lines, parseCsvLine } from './corpusFormats.ts';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
const docs = (chunks: string[], f: Parameters<typeof documents>[1]) => collect(documents(lines(chunks), f));

describe('corpus formats', () => {
  it('lines survive chunk boundaries and CRLF', async () => {
    expect(await collect(lines(['ab\r', '\ncd', '\n', 'e']))).toEqual(['ab', 'cd', 'e']);
  });

  it('.txt: one document per non-empty line', async () => {
    expect(await docs(['один\n\n  два  \nthree'], 'txt')).toEqual(['один', 'два', 'three']);
  });

  it('.jsonl: the text field, else the first string field; bad JSON names the line', async () => {
    expect(await docs(['{"author":"Чехов","text":"Дама с собачкой"}\n{"id":3,"body":"x y"}\n'], 'jsonl')).toEqual(['Дама с собачкой', 'x y']);
    await expect(docs(['{"text":"ok"}\n{oops\n'], 'jsonl')).rejects.toThrow(/line 2 is not valid JSON/);
    await expect(docs(['{"n":1}\n'], 'jsonl')).rejects.toThrow(CorpusFormatError);
  });

  it('.csv: the "text" column (header skipped), quotes and doubled quotes', async () => {
    expect(parseCsvLine('1,"a, ""b""",c')).toEqual(['1', 'a, "b"', 'c']);
    expect(await docs(['id,text\n1,"Привет, мир"\n2,plain\n'], 'csv')).toEqual(['Привет, мир', 'plain']);
    expect(await docs(['first,second\nx,y\n'], 'csv')).toEqual(['first', 'x']);
  });

  it('.conllu: FORM column per sentence, skipping comments, ranges and empty nodes', async () => {
    const c = '# text = Он пошёл.\n1-2\tПошёл\t_\n1\tОн\tон\tPRON\n2\tпошёл\tпойти\tVERB\n2.1\tX\t_\n3\t.\t.\tPUNCT\n\n1\tДа\tда\tINTJ\n';
    expect(await docs([c], 'conllu')).toEqual(['Он пошёл .', 'Да']);
    await expect(docs(['1 Он\n'], 'conllu')).rejects.toThrow(/line 1 is not a CoNLL-U word line/);
  });

  it('file types by extension, with a named error for others', () => {
    expect(formatOf('corpus.JSONL')).toBe('jsonl');
    expect(() => formatOf('book.pdf')).toThrow(/unsupported file type; use one of .txt, .jsonl, .csv, .conllu/);
  });
});
