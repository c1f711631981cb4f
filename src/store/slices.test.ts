// The models and tokenizers slices through the store's actions (src/store/index.ts): a load keeps the teacher's
// tokenizer for the Tokenizers tab, a failed load keeps the previous teacher, fill-mask busy / results / errors; a
// vocabulary job's messages (stale jobs dropped), a finished or imported vocabulary is the whole student by default;
// issue 17 §6: what loads is named, and no result stands unmarked beside an error about another input.
import { beforeEach, describe, expect, it } from 'vitest';
import { actions, useWorkbench } from './index.ts';
import { staleVocabulary } from './tokenizers.ts';
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

  it('a load says what loads; results never stay beside a fill-mask error about another text (issue 17 §6)', () => {
    actions.modelLoadStarted('the shipped English teacher (waiting for the backend)');
    expect(s().models).toMatchObject({ status: 'loading', loading: 'the shipped English teacher (waiting for the backend)' });
    actions.modelLoaded(summary, '{}');
    expect(s().models.loading).toBeNull();
    actions.fillMaskDone('a [MASK]', []);
    actions.fillMaskStarted();
    actions.fillMaskFailed('FillMaskError: no [MASK] in the text');
    expect(s().models).toMatchObject({ fillMask: null, error: 'FillMaskError: no [MASK] in the text' });
    actions.modelLoadStarted('junk');
    actions.modelLoadFailed('HfFolderError: none of the files given is part of an HF folder (a.pdf, b.png)');
    expect(s().models).toMatchObject({ status: 'ready', loading: null, teacher: summary });
  });
});

describe('tokenizers slice', () => {
  it('a job reports progress, its vocabulary becomes the whole student; stale jobs are dropped; an import replaces it', () => {
    const options = { ...DEFAULT_TOKENIZER_TRAIN, vocabSize: 600 };
    actions.tokenizerJobStarted('tok-1', options, 'Moby-Dick');
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
    actions.tokenizerJobStarted('tok-2', options, 'junk.bin');
    actions.tokenizerMessage({ type: 'error', jobId: 'tok-2', code: 'TokenizerTrainError', message: 'vocabulary size must be …' });
    expect(s().tokenizers).toMatchObject({ job: null, error: 'TokenizerTrainError: vocabulary size must be …', errorInput: 'junk.bin' });
    actions.tokenizerJobStarted('tok-3', options, 'Moby-Dick');
    actions.tokenizerCrashed('out of memory');
    expect(s().tokenizers).toMatchObject({ job: null, error: 'The tokenizer worker crashed: out of memory', errorInput: 'Moby-Dick' });
  });

  it('the vocabulary on screen is marked stale beside an error, a running job or another selected corpus (issue 17 §6)', () => {
    const options = { ...DEFAULT_TOKENIZER_TRAIN, vocabSize: 600 };
    expect(staleVocabulary(s().tokenizers, 'Moby-Dick')).toBeNull(); // nothing on screen
    actions.tokenizerJobStarted('tok-1', options, 'Moby-Dick');
    actions.tokenizerMessage({ type: 'done', jobId: 'tok-1', tokenizerJson: '{}', whatIf: [], stats: { corpus: 'Moby-Dick', vocabSize: 600 } as TokenizerJobStats });
    expect(staleVocabulary(s().tokenizers, 'Moby-Dick')).toBeNull();
    expect(staleVocabulary(s().tokenizers, 'udhr.txt')).toBe('the vocabulary below is the earlier one, trained on Moby-Dick, not on the corpus selected now (udhr.txt): press Train vocabulary to train on it');
    actions.tokenizerJobStarted('tok-2', options, 'junk.bin');
    expect(staleVocabulary(s().tokenizers, 'junk.bin')).toBe('training on junk.bin: the vocabulary below is the earlier one, trained on Moby-Dick, until this job finishes');
    actions.tokenizerMessage({ type: 'error', jobId: 'tok-2', code: 'BinaryCorpusError', message: 'junk.bin looks binary' });
    expect(staleVocabulary(s().tokenizers, 'junk.bin')).toBe('the error above is about junk.bin and produced nothing: the vocabulary below is the earlier one, trained on Moby-Dick');
    actions.setTokenizerError('TokenizerFormatError: not a tokenizer', 'bad.json');
    expect(s().tokenizers.errorInput).toBe('bad.json');
    actions.setTokenizerError(null);
    expect(s().tokenizers).toMatchObject({ error: null, errorInput: null });
    actions.vocabularyImported('vocab.txt', '{}', 900);
    expect(staleVocabulary(s().tokenizers, 'udhr.txt')).toBeNull(); // an import is not tied to the selected corpus
  });
});
