import { addReport, hourOf, type Cell } from './cells.js';
import type { Report } from './parse-report.js';
import type { Store } from './store.js';

/** Writes reports in batches; see `createGroupCommit`. */
export interface GroupCommit {
  /** Queues a report; resolves once it is durable in the store (rejects if its batch failed). */
  add(report: Report): Promise<void>;
  /** Writes what is queued and waits for it. */
  drain(): Promise<void>;
}

interface Pending {
  report: Report;
  hour: number;
  done: (error?: unknown) => void;
}

/**
 * Group commit: reports arriving within `waitMs` of each other (or while the previous
 * batch is being written) go into the store in one transaction, summed into cells first,
 * and are all acknowledged when it commits. One fsync then serves hundreds of reports.
 *
 * @example
 * const commit = createGroupCommit(store, { waitMs: 2, now: Date.now });
 * await commit.add(report); // durable now
 */
export function createGroupCommit(store: Store, { waitMs = 2, maxBatch = 5000, now = Date.now } = {}): GroupCommit {
  const queue: Pending[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let writing: Promise<void> | undefined;

  const writeBatch = async (batch: Pending[]): Promise<void> => {
    const cells = new Map<string, Cell>();
    const reportsByHour = new Map<number, number>();
    for (const { report, hour } of batch) {
      addReport(cells, report, hour);
      reportsByHour.set(hour, (reportsByHour.get(hour) ?? 0) + 1);
    }
    try {
      await store.write([...cells.values()], reportsByHour);
      for (const pending of batch) pending.done();
    } catch (error) {
      for (const pending of batch) pending.done(error);
    }
  };

  const flush = (): void => {
    timer = undefined;
    if (writing || queue.length === 0) return;
    const batch = queue.splice(0, maxBatch);
    writing = writeBatch(batch).finally(() => {
      writing = undefined;
      // What arrived during the write is the next batch: write it at once.
      if (queue.length > 0) flush();
    });
  };

  return {
    add(report) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ report, hour: hourOf(now()), done: (error) => (error === undefined ? resolve() : reject(error)) });
        if (queue.length >= maxBatch) flush();
        else timer ??= setTimeout(flush, waitMs);
      });
    },
    async drain() {
      if (timer) clearTimeout(timer);
      while (writing || queue.length > 0) {
        flush();
        await writing;
      }
    },
  };
}
