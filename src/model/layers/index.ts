/** Importing this module registers the custom layer classes of Precis models. */
export { PrecisSasrec, buildPrecisSasrecModel, type PrecisSasrecArgs } from './precis-sasrec';
export {
  encodeSequences,
  scoreSequences,
  listSasrecWeights,
  type SasrecConfig,
  type SasrecWeights,
  type ForwardOptions,
} from './sasrec-forward';
