/**
 * Worker of the full-softmax pool (see full-softmax.ts). Plain JS, so it starts
 * in any Node worker without a TypeScript loader.
 *
 * Each job: for the rows [r0, r1) of the hidden states H [N, d], against the item
 * table E [V, d] (items 1..V-1; row 0 is padding and gets no probability):
 *   P        = softmax(H E^T)               (rows; one fused XNNPACK kernel)
 *   pt[r]    = P[r, target[r]]             (for the loss value, −log pt)
 *   dH[r]    = P[r] E                       (rows of this worker)
 *   dE_w     = P^T H                        (this worker's partial sum, [V, d])
 * computed in row chunks on the tfjs wasm backend (one thread per worker).
 * Synchronisation is through Atomics on a shared Int32Array, so the main thread
 * can wait synchronously inside a tf.customGrad.
 *
 * Shared control words: [0] job generation, [1] N (rows), [2] workers done,
 * [3] 1 = stop, 2 = a worker failed, [4 + i] tensors alive in worker i after its last job.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { writeSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

const { control, eBuf, hBuf, tBuf, ptBuf, dhBuf, deBuf, index, workers, V, d, chunkRows } = workerData;
const ctrl = new Int32Array(control);
const E = new Float32Array(eBuf);
const H = new Float32Array(hBuf);
const T = new Int32Array(tBuf);
const PT = new Float32Array(ptBuf);
const DH = new Float32Array(dhBuf);
const DE = new Float32Array(deBuf);

function rowRange(n) {
  const per = Math.ceil(n / workers);
  const r0 = Math.min(n, index * per);
  return [r0, Math.min(n, r0 + per)];
}

function runJob(n) {
  const [r0, r1] = rowRange(n);
  if (r1 <= r0) {
    DE.fill(0);
    return;
  }
  tf.tidy(() => {
    const items = tf.tensor2d(E.subarray(d, V * d), [V - 1, d]);
    const itemsT = tf.transpose(items);
    let deT = null;
    for (let c0 = r0; c0 < r1; c0 += chunkRows) {
      const c1 = Math.min(r1, c0 + chunkRows);
      const rows = c1 - c0;
      const next = tf.tidy(() => {
        const h = tf.tensor2d(H.subarray(c0 * d, c1 * d), [rows, d]);
        const p = tf.softmax(tf.matMul(h, itemsT));
        const at = new Int32Array(rows);
        for (let r = 0; r < rows; r++) at[r] = r * (V - 1) + T[c0 + r] - 1;
        PT.set(tf.gather(tf.reshape(p, [-1]), tf.tensor1d(at, 'int32')).dataSync(), c0);
        DH.set(tf.matMul(p, items).dataSync(), c0 * d);
        const part = tf.matMul(tf.transpose(h), p);
        return deT ? tf.add(deT, part) : part;
      });
      deT?.dispose();
      deT = tf.keep(next);
    }
    const de = tf.transpose(deT).dataSync();
    deT.dispose(); // kept above, so the enclosing tidy would not free it
    DE.fill(0, 0, d);
    DE.set(de, d);
  });
}

async function main() {
  await tf.setBackend('wasm');
  await tf.ready();
  // Read the job counter before saying ready: the main thread posts the first job as soon as
  // every worker is ready, and a worker that read the counter after that would wait forever.
  let gen = Atomics.load(ctrl, 0);
  parentPort.postMessage('ready');
  for (;;) {
    Atomics.wait(ctrl, 0, gen);
    gen = Atomics.load(ctrl, 0);
    if (Atomics.load(ctrl, 3) !== 0) break;
    try {
      runJob(Atomics.load(ctrl, 1));
    } catch (e) {
      // Synchronous write: the main thread is blocked in Atomics.wait and may exit
      // before an asynchronous console message from this worker is relayed.
      writeSync(2, `full-softmax worker ${index}: ${e && e.stack ? e.stack : e}\n`);
      Atomics.store(ctrl, 3, 2);
    }
    Atomics.store(ctrl, 4 + index, tf.memory().numTensors);
    Atomics.add(ctrl, 2, 1);
    Atomics.notify(ctrl, 2);
  }
}

main().catch((e) => {
  parentPort.postMessage({ error: String(e && e.stack ? e.stack : e) });
  Atomics.store(ctrl, 3, 2);
  Atomics.add(ctrl, 2, 1);
  Atomics.notify(ctrl, 2);
});
