/**
 * AdamW of the distillation runs (decoupled weight decay, applied to ≥ 2-D weights only, bias correction), state in
 * device variables (created at the first update). Call `update` inside tf.tidy. Also driven by the backend parity self-test (backend/parity.ts).
 * A run checkpoint (checkpoint.ts) reads the state back with `state()` and a resumed run starts from it (`from`).
 */
import * as tf from '@tensorflow/tfjs';
import { CheckpointError, type OptimizerState } from './checkpoint.ts';

export interface AdamW {
  /** grads[i] belongs to vars[i] (null: no gradient, the variable is left alone). */
  update(grads: (tf.Tensor | null)[], lr: number): void;
  /** The update count and both moments in vars order (read back with await data(); empty before the first update). */
  state(): Promise<OptimizerState>;
  dispose(): void;
}

/** Device variables holding `values[i]` in vars[i]'s shape (nothing else left behind). */
function slots(vars: tf.Variable[], values: Float32Array[], what: string): tf.Variable[] {
  if (values.length !== vars.length) throw new CheckpointError(`the optimizer state has ${values.length} ${what} tensors, the run ${vars.length} variables`);
  values.forEach((x, i) => {
    if (x.length !== vars[i].size) throw new CheckpointError(`optimizer ${what}[${i}] has ${x.length} values, its variable [${vars[i].shape.join(', ')}]`);
  });
  return vars.map((v, i) => tf.tidy(() => tf.variable(tf.tensor(values[i], v.shape), false)));
}

export function createAdamW(vars: tf.Variable[], o: { beta1: number; beta2: number; eps: number; weightDecay: number }, from?: OptimizerState): AdamW {
  // Moment slots are created at the first update (as tf.train.adam does), so creating an optimizer allocates nothing.
  let t = from?.t ?? 0;
  let m: tf.Variable[] = t > 0 ? slots(vars, from!.m, 'm') : [];
  let s: tf.Variable[] = t > 0 ? slots(vars, from!.v, 'v') : [];
  return {
    /** Call inside tf.tidy; grads[i] belongs to vars[i] (null: no gradient, the variable is left alone). */
    update(grads: (tf.Tensor | null)[], lr: number) {
      if (t === 0) {
        m = vars.map((v) => tf.keep(tf.variable(tf.zerosLike(v), false)));
        s = vars.map((v) => tf.keep(tf.variable(tf.zerosLike(v), false)));
      }
      t++;
      const c1 = 1 - o.beta1 ** t;
      const c2 = 1 - o.beta2 ** t;
      vars.forEach((v, i) => {
        const g = grads[i];
        if (!g) return;
        m[i].assign(tf.add(tf.mul(m[i], o.beta1), tf.mul(g, 1 - o.beta1)));
        s[i].assign(tf.add(tf.mul(s[i], o.beta2), tf.mul(tf.square(g), 1 - o.beta2)));
        let step = tf.div(tf.div(m[i], c1), tf.add(tf.sqrt(tf.div(s[i], c2)), o.eps));
        if (o.weightDecay > 0 && v.rank >= 2) step = tf.add(step, tf.mul(v, o.weightDecay));
        v.assign(tf.sub(v, tf.mul(step, lr)));
      });
    },
    async state() {
      const read = (xs: tf.Variable[]) => Promise.all(xs.map(async (x) => (await x.data()) as Float32Array));
      return { t, m: await read(m), v: await read(s) };
    },
    dispose: () => tf.dispose([...m, ...s]),
  };
}
