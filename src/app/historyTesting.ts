/** Test helper of the history's tests (fake-indexeddb): a full disk on demand. */
import { IDBObjectStore as FakeObjectStore } from 'fake-indexeddb';

/** Makes every put into `store` fail like a full disk, for the duration of `body`. */
export async function withQuotaExceeded<T>(store: string, body: () => Promise<T>): Promise<T> {
  const put = FakeObjectStore.prototype.put;
  FakeObjectStore.prototype.put = function (this: { name: string }, ...args: Parameters<typeof put>) {
    if (this.name === store) throw new DOMException('the quota has been exceeded', 'QuotaExceededError');
    return put.apply(this, args);
  };
  try {
    return await body();
  } finally {
    FakeObjectStore.prototype.put = put;
  }
}
