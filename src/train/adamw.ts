/**
 * AdamW of the distillation runs (decoupled weight decay, applied to ≥ 2-D weights only, bias correction), state in
 * device variables (created at the first update). Call `update` inside tf.tidy. Also driven by the backend parity self-test (backend/parity.ts).
 */
import * as tf from '@tensorflow/tfjs';

export interface AdamW {
  /** grads[i] belongs to vars[i] (null: no gradient, the variable is left alone). */
  update(grads: (tf.Tensor | null)[], lr: number): void;
  dispose(): void;
}

export function createAdamW(vars: tf.Variable[], o: { beta1: number; beta2: number; eps: number; weightDecay: number }): AdamW {
  // Moment slots are created at the first update (as tf.train.adam does), so creating an optimizer allocates nothing.
  let m: tf.Variable[] = [];
  let s: tf.Variable[] = [];
  let t = 0;
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
    dispose: () => tf.dispose([...m, ...s]),
  };
}
