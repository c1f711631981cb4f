/**
 * Child-process probe for the corpus memory bound (src/cli/longLine.test.ts): reads a corpus file through the CLI's
 * validation layer and prints one JSON line {documents, longest, cutLines, heapUsedMB, peakRssMB}. Mode "keep" holds
 * every document (what pretrain / distill / eval do), "stream" only counts them (what tokenizer train does).
 * Run: node --max-old-space-size=N --import tsx src/testing/corpusMemory.ts FILE keep|stream
 */
import { corpusReport, corpusStream } from '../cli/files.ts';

const [file, mode] = process.argv.slice(2);
const report = corpusReport(file);
const kept: string[] = [];
let longest = 0;
for await (const d of corpusStream(file, 'corpus', report)) {
  longest = Math.max(longest, d.length);
  if (mode === 'keep') kept.push(d);
}
const MB = 2 ** 20;
process.stdout.write(JSON.stringify({
  documents: report.documents, kept: kept.length, longest, cutLines: report.cutLines,
  heapUsedMB: process.memoryUsage().heapUsed / MB, peakRssMB: process.resourceUsage().maxRSS / 1024,
}) + '\n');
