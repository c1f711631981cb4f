/**
 * Models tab state: the teacher loaded in the worker (its summary only: weights stay in the worker), load status,
 * and the last fill-mask results. Actions are plain state changes; requests go through app/models.ts.
 */
import { create } from 'zustand';
import type { FillMaskResult } from '../models/fillMask.ts';
import type { ModelSummary } from '../worker/protocol.ts';

export interface ModelLabState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  teacher: ModelSummary | null;
  error: string | null;
  fillMask: { text: string; results: FillMaskResult[] } | null;
  busy: boolean;
}

export const initialModelLab: ModelLabState = { status: 'idle', teacher: null, error: null, fillMask: null, busy: false };

export const useModelLab = create<ModelLabState>()(() => initialModelLab);
