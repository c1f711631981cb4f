/** Runs `vocabkd` in-process through `main(argv)`, with stdout and stderr captured (and not printed), for CLI tests. */
import { main } from '../cli/main.ts';

export async function runCli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = process.stdout.write, err = process.stderr.write;
  let stdout = '', stderr = '';
  process.stdout.write = ((s: string | Uint8Array) => { stdout += String(s); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => { stderr += String(s); return true; }) as typeof process.stderr.write;
  try {
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}
