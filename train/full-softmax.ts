/**
 * Full softmax cross-entropy over every item (`--loss ce`), computed by a pool of
 * worker threads so it uses every core (the tfjs wasm backend runs one thread in
 * Node). The three large products — logits H Eᵀ, dH = P E and dE = Pᵀ H — are
 * split by rows of H: each worker owns a share of the target positions, scores
 * them against all items and returns its log-sum-exps, its rows of P E and its
 * partial Pᵀ H. The main thread waits on a SharedArrayBuffer with Atomics, so the
 * loss is an ordinary synchronous tf.customGrad inside `optimizer.minimize`.
 */
import * as tf from '@tensorflow/tfjs';
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';

/** A running pool; `loss` is differentiable w.r.t. the hidden states and the item table. */
export interface FullSoftmaxPool {
  /**
   * Mean over rows of −log softmax(h · itemsᵀ)[target], the softmax taken over
   * items 1..V−1 (row 0 of `items` is padding and never a class).
   */
  loss(h: tf.Tensor2D, items: tf.Tensor2D, targets: Int32Array): tf.Scalar;
  /** Tensors alive in each worker after its last job (constant from call to call: no leak). */
  workerTensorCounts(): number[];
  /** Stop the workers. */
  close(): Promise<void>;
}

/** Sizes the pool's shared buffers are made for. */
export interface FullSoftmaxPoolOptions {
  /** Vocabulary size V including the padding row 0. */
  numItems: number;
  hiddenUnits: number;
  /** Most rows (target positions) one call may pass: batch size × max length. */
  maxRows: number;
  /** Worker threads (default: the number of cores). */
  workers?: number;
  /** Rows scored at a time inside a worker (bounds its memory: rows × V floats). */
  chunkRows?: number;
}

interface Shared {
  ctrl: Int32Array;
  E: Float32Array;
  H: Float32Array;
  T: Int32Array;
  PT: Float32Array;
  DH: Float32Array;
  DE: Float32Array[];
}

function floats(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(n * 4));
}

/** The longest one batch may take on the workers; far beyond a batch's seconds on a loaded machine. */
const JOB_TIMEOUT_MS = 10 * 60_000;

/** Run one job on all workers and wait (synchronously) until every worker is done. */
function runWorkers(s: Shared, rows: number): void {
  const n = s.DE.length;
  Atomics.store(s.ctrl, 1, rows);
  Atomics.store(s.ctrl, 2, 0);
  Atomics.add(s.ctrl, 0, 1);
  Atomics.notify(s.ctrl, 0);
  for (let done = Atomics.load(s.ctrl, 2); done < n; done = Atomics.load(s.ctrl, 2)) {
    // A worker that died cannot say so while this thread is blocked: fail instead of hanging.
    if (Atomics.wait(s.ctrl, 2, done, JOB_TIMEOUT_MS) === 'timed-out') throw new Error(`full-softmax workers gave no answer within ${JOB_TIMEOUT_MS / 60_000} minutes`);
  }
  if (Atomics.load(s.ctrl, 3) === 2) throw new Error('full-softmax worker failed (its error is on stderr)');
}

/**
 * Loss value and gradients (for an upstream gradient of 1) from the workers'
 * results: loss = mean(−log p_t) (p_t floored at 1e-38, so the value stays finite), dH = (P E − e_t) / N, dE = (Pᵀ H − scatter(t, h)) / N.
 */
function combine(s: Shared, rows: number, d: number, V: number, targets: Int32Array): { loss: number; dh: Float32Array; de: Float32Array } {
  const { E, H, PT, DH, DE } = s;
  const dh = new Float32Array(rows * d);
  const de = new Float32Array(V * d);
  for (const part of DE) for (let i = 0; i < de.length; i++) de[i]! += part[i]!;
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    const t = targets[r]!;
    for (let k = 0; k < d; k++) {
      dh[r * d + k] = DH[r * d + k]! - E[t * d + k]!;
      de[t * d + k]! -= H[r * d + k]!;
    }
    sum -= Math.log(Math.max(PT[r]!, 1e-38));
  }
  const inv = 1 / rows;
  for (let i = 0; i < dh.length; i++) dh[i]! *= inv;
  for (let i = 0; i < de.length; i++) de[i]! *= inv;
  return { loss: sum * inv, dh, de };
}

/**
 * Start the workers (each loads the tfjs wasm backend) and return the pool.
 *
 * @example
 * const pool = await createFullSoftmaxPool({ numItems: 23716, hiddenUnits: 50, maxRows: 128 * 50 });
 * const loss = pool.loss(hN, vars.item_embedding, targets); // inside optimizer.minimize
 * await pool.close();
 */
export async function createFullSoftmaxPool(o: FullSoftmaxPoolOptions): Promise<FullSoftmaxPool> {
  const V = o.numItems;
  const d = o.hiddenUnits;
  const count = Math.max(1, o.workers ?? availableParallelism());
  const s: Shared = {
    ctrl: new Int32Array(new SharedArrayBuffer(4 * (4 + count))),
    E: floats(V * d),
    H: floats(o.maxRows * d),
    T: new Int32Array(new SharedArrayBuffer(o.maxRows * 4)),
    PT: floats(o.maxRows),
    DH: floats(o.maxRows * d),
    DE: Array.from({ length: count }, () => floats(V * d)),
  };
  const workers = s.DE.map(
    (de, index) =>
      new Worker(new URL('./full-softmax-worker.mjs', import.meta.url), {
        workerData: {
          control: s.ctrl.buffer, eBuf: s.E.buffer, hBuf: s.H.buffer, tBuf: s.T.buffer, ptBuf: s.PT.buffer, dhBuf: s.DH.buffer,
          deBuf: de.buffer, index, workers: count, V, d, chunkRows: o.chunkRows ?? 512,
        },
      }),
  );
  for (const w of workers) w.unref();
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          w.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(`full-softmax worker: ${JSON.stringify(m)}`))));
          w.once('error', reject);
        }),
    ),
  );
  const loss = (h: tf.Tensor2D, items: tf.Tensor2D, targets: Int32Array): tf.Scalar => {
    const rows = h.shape[0];
    if (rows > o.maxRows) throw new Error(`full softmax: ${rows} rows exceed the pool's maxRows ${o.maxRows}`);
    if (targets.length !== rows) throw new Error(`full softmax: ${targets.length} targets for ${rows} rows`);
    const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [hT, eT] = args as [tf.Tensor, tf.Tensor];
      s.H.set(hT.dataSync() as Float32Array);
      s.E.set(eT.dataSync() as Float32Array);
      s.T.set(targets);
      runWorkers(s, rows);
      const r = combine(s, rows, d, V, targets);
      return {
        value: tf.scalar(r.loss),
        gradFunc: (dy: tf.Tensor | tf.Tensor[]) => [tf.mul(tf.tensor2d(r.dh, [rows, d]), dy as tf.Tensor), tf.mul(tf.tensor2d(r.de, [V, d]), dy as tf.Tensor)],
      };
    }) as unknown as (a: tf.Tensor, b: tf.Tensor) => tf.Scalar;
    return f(h, items);
  };
  const close = async (): Promise<void> => {
    Atomics.store(s.ctrl, 3, 1);
    Atomics.add(s.ctrl, 0, 1);
    Atomics.notify(s.ctrl, 0);
    await Promise.all(workers.map((w) => w.terminate()));
  };
  const workerTensorCounts = (): number[] => s.DE.map((_, i) => Atomics.load(s.ctrl, 4 + i));
  return { loss, workerTensorCounts, close };
}
