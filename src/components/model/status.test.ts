// The Models tab's teacher status line (status.ts): loading says what loads (never "no teacher loaded" while the
// shipped teacher loads), none and a failed load say so, a loaded teacher leaves the line to the panel.
import { describe, expect, it } from 'vitest';
import { teacherStatusText } from './status.ts';
import type { ModelSummary } from '../../worker/protocol.ts';

const teacher = { name: 'config.json' } as ModelSummary;

describe('teacherStatusText', () => {
  it('loading names what loads, and the teacher that stays meanwhile', () => {
    const text = teacherStatusText({ status: 'loading', loading: 'the shipped English teacher (waiting for the backend)', teacher: null });
    expect(text).toBe('loading the shipped English teacher (waiting for the backend)…');
    expect(text).not.toMatch(/no teacher/);
    expect(teacherStatusText({ status: 'loading', loading: 'my-folder', teacher })).toBe('loading my-folder… (config.json stays the teacher until it has loaded)');
  });

  it('idle and error say there is no teacher, and why', () => {
    expect(teacherStatusText({ status: 'idle', loading: null, teacher: null })).toMatch(/^no teacher loaded: load a shipped teacher/);
    expect(teacherStatusText({ status: 'error', loading: null, teacher: null })).toMatch(/^no teacher loaded: the load failed/);
  });

  it('a loaded teacher: the panel shows it', () => {
    expect(teacherStatusText({ status: 'ready', loading: null, teacher })).toBeNull();
  });
});
