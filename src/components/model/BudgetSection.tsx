import { useMemo, useState } from 'react';
import { useWorkbench } from '../../store/index.ts';
import { studentSizeOf } from '../../app/tokenizers.ts';
import { makeConfig } from '../../models/config.ts';
import { ParamBudget } from './ParamBudget.tsx';
import { breakdown, glmdExample, paperExample, type ParamBreakdown } from './budget.ts';

/**
 * The Models tab's parameter budget: the loaded teacher against a student you shape (its vocabulary by default the
 * Tokenizers tab's student), or one of the papers' examples; while the teacher loads, or without one, it says so.
 */
export function BudgetSection() {
  const lab = useWorkbench((s) => s.models);
  const labStudentSize = useWorkbench((s) => studentSizeOf(s.tokenizers));
  const [example, setExample] = useState<'loaded' | 'paper' | 'glmd'>('loaded');
  const [student, setStudent] = useState({ layers: 3, hidden: 128, heads: 4, ffn: 384, vocab: 0 });

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

  return (
    <>
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
    </>
  );
}
