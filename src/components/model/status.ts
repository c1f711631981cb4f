/**
 * What the Models tab says about its teacher in every state but "loaded" (issue 17 §6: every state says what it is):
 * loading (which one; the shipped teacher from the start, while the backend initialises), none, a failed load.
 */
import type { ModelsState } from '../../store/models.ts';

/** The status line's text; null when a teacher is loaded and nothing is loading (the panel shows the teacher). */
export function teacherStatusText(m: Pick<ModelsState, 'status' | 'loading' | 'teacher'>): string | null {
  if (m.status === 'loading') return `loading ${m.loading ?? 'a teacher'}…${m.teacher ? ` (${m.teacher.name} stays the teacher until it has loaded)` : ''}`;
  if (m.teacher) return null;
  if (m.status === 'error') return 'no teacher loaded: the load failed (the error below says why); load a shipped teacher or import an HF folder';
  return 'no teacher loaded: load a shipped teacher or import an HF folder below';
}
