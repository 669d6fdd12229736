/**
 * Softmax cross-entropy where the positive is column 0 of the logits, with a
 * hand-written gradient (softmax − one-hot). tfjs's logSumExp gradient goes
 * through `max`, whose gradient uses a broadcast `Equal` that is very slow on wasm.
 */
import * as tf from '@tensorflow/tfjs';

const loss = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [logits, save] = args as [tf.Tensor, tf.GradSaveFunc];
  const x = logits as tf.Tensor2D;
  const [n, k] = x.shape;
  const logProbs = tf.logSoftmax(x, -1);
  const value = tf.neg(tf.mean(tf.slice(logProbs, [0, 0], [n, 1])));
  save([logProbs]);
  return {
    value,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const probs = tf.exp(saved[0]!);
      const oneHot = new Float32Array(n * k);
      for (let i = 0; i < n; i++) oneHot[i * k] = 1;
      return [tf.mul(tf.sub(probs, tf.tensor2d(oneHot, [n, k])), tf.div(dy as tf.Tensor, n))];
    },
  };
});

/**
 * Mean over rows of −log softmax(logits)[row, 0] (the positive is column 0).
 *
 * @example
 * sampledSoftmaxLoss(tf.tensor2d([[2, 0, 0]])); // ≈ 0.2395
 */
export function sampledSoftmaxLoss(logits: tf.Tensor2D): tf.Scalar {
  return (loss as unknown as (x: tf.Tensor) => tf.Tensor)(logits) as tf.Scalar;
}
