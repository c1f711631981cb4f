import { useState } from 'react';
import type { TaskFormat, TaskKind } from '../../eval/tasks.ts';
import { addTaskFile, addTaskFromForm, fileColumns } from '../../app/tasks.ts';

interface Split { file: File; format: TaskFormat; columns: string[] }

const errorText = (e: unknown) => `${(e as Error).name}: ${(e as Error).message}`;

/** Column pickers for a CSV / TSV / JSONL task: one text column (sequence) or two (pair), and the label. */
function ColumnPickers({ columns, kind, text, label, onText, onLabel }: {
  columns: string[]; kind: TaskKind; text: string[]; label: string; onText(t: string[]): void; onLabel(l: string): void;
}) {
  const pick = (value: string, onPick: (v: string) => void, testId: string, title: string) => (
    <label>
      {title}
      <select data-testid={testId} value={value} onChange={(e) => onPick(e.target.value)}>
        <option value="">(choose)</option>
        {columns.map((c) => <option key={c} value={c}>{c}</option>)}
      </select>
    </label>
  );
  const texts = kind === 'pair' ? [0, 1] : [0];
  return (
    <>
      {texts.map((i) => pick(text[i] ?? '', (v) => { const t = [...text]; t[i] = v; onText(t); }, `task-text-${i}`, kind === 'pair' ? `text ${i + 1}` : 'text'))}
      {pick(label, onLabel, 'task-label', 'label')}
    </>
  );
}

/**
 * Gives the page a benchmark task: a task file with its two split files (the CLI's and the recipe's schema), or two
 * split files with the kind and the columns chosen here from the columns the files offer. Errors name the file, the
 * line or the missing column and list the columns found.
 */
export function TaskForm({ disabled, onAdded }: { disabled: boolean; onAdded(id: string): void }) {
  const [splits, setSplits] = useState<{ train?: Split; test?: Split }>({});
  const [kind, setKind] = useState<TaskKind>('sequence');
  const [text, setText] = useState<string[]>([]);
  const [label, setLabel] = useState('');
  const [name, setName] = useState('my-task');
  const [error, setError] = useState<string | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const conllu = splits.train?.format === 'conllu';
  const done = (id: string) => { setError(null); setAdded(id); onAdded(id); };

  const chooseSplit = async (which: 'train' | 'test', file: File | undefined) => {
    setAdded(null);
    if (!file) return;
    try {
      const s = await fileColumns(file);
      setSplits((x) => ({ ...x, [which]: { file, ...s } }));
      if (which === 'train' && s.format === 'conllu') { setKind('token'); setLabel('upos'); }
      setError(null);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const add = async () => {
    if (!splits.train || !splits.test) return setError('choose a train and a test file');
    try {
      const t = await addTaskFromForm({ name, kind, train: splits.train.file, test: splits.test.file, text: conllu ? undefined : (kind === 'pair' ? [text[0], text[1]] : text[0]) as string | [string, string], label });
      done(t.id);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const addFile = async (files: FileList | null) => {
    if (!files?.length) return;
    try {
      done((await addTaskFile([...files])).id);
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <details data-testid="task-form">
      <summary>add a task (your files: CoNLL-U, CSV, TSV or JSONL)</summary>
      <div className="controls">
        <label title="a task.json ({name, kind, format, train, test, text, label}) together with its train and test files">
          task file + splits
          <input type="file" multiple data-testid="task-json-files" disabled={disabled} accept=".json,.conllu,.csv,.tsv,.jsonl" onChange={(e) => void addFile(e.target.files)} />
        </label>
      </div>
      <div className="controls">
        <label>train <input type="file" data-testid="task-train" disabled={disabled} accept=".conllu,.csv,.tsv,.jsonl" onChange={(e) => void chooseSplit('train', e.target.files?.[0])} /></label>
        <label>test <input type="file" data-testid="task-test" disabled={disabled} accept=".conllu,.csv,.tsv,.jsonl" onChange={(e) => void chooseSplit('test', e.target.files?.[0])} /></label>
        <label>name <input data-testid="task-name" value={name} disabled={disabled} onChange={(e) => setName(e.target.value)} /></label>
        <label>
          kind
          <select data-testid="task-kind" value={conllu ? 'token' : kind} disabled={disabled || conllu} onChange={(e) => setKind(e.target.value as TaskKind)}>
            {conllu ? <option value="token">token (tagging)</option> : <><option value="sequence">sequence</option><option value="pair">pair</option></>}
          </select>
        </label>
        {splits.train && !conllu && <ColumnPickers columns={splits.train.columns} kind={kind} text={text} label={label} onText={setText} onLabel={setLabel} />}
        {conllu && (
          <label>
            label column
            <select data-testid="task-label" value={label} onChange={(e) => setLabel(e.target.value)}>
              {['upos', 'xpos', 'deprel'].map((c) => <option key={c}>{c}</option>)}
            </select>
          </label>
        )}
        <button data-testid="task-add" disabled={disabled || !splits.train || !splits.test} onClick={() => void add()}>Add task</button>
      </div>
      {splits.train && <p className="hint">columns in {splits.train.file.name}: {splits.train.columns.join(', ') || '(none)'}</p>}
      {error && <div className="error" data-testid="task-error">{error}</div>}
      {added && !error && <div className="hint" data-testid="task-added">added “{added}”: ticked above</div>}
    </details>
  );
}
