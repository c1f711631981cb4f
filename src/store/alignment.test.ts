// The alignment slice (issue 12): replies of an older pair or request are dropped; a pair's error names the side.
import { describe, expect, it } from 'vitest';
import { alignmentReducers as r, initialAlignment, type AlignmentState } from './alignment.ts';
import type { AlignView, VocabView } from '../alignment/mapView.ts';

const apply = (s: AlignmentState, p: Partial<AlignmentState>): AlignmentState => ({ ...s, ...p });
const info = { name: 't', size: 10, lowercase: false };

describe('alignment slice', () => {
  it('keeps the current pair\'s replies and drops an older pair\'s or request\'s', () => {
    let s = apply(initialAlignment, r.pairStarted('pair-2'));
    expect(r.workerMessage(s, { type: 'align-pair-ready', pairId: 'pair-1', teacher: info, student: info, differences: [], vocab: {} as VocabView, ms: 1 })).toEqual({});
    s = apply(s, r.workerMessage(s, { type: 'align-pair-ready', pairId: 'pair-2', teacher: info, student: info, differences: ['x'], vocab: {} as VocabView, ms: 1 }));
    expect(s.pair?.status).toBe('ready');
    s = apply(s, r.textStarted('text-2'));
    const view = { textLength: 3 } as AlignView;
    expect(r.workerMessage(s, { type: 'align-text-result', requestId: 'text-1', pairId: 'pair-2', view, ms: 1 })).toEqual({});
    s = apply(s, r.workerMessage(s, { type: 'align-text-result', requestId: 'text-2', pairId: 'pair-2', view, ms: 1 }));
    expect(s.view?.view).toBe(view);
    expect(s.pending).toBeNull();
    // A new pair forgets the previous map and statistics.
    s = apply(s, r.pairStarted('pair-3'));
    expect(s.view).toBeNull();
    expect(s.corpus).toBeNull();
  });

  it('a tokenizer that fails to load is a named error with its side; an empty map is not an error', () => {
    let s = apply(initialAlignment, r.pairStarted('pair-1'));
    s = apply(s, r.workerMessage(s, { type: 'align-error', requestId: null, pairId: 'pair-1', code: 'TokenizerFormatError', message: 'model.vocab must be an object', side: 'teacher' }));
    expect(s.error).toBe('the teacher tokenizer: TokenizerFormatError: model.vocab must be an object');
    expect(s.pair?.status).toBe('error');
    expect(apply(initialAlignment, r.setText('')).error).toBeNull();
  });

  it('progress and results of the corpus and GLMD jobs go to their own job', () => {
    let s = apply(initialAlignment, r.pairStarted('p'));
    s = apply(s, r.corpusStarted('c1'));
    s = apply(s, r.glmdStarted('g1', 'reading'));
    s = apply(s, r.workerMessage(s, { type: 'align-progress', requestId: 'g1', phase: 'GLMD replacements', done: 3, total: 9 }));
    expect(s.glmd).toMatchObject({ phase: 'GLMD replacements', done: 3, total: 9, status: 'running' });
    expect(s.corpus?.phase).toBe('starting');
    s = apply(s, r.workerMessage(s, { type: 'align-error', requestId: 'c1', pairId: 'p', code: 'Error', message: 'HTTP 404' }));
    expect(s.corpus).toMatchObject({ status: 'error', error: 'Error: HTTP 404' });
    s = apply(s, r.glmdFailed(s, 'g1', 'Error: no model is loaded yet'));
    expect(s.glmd?.status).toBe('error');
  });
});
