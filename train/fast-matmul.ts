/**
 * 2-D matMul whose gradient only uses non-transposed matMuls (with explicit
 * transposes). On the tfjs wasm backend the transposed matMul variants run ~8×
 * slower than the plain one, and tf.matMul's own gradient uses them.
 */
import * as tf from '@tensorflow/tfjs';

const fast = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const g = dy as tf.Tensor2D;
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(g, tf.transpose(sb)), tf.matMul(tf.transpose(sa), g)];
    },
  };
});

/**
 * `a @ b` for 2-D tensors with a wasm-friendly gradient.
 *
 * @example
 * const y = matMulFastGrad(tf.ones([4, 3]), tf.ones([3, 2])); // [4, 2] of 3s
 */
export function matMulFastGrad(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return (fast as unknown as (x: tf.Tensor, y: tf.Tensor) => tf.Tensor)(a, b) as tf.Tensor2D;
}
