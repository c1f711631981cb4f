import { useRef, useState } from 'react';
import type { Recipe } from '../../distill/types.ts';
import type { BundleProgress, CorpusSource } from '../../worker/protocol.ts';
import { canPickFolder, exportForTorch, pickFolder, type TorchExportResult } from '../../app/torchExport.ts';

const mb = (n: number) => (n / 2 ** 20).toFixed(1);

/** The progress line: the writer's phase; while the corpus is read, how much of it (bytes) this pass has read. */
function ProgressLine({ p }: { p: BundleProgress }) {
  const reading = p.corpusTotal !== null && p.corpusBytes > 0 && p.corpusBytes < p.corpusTotal;
  const [value, max] = reading ? [p.corpusBytes, p.corpusTotal!] : p.total > 0 ? [p.done, p.total] : [0, 0];
  return (
    <span data-testid="distill-export-torch-progress" data-phase={p.phase}>
      {p.phase}{p.phase === 'data' ? ` (${p.done.toLocaleString('en')} texts)` : ''}{' '}
      {max > 0 ? <progress value={value} max={max} /> : <progress />}
      {reading && ` ${mb(p.corpusBytes)} / ${mb(p.corpusTotal!)} MB of the corpus`}
    </span>
  );
}

/**
 * "Export for PyTorch" (issue 18): the bundle of `vocabkd export-run` for trainers/torch/ (README "Scaling up"), built
 * in the worker from the recipe, the loaded teacher and the selected corpus, downloaded as a .zip or written into a
 * folder the user picks; progress, and Stop.
 */
export function ExportTorchButton({ recipe, corpus, disabled }: { recipe: Recipe | null; corpus: () => CorpusSource; disabled: boolean }) {
  const [progress, setProgress] = useState<BundleProgress | null>(null);
  const [done, setDone] = useState<TorchExportResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const stop = useRef<AbortController | null>(null);
  const busy = progress !== null;

  const start = async (folder: boolean) => {
    if (!recipe) return;
    setError(null);
    setDone(null);
    const into = folder ? await pickFolder() : undefined;
    if (into === null) return; // the picker was cancelled
    stop.current = new AbortController();
    setProgress({ phase: 'starting', done: 0, total: 1, corpusBytes: 0, corpusTotal: null });
    try {
      setDone(await exportForTorch(recipe, corpus(), { into, signal: stop.current.signal, onProgress: setProgress }));
    } catch (e) {
      setError(`${(e as Error).name}: ${(e as Error).message}`);
    } finally {
      setProgress(null);
      stop.current = null;
    }
  };

  return (
    <div className="controls" data-testid="distill-export-torch-panel">
      <button data-testid="distill-export-torch" disabled={disabled || busy || !recipe} onClick={() => void start(false)}
        title="the bundle of vocabkd export-run (teacher, initial student, alignment, pre-tokenised shards, manifest) for trainers/torch/train.py">
        Export for PyTorch (.zip)
      </button>
      {canPickFolder() && (
        <button data-testid="distill-export-torch-folder" disabled={disabled || busy || !recipe} onClick={() => void start(true)}>…into a folder</button>
      )}
      {busy && <button data-testid="distill-export-torch-stop" onClick={() => stop.current?.abort()}>Stop export</button>}
      {progress && <ProgressLine p={progress} />}
      {done && (
        <span data-testid="distill-export-torch-done">
          {done.name}: {done.manifest.counts.sequences.toLocaleString('en')} training / {done.manifest.counts.heldoutSequences.toLocaleString('en')} held-out sequences
          in {done.manifest.shards.length} shards. Unzip, then <code>torchrun --nproc-per-node N trainers/torch/train.py --bundle {done.name.replace(/(\.zip|\/)$/, '')} --out RUN</code>
        </span>
      )}
      {error && <div className="error" data-testid="distill-export-torch-error">{error}</div>}
    </div>
  );
}
