import { useMemo, useState } from 'react';
import { useWorkbench } from '../../store/index.ts';
import { studentSizeOf } from '../../app/tokenizers.ts';
import { exportModel, loadModel, loadShippedTeacher, runFillMask, SHIPPED_TEACHERS } from '../../app/models.ts';
import { makeConfig, type MlmConfig } from '../../models/config.ts';
import { countParamsByPart } from '../../models/params.ts';
import { ParamBudget, type ParamBreakdown } from './ParamBudget.tsx';

/** methods.md §A.2: the paper's teacher (BertModel with pooler) and its tiny students (MLM head, tied decoder; the exact counts include a 2-row token-type table). */
const RUBERT = makeConfig({ vocabSize: 119_547, hiddenSize: 768, numLayers: 12, numHeads: 12, intermediateSize: 3072, maxPositions: 512 });
const tiny = (vocabSize: number) => makeConfig({ vocabSize, hiddenSize: 264, numLayers: 3, numHeads: 12, intermediateSize: 792, maxPositions: 512, typeVocabSize: 2 });

/** methods.md §B.2, BERT-shaped (512 positions, 2 token types, MLM head, tied): GLM-base and its 6 × 768 students. */
const glmdBert = (vocabSize: number, numLayers: number, embeddingSize?: number) =>
  makeConfig({ vocabSize, hiddenSize: 768, numLayers, numHeads: 12, intermediateSize: 3072, maxPositions: 512, embeddingSize });

function breakdown(name: string, c: MlmConfig, withPooler = false, withMlmHead = true): ParamBreakdown {
  const p = countParamsByPart(c, { withPooler, withMlmHead });
  return { name, embeddings: p.embeddings.total, body: p.body.total + p.pooler, head: p.head.total };
}

/** Teacher (shipped or imported HF folder), fill-mask, the parameter budget against a student, and HF export. */
export function ModelsPanel() {
  const lab = useWorkbench((s) => s.models);
  const labStudentSize = useWorkbench((s) => studentSizeOf(s.tokenizers));
  const [text, setText] = useState('Call me [MASK].');
  const [example, setExample] = useState<'loaded' | 'paper' | 'glmd'>('loaded');
  const [student, setStudent] = useState({ layers: 3, hidden: 128, heads: 4, ffn: 384, vocab: 0 });
  const [exported, setExported] = useState<string[]>([]);

  const studentVocab = student.vocab || labStudentSize || 5000;
  const models = useMemo((): ParamBreakdown[] | string => {
    try {
      if (example === 'glmd') return [breakdown('GLM-base 12×768', glmdBert(30_592, 12)), breakdown('GLMD-vc 6×768', glmdBert(30_592, 6)), breakdown('GLMD 50 % vocab', glmdBert(15_360, 6)), breakdown('GLMD+al E 384', glmdBert(15_360, 6, 384))];
      if (example === 'paper') return [breakdown('rubert-base (teacher)', RUBERT, true, false), breakdown('tiny, 30,522 vocab', tiny(30_522)), breakdown('tiny, 5,000 vocab', tiny(5000))];
      if (!lab.teacher) return 'load a teacher first';
      const t = lab.teacher.config;
      const s = makeConfig({ vocabSize: studentVocab, hiddenSize: student.hidden, numLayers: student.layers, numHeads: student.heads, intermediateSize: student.ffn, maxPositions: t.maxPositions, typeVocabSize: 0 });
      return [breakdown('teacher', t), breakdown('student', s)];
    } catch (e) {
      return (e as Error).message;
    }
  }, [example, lab.teacher, student, studentVocab]);

  const num = (k: keyof typeof student) => (e: React.ChangeEvent<HTMLInputElement>) => setStudent({ ...student, [k]: Number(e.target.value) });
  const onFiles = (files: FileList | null) => {
    if (files?.length) void loadModel({ kind: 'files', files: [...files], name: files[0].webkitRelativePath.split('/')[0] || files[0].name });
  };

  return (
    <section className="models-panel">
      <h2>Teacher</h2>
      <p data-testid="teacher-status" data-status={lab.status}>
        {lab.status === 'loading' && 'loading…'}
        {lab.teacher && (
          <>
            <b data-testid="teacher-name">{lab.teacher.name}</b>: {lab.teacher.config.numLayers} layers × {lab.teacher.config.hiddenSize}, {lab.teacher.config.numHeads} heads,
            vocabulary {lab.teacher.vocabSize.toLocaleString('en')} (tokenizer {lab.teacher.tokenizerSize.toLocaleString('en')}), loaded in {(lab.teacher.loadMs / 1000).toFixed(1)} s
          </>
        )}
        {lab.status === 'idle' && 'no teacher loaded'}
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
      {lab.fillMask && (
        <ol data-testid="fill-mask-results">
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
        <button data-testid="export-checkpoint" onClick={async () => setExported(await exportModel('checkpoint'))}>export the latest Train MLM checkpoint</button>
        {exported.length > 0 && <span data-testid="exported">downloaded: {exported.join(', ')}</span>}
      </div>
    </section>
  );
}
