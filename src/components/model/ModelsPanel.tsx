import { useState } from 'react';
import { useWorkbench } from '../../store/index.ts';
import { latestRun } from '../../store/runs.ts';
import { exportModel, loadModel, loadShippedTeacher, SHIPPED_TEACHERS } from '../../app/models.ts';
import { BudgetSection } from './BudgetSection.tsx';
import { teacherStatusText } from './status.ts';
import { FillMask } from './FillMask.tsx';
import { int } from '../../app/format.ts';

/** Teacher (shipped or imported HF folder), fill-mask, the parameter budget against a student, and HF export. */
export function ModelsPanel() {
  const lab = useWorkbench((s) => s.models);
  const checkpointStep = useWorkbench((s) => latestRun(s, 'pretrain')?.checkpointStep ?? null);
  const [exported, setExported] = useState<string[]>([]);

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
            vocabulary {int(lab.teacher.vocabSize)} (tokenizer {int(lab.teacher.tokenizerSize)}), loaded in {(lab.teacher.loadMs / 1000).toFixed(1)} s
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
      <FillMask />

      <h2>Parameter budget</h2>
      <BudgetSection />

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
