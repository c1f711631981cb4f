// Checks the one start guard (src/worker/runSlot.ts) that the worker and the client share: one run at a time of
// either kind, a refusal names the active run, nothing starts before the backend, and the request refusals keep
// their named errors (TeacherBusyError, RunActiveError).
import { describe, expect, it } from 'vitest';
import { createRunSlot, requestRefusal, runName, type RunRef } from './runSlot.ts';

describe('createRunSlot', () => {
  it('one run at a time: a second start of either kind is refused naming the active run', () => {
    const slot = createRunSlot<RunRef>();
    expect(slot.claim({ runId: 'run-1', kind: 'pretrain' }, true)).toBeNull();
    expect(slot.active).toEqual({ runId: 'run-1', kind: 'pretrain' });
    expect(slot.claim({ runId: 'run-2', kind: 'distill' }, true)).toBe('the pretrain run run-1 is active: stop it or let it finish first (one run at a time)');
    expect(slot.claim({ runId: 'run-3', kind: 'pretrain' }, true)).toMatch(/^the pretrain run run-1 is active/);
    slot.release('run-2'); // not the holder: nothing changes
    expect(slot.active?.runId).toBe('run-1');
    slot.release('run-1');
    expect(slot.active).toBeNull();
    expect(slot.claim({ runId: 'run-4', kind: 'distill' }, true)).toBeNull();
    expect(slot.claim({ runId: 'run-5', kind: 'pretrain' }, true)).toBe('the distill run run-4 is active: stop it or let it finish first (one run at a time)');
  });

  it('nothing starts before the backend is ready; the slot keeps extra fields (the worker keeps the run control there)', () => {
    const slot = createRunSlot<RunRef & { control: string }>();
    expect(slot.claim({ runId: 'run-1', kind: 'distill', control: 'c' }, false)).toBe('the backend is not initialised yet');
    expect(slot.active).toBeNull();
    expect(slot.claim({ runId: 'run-1', kind: 'distill', control: 'c' }, true)).toBeNull();
    expect(slot.active?.control).toBe('c');
  });
});

describe('requestRefusal', () => {
  it('a model load during a distillation is TeacherBusyError, a cost probe during any run RunActiveError; the rest queue', () => {
    const distill: RunRef = { runId: 'run-2', kind: 'distill' };
    const pretrain: RunRef = { runId: 'run-1', kind: 'pretrain' };
    expect(requestRefusal(distill, 'model-load')).toEqual({ code: 'TeacherBusyError', message: 'the distill run run-2 is using the teacher: stop it before loading another model' });
    expect(requestRefusal(pretrain, 'model-load')).toBeNull();
    for (const r of [distill, pretrain]) {
      expect(requestRefusal(r, 'distill-probe')).toEqual({ code: 'RunActiveError', message: `${runName(r)} is running: estimate the cost before starting, or stop the run` });
      expect(requestRefusal(r, 'fill-mask')).toBeNull();
      expect(requestRefusal(r, 'model-export')).toBeNull();
    }
    expect(requestRefusal(null, 'distill-probe')).toBeNull();
  });
});
