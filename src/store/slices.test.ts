// The models and tokenizers slices through the store's actions (src/store/index.ts): a load keeps the teacher's
// tokenizer for the Tokenizers tab, a failed load keeps the previous teacher, fill-mask busy / results / errors; a
// vocabulary job's messages (stale jobs dropped), a finished or imported vocabulary is the whole student by default.
import { beforeEach, describe, expect, it } from 'vitest';
import { actions, useWorkbench } from './index.ts';
import { DEFAULT_TOKENIZER_TRAIN } from '../tokenizers/trainTokenizer.ts';
import type { ModelSummary, TokenizerJobStats } from '../worker/protocol.ts';

const s = () => useWorkbench.getState();
const summary = { name: 'teacher', vocabSize: 100 } as ModelSummary;

beforeEach(() => actions.reset());

describe('models slice', () => {
  it('load → ready with the teacher and its tokenizer; a failed load keeps it; fill-mask busy then results or an error', () => {
    actions.modelLoadStarted();
    expect(s().models.status).toBe('loading');
    actions.modelLoadFailed('HfFolderError: no config.json');
    expect(s().models).toMatchObject({ status: 'error', teacher: null, error: 'HfFolderError: no config.json' });
    actions.modelLoadStarted();
    actions.modelLoaded(summary, '{"model":{}}');
    expect(s().models).toMatchObject({ status: 'ready', teacher: summary, teacherTokenizerJson: '{"model":{}}', error: null });
    actions.modelLoadFailed('bad');
    expect(s().models).toMatchObject({ status: 'ready', teacher: summary, error: 'bad' });
    actions.fillMaskStarted();
    expect(s().models).toMatchObject({ busy: true, error: null });
    actions.fillMaskDone('a [MASK]', []);
    expect(s().models).toMatchObject({ busy: false, fillMask: { text: 'a [MASK]', results: [] } });
    actions.fillMaskStarted();
    actions.fillMaskFailed('Error: no model');
    expect(s().models).toMatchObject({ busy: false, error: 'Error: no model' });
  });
});

describe('tokenizers slice', () => {
  it('a job reports progress, its vocabulary becomes the whole student; stale jobs are dropped; an import replaces it', () => {
    const options = { ...DEFAULT_TOKENIZER_TRAIN, vocabSize: 600 };
    actions.tokenizerJobStarted('tok-1', options);
    actions.tokenizerMessage({ type: 'progress', jobId: 'tok-1', phase: 'counting', fraction: 0.5, detail: 'half' });
    expect(s().tokenizers.job).toMatchObject({ jobId: 'tok-1', phase: 'counting', fraction: 0.5 });
    actions.tokenizerMessage({ type: 'progress', jobId: 'tok-0', phase: 'training', fraction: 0.9, detail: 'stale' });
    expect(s().tokenizers.job?.phase).toBe('counting');
    const stats = { corpus: 'Moby-Dick', vocabSize: 600, baseSize: 80 } as TokenizerJobStats;
    actions.tokenizerMessage({ type: 'done', jobId: 'tok-1', tokenizerJson: '{}', whatIf: [], stats });
    expect(s().tokenizers).toMatchObject({ job: null, studentSize: 600, vocabulary: { json: '{}', name: 'Moby-Dick', size: 600, trained: { stats, options } } });
    actions.setStudentSize(300);
    expect(s().tokenizers.studentSize).toBe(300);
    actions.vocabularyImported('vocab.txt', '{"x":1}', 1200);
    expect(s().tokenizers).toMatchObject({ studentSize: 1200, vocabulary: { name: 'vocab.txt', size: 1200, trained: null } });
    actions.tokenizerJobStarted('tok-2', options);
    actions.tokenizerMessage({ type: 'error', jobId: 'tok-2', code: 'TokenizerTrainError', message: 'vocabulary size must be …' });
    expect(s().tokenizers).toMatchObject({ job: null, error: 'TokenizerTrainError: vocabulary size must be …' });
    actions.tokenizerJobStarted('tok-3', options);
    actions.tokenizerCrashed('out of memory');
    expect(s().tokenizers).toMatchObject({ job: null, error: 'The tokenizer worker crashed: out of memory' });
  });
});
