/**
 * `PrecisSasrec`: the whole SASRec-style recommender as one tfjs layer, so a
 * LayersModel of `[input int32 [batch, maxLength]] -> PrecisSasrec -> scores
 * [batch, numItems]` can be saved and loaded with plain `tf.loadLayersModel`.
 * Importing this module registers the class with `tf.serialization.registerClass`.
 */
import * as tf from '@tensorflow/tfjs';
import { listSasrecWeights, scoreSequences, type SasrecConfig, type SasrecWeights } from './sasrec-forward';

/** Serialized config of the layer (plus the base layer fields such as `name`). */
export interface PrecisSasrecArgs extends SasrecConfig {
  name?: string;
  trainable?: boolean;
}

/**
 * Inference layer: int32 `[batch, length]` (left-padded, oldest first) → float32
 * scores `[batch, numItems]`. Deterministic (no dropout).
 *
 * @example
 * import '@precis/src/model/layers'; // registers the class
 * const input = tf.input({ shape: [50], dtype: 'int32', name: 'history' });
 * const out = new PrecisSasrec({ numItems: 1000, maxLength: 50, hiddenUnits: 50, numBlocks: 2 })
 *   .apply(input) as tf.SymbolicTensor;
 * const model = tf.model({ inputs: input, outputs: out });
 */
export class PrecisSasrec extends tf.layers.Layer {
  static className = 'PrecisSasrec';
  readonly sasrec: SasrecConfig;
  private named: Record<string, tf.LayerVariable> = {};

  constructor(args: PrecisSasrecArgs) {
    super({ name: args.name, trainable: args.trainable ?? false });
    this.sasrec = {
      numItems: args.numItems,
      maxLength: args.maxLength,
      hiddenUnits: args.hiddenUnits,
      numBlocks: args.numBlocks,
    };
  }

  override build(): void {
    for (const { name, shape } of listSasrecWeights(this.sasrec)) {
      const init = name.endsWith('_gamma')
        ? tf.initializers.ones()
        : name.endsWith('_bias') || name.endsWith('_beta')
          ? tf.initializers.zeros()
          : tf.initializers.glorotUniform({});
      this.named[name] = this.addWeight(name, shape, 'float32', init);
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [shape[0] ?? null, this.sasrec.numItems];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const weights: SasrecWeights = {};
    for (const [name, v] of Object.entries(this.named)) weights[name] = v.read();
    return scoreSequences(weights, this.sasrec, x as tf.Tensor2D);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.sasrec };
  }
}

tf.serialization.registerClass(PrecisSasrec);

/**
 * Build the exportable LayersModel (input name `history`, int32 `[batch, maxLength]`;
 * output `[batch, numItems]` scores) with freshly initialised weights.
 *
 * @example
 * const model = buildPrecisSasrecModel({ numItems: 100, maxLength: 50, hiddenUnits: 50, numBlocks: 2 });
 * model.predict(tf.zeros([1, 50], 'int32')); // Tensor [1, 100]
 */
export function buildPrecisSasrecModel(config: SasrecConfig): tf.LayersModel {
  const input = tf.input({ shape: [config.maxLength], dtype: 'int32', name: 'history' });
  const layer = new PrecisSasrec({ ...config, name: 'precis_sasrec' });
  const output = layer.apply(input) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'precis_sasrec_model' });
}
