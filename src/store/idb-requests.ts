// IndexedDB's requests and transactions as promises: the few the store needs, instead of
// a wrapper library in the core bundle.

/**
 * Resolves with a request's result, or rejects with its error.
 *
 * @example
 * const all = await settle(db.transaction('events').objectStore('events').getAll());
 */
export function settle<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/**
 * Resolves when the transaction commits; rejects when it fails or is aborted.
 *
 * @example
 * const tx = db.transaction('events', 'readwrite');
 * tx.objectStore('events').add(event);
 * await committed(tx);
 */
export function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = tx.onabort = () => reject(tx.error ?? new DOMException('The transaction was aborted', 'AbortError'));
  });
}

/**
 * Walks a cursor: calls `visit` for each record while it returns true, then `then`.
 *
 * @example
 * walkCursor(index.openCursor(), (cursor) => (cursor.delete(), true));
 */
export function walkCursor(request: IDBRequest<IDBCursorWithValue | null>, visit: (cursor: IDBCursorWithValue) => boolean, then = (): void => {}): void {
  request.onsuccess = () => {
    const cursor = request.result;
    if (cursor && visit(cursor)) cursor.continue();
    else then();
  };
}
