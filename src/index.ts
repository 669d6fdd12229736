/**
 * Precis: on-device personalization. This entry has no side effects; nothing runs until
 * `createPersonalizer()` is called.
 *
 * @example
 * import { createPersonalizer } from 'precis';
 * const precis = createPersonalizer({ catalog: '/catalog.json' });
 * await precis.ready;
 */
export { createPersonalizer } from './client/create-client';
export type { Personalizer, PersonalizerEvents, PersonalizerStatus, Recommendation, VisitorData, VisitorProfile } from './client/types';
export type { ConsentSource, ConsentState, ConsentStatus, Permission, TcfOptions } from './consent/consent';
export type { ScoredItem } from './decide/top-items';
export type { BackendChoice } from './model/engine';
export type { BackendChoiceReport } from './model/choose-backend';
export type { BackendName } from './model/backend-registry';
export type { PrecisManifest } from './model/manifest';
export type { PersonalizerOptions } from './client/options';
export type { TrackInput, PrecisEvent, EventType, StandardEventType } from './capture/event';
export type { Catalog, Creative, FrequencyCaps } from './decide/catalog';
export type { Decision, Contribution } from './decide/rank';
export type { RuleName, RuleOutcome } from './decide/rules';
export type { Explanation, EventReason } from './decide/explain';
export type { Arm } from './decide/holdout';
export type { VisitorSegments } from './decide/segments';
export type { Exposure, ExposureKind } from './measure/exposure';
export type { Counts, Metrics } from './measure/metrics';
export type { ReportPayload, ReportRow } from './measure/report';
export type { StoreKind } from './store/types';
export { PrecisError } from './core/errors';
export type { ErrorCode } from './core/errors';
