import { guardAsync } from '../core/guard';
import { createReporter, nextReport } from '../measure/report';
import { MAX_EXPOSURES } from '../store/gated-store';
import type { AddOn } from './lifecycle';

/**
 * Add-on (with the `report` option): sends this device's aggregate counts (never events)
 * to the site's endpoint, with `send` consent: what earlier pages left unsent once the
 * client is ready, and the rest when the tab is hidden. What was not delivered is sent
 * again by a later page. At most one report per `reportEvery` period: the rest waits on the device.
 *
 * @example
 * startAddOns([reporting], context); // does nothing without options.report
 */
export const reporting: AddOn = ({ options, session, visitor, consent, win, report, on }) => {
  if (!win || !options.report) return () => {};
  const reporter = createReporter(win, options.report);
  let stopped = false;
  const setReportedUntil = (time: number): void => {
    visitor.update({ reportedUntil: time });
    session.saveVisitor();
  };
  const send = guardAsync(async (onExit: boolean): Promise<void> => {
    if (stopped || !consent.allows('send')) return;
    const since = visitor.reportedUntil();
    const now = options.clock();
    const { store, catalog } = session;
    const payload = nextReport({
      exposures: await store.exposures(MAX_EXPOSURES), events: await store.recent(options.maxEvents), windows: options.attribution,
      reportedUntil: since, now, periodHours: options.reportPeriodHours, epsilon: options.reportEpsilon,
      scope: { creatives: catalog.creatives.map((c) => c.id), interests: catalog.interests, arm: visitor.arm() },
    });
    if (!payload) return;
    setReportedUntil(now);
    const delivered = onExit ? reporter.sendOnExit(payload) : await reporter.send(payload);
    if (!delivered && visitor.reportedUntil() === now) setReportedUntil(since); // a later page tries again
  }, undefined, report, 'report');
  const stops = [on('ready', () => void send(false)), on('hidden', () => void send(true))];
  return () => {
    stopped = true;
    for (const stop of stops) stop();
    reporter.dispose();
  };
};
