/**
 * The TF.js side of the PyTorch equivalence test (issue 18): the engine's first batches of a bundle's run, written as
 * JSON for trainers/torch/train.py --replay, and the engine's own loss terms on them, step by step. The student starts
 * from the bundle's student-init/ (the weights the PyTorch trainer loads); the data, σ, C and the GLMD map are
 * prepared by `prepareDistill` from the same corpus, teacher and student tokenizer as the export.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadHfFolder } from '../cli/hfFolderFs.ts';
import { createDistillBatcher, type DistillData } from '../distill/batches.ts';
import { createDistillLoss, type Parts } from '../distill/distillLoss.ts';
import { DISTILL_OPTIMIZER, distillSchedule, prepareDistill } from '../distill/run.ts';
import { createStepper, type LoopTask } from '../train/loop.ts';
import type { DistillBatch, Recipe } from '../distill/types.ts';

export interface EngineStep { step: number; loss: number; kl?: number; mlm?: number; gradNorm: number; lr: number }

const plain = (b: DistillBatch) => JSON.stringify(b, (_k, v) => (v instanceof Int32Array ? Array.from(v) : v));

/** Runs `steps` engine steps on the bundle's data and writes the batches to `replayPath`; returns the logged terms and the in-memory data. */
export async function engineReplay(bundle: string, texts: string[], steps: number, replayPath: string): Promise<{ steps: EngineStep[]; data: DistillData }> {
  const recipe = JSON.parse(readFileSync(join(bundle, 'recipe.json'), 'utf8')) as Recipe;
  const t = await loadHfFolder(join(bundle, 'teacher'));
  const s = await loadHfFolder(join(bundle, 'student-init'));
  const own = recipe.method !== 'glmd' && recipe.method !== 'kd-full';
  const p = await prepareDistill({ teacher: t.model, teacherTokenizer: t.tokenizer, texts, ...(own ? { studentTokenizer: s.tokenizer } : {}) }, recipe);
  p.student.dispose();
  const batcher = createDistillBatcher(p.data, recipe);
  const batches = Array.from({ length: steps * recipe.accumulation }, () => batcher.next());
  writeFileSync(replayPath, '[' + batches.map(plain).join(',\n') + ']\n');
  const losses = createDistillLoss({ ...p, student: s.model }, t.model, recipe);
  let i = 0;
  const task: LoopTask = {
    vars: losses.trainVars,
    micro(parts) {
      const b = batches[i++];
      const tgt = losses.teacherTargets(b);
      return { loss: () => losses.studentLoss(b, tgt, parts as Parts), tokens: 0 };
    },
  };
  const stepper = createStepper(task, { schedule: distillSchedule(recipe), optimizer: DISTILL_OPTIMIZER(recipe), clipNorm: recipe.clipNorm, accumulation: recipe.accumulation });
  const out: EngineStep[] = [];
  try {
    for (let k = 0; k < steps; k++) {
      const r = stepper.step();
      const read = async (x?: tf.Scalar) => (x ? (await x.data())[0] : undefined);
      out.push({ step: k + 1, loss: (await r.loss.data())[0], kl: await read(r.parts.kl), mlm: await read(r.parts.mlm), gradNorm: (await r.gradNorm.data())[0], lr: r.lr });
      tf.dispose([r.loss, r.gradNorm, ...Object.values(r.parts).filter((x): x is tf.Scalar => !!x)]);
    }
  } finally {
    stepper.dispose();
    losses.dispose();
    tf.dispose([t.model.variables, s.model.variables].flat());
  }
  return { steps: out, data: p.data };
}
