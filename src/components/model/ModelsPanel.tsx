import { useMemo, useState } from 'react';
import { useWorkbench } from '../../store/index.ts';
import { latestRun } from '../../store/runs.ts';
import { studentSizeOf } from '../../app/tokenizers.ts';
import { exportModel, loadModel, loadShippedTeacher, runFillMask, SHIPPED_TEACHERS } from '../../app/models.ts';
import { makeConfig } from '../../models/config.ts';
import { ParamBudget } from './ParamBudget.tsx';
import { breakdown, glmdExample, paperExample, type ParamBreakdown } from './budget.ts';
import { teacherStatusText } from './status.ts';

/** Teacher (shipped or imported HF folder), fill-mask, the parameter budget against a student, and HF export. */
export function ModelsPanel() {
  const lab = useWorkbench((s) => s.models);
  const labStudentSize = useWorkbench((s) => studentSizeOf(s.tokenizers));
  const checkpointStep = useWorkbench((s) => latestRun(s, 'pretrain')?.checkpointStep ?? null);
  const [text, setText] = useState('Call me [MASK].');
  const [example, setExample] = useState<'loaded' | 'paper' | 'glmd'>('loaded');
  const [student, setStudent] = useState({ layers: 3, hidden: 128, heads: 4, ffn: 384, vocab: 0 });
  const [exported, setExported] = useState<string[]>([]);

  const studentVocab = student.vocab || labStudentSize || 5000;
  const models = useMemo((): ParamBreakdown[] | string => {
    try {
      if (example === 'glmd') return glmdExample();
      if (example === 'paper') return paperExample();
      if (!lab.teacher) return lab.status === 'loading' ? `waiting for ${lab.loading ?? 'the teacher'} to load` : 'no teacher loaded: load one above, or compare one of the papers\' examples';
      const t = lab.teacher.config;
      const s = makeConfig({ vocabSize: studentVocab, hiddenSize: student.hidden, numLayers: student.layers, numHeads: student.heads, intermediateSize: student.ffn, maxPositions: t.maxPositions, typeVocabSize: 0 });
      return [breakdown('teacher', t), breakdown('student', s)];
    } catch (e) {
      return (e as Error).message;
    }
  }, [example, lab.teacher, lab.status, lab.loading, student, studentVocab]);

  const num = (k: keyof typeof student) => (e: React.ChangeEvent<HTMLInputElement>) => setStudent({ ...student, [k]: Number(e.target.value) });
  const onFiles = (files: FileList | null) => {
    if (files?.length) void loadModel({ kind: 'files', files: [...files], name: files[0].webkitRelativePath.split('/')[0] || files[0].name });
  };

  return (
    <section className="models-panel">
      <h2>Teacher</h2>
      <p data-testid="teacher-status" data-status={lab.status}>
        {teacherStatusText(lab)}
        {lab.teacher && lab.status !== 'loading' && (
          <>
            <b data-testid="teacher-name">{lab.teacher.name}</b>: {lab.teacher.config.numLayers} layers × {lab.teacher.config.hiddenSize}, {lab.teacher.config.numHeads} heads,
            vocabulary {lab.teacher.vocabSize.toLocaleString('en')} (tokenizer {lab.teacher.tokenizerSize.toLocaleString('en')}), loaded in {(lab.teacher.loadMs / 1000).toFixed(1)} s
          </>
        )}
      </p>
      {lab.teacher?.warnings.map((w) => <div className="notice" key={w}>⚠ {w}</div>)}
      {lab.error && <div className="error" data-testid="model-error">{lab.error}</div>}
      <div className="controls">
        {SHIPPED_TEACHERS.map((t) => (
          <button key={t.id} data-testid={`shipped-${t.id}`} disabled={lab.status === 'loading' || lab.teacher?.name === t.name} onClick={() => void loadShippedTeacher(t.id)}>
            load the {t.name}
          </button>
        ))}
      </div>
      <div className="controls">
        <label>import an HF folder (config.json, model.safetensors, tokenizer.json or vocab.txt)
          <input type="file" multiple data-testid="model-files" onChange={(e) => onFiles(e.target.files)} />
        </label>
        <label>or the whole folder
          <input type="file" data-testid="model-folder" {...({ webkitdirectory: '' } as object)} onChange={(e) => onFiles(e.target.files)} />
        </label>
      </div>

      <h2>Fill-mask</h2>
      <div className="controls">
        <input data-testid="fill-mask-text" style={{ flex: 1 }} value={text} onChange={(e) => setText(e.target.value)} />
        <button data-testid="fill-mask-run" disabled={!lab.teacher || lab.busy} onClick={() => void runFillMask(text, 5)}>Fill</button>
      </div>
      {!lab.fillMask && <p className="hint" data-testid="fill-mask-empty">{lab.busy ? 'filling…' : lab.teacher ? 'no results yet: write a text with [MASK] and press Fill' : 'no results: load a teacher first'}</p>}
      {lab.fillMask && lab.fillMask.text !== text && (
        <div className="notice" data-testid="fill-mask-stale">the results below are for “{lab.fillMask.text}”, not the text above: press Fill</div>
      )}
      {lab.fillMask && (
        <ol data-testid="fill-mask-results" className={lab.fillMask.text !== text ? 'stale' : undefined} data-stale={lab.fillMask.text !== text}>
          {lab.fillMask.results.map((r) => (
            <li key={r.position}>
              {r.candidates.map((c) => (
                <span key={c.id} className="candidate" data-token={c.token} data-probability={c.probability}>
                  {c.token} <small>{(c.probability * 100).toFixed(1)} %</small>{' '}
                </span>
              ))}
            </li>
          ))}
        </ol>
      )}

      <h2>Parameter budget</h2>
      <div className="controls">
        <label>compare
          <select value={example} onChange={(e) => setExample(e.target.value as 'loaded' | 'paper' | 'glmd')}>
            <option value="loaded">the teacher and a student</option>
            <option value="paper">Kolesnikova et al.: rubert-base → tiny (30k / 5k)</option>
            <option value="glmd">GLMD (Tan et al.): GLM-base → 6 × 768 students, BERT-shaped</option>
          </select>
        </label>
        {example === 'loaded' && (
          <>
            <label>student layers <input type="number" min={1} value={student.layers} onChange={num('layers')} /></label>
            <label>hidden <input type="number" min={8} value={student.hidden} onChange={num('hidden')} /></label>
            <label>heads <input type="number" min={1} value={student.heads} onChange={num('heads')} /></label>
            <label>FFN <input type="number" min={8} value={student.ffn} onChange={num('ffn')} /></label>
            <label>vocabulary <input type="number" min={0} placeholder={String(studentVocab)} value={student.vocab || ''} onChange={num('vocab')} /></label>
          </>
        )}
      </div>
      {typeof models === 'string' ? <p className="hint" data-testid="budget-message">{models}</p> : <ParamBudget models={models} />}
      {example === 'glmd' && (
        <p className="hint">
          Under GLM's own conventions the students are 66.8 M / 55.1 M / 49.8 M. The BERT-shaped counts here differ by
          layout, not arithmetic: GLM adds a second (block) position table of 513 × 768 and a final LayerNorm, while
          BERT has token types, an embedding LayerNorm and the masked-LM transform.
        </p>
      )}

      <h2>Export</h2>
      <div className="controls">
        <button data-testid="export-teacher" disabled={!lab.teacher} onClick={async () => setExported(await exportModel('teacher'))}>export the teacher as an HF folder</button>
        <button data-testid="export-checkpoint" disabled={checkpointStep === null} title={checkpointStep === null ? 'no checkpoint yet: train in the Train MLM tab first' : undefined} onClick={async () => setExported(await exportModel('checkpoint'))}>
          export the latest Train MLM checkpoint{checkpointStep === null ? ' (none yet)' : ` (step ${checkpointStep})`}
        </button>
        {exported.length > 0 && <span data-testid="exported">downloaded: {exported.join(', ')}</span>}
      </div>
    </section>
  );
}
