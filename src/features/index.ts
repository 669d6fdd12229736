export { PAD_INDEX, encodeHistory, buildItemIndex } from './encode-history';
export { itemSequence } from './item-sequence';
export { FEATURES, createVocabulary, encodeInputs, featureSource, vocabularyProblems } from './feature-spec';
export type { CounterName, EncodedInput, FeatureName, FeatureSource, InputSpec, Vocabulary } from './feature-spec';
