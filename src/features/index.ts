export { PAD_INDEX, encodeHistory, buildItemIndex } from './encode-history';
export { itemSequence } from './item-sequence';
