/**
 * Keys at rest in the page (BRW-6): each identity as a keystore (KS-1, the bytes a `comrad` home keeps),
 * sealed under the user's passphrase, in IndexedDB. Nothing here ever sees an unsealed private key.
 */
const DB = 'comrad';
const STORE = 'keystores';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run<T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const req = act(db.transaction(STORE, mode).objectStore(STORE));
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  } finally {
    db.close();
  }
}

/** Keeps a sealed keystore (and the Operator's statement about it, which is public) under `id`. */
export function putKeystore(id: string, entry: { keystore: Uint8Array; statement: Uint8Array }): Promise<unknown> {
  return run('readwrite', (s) => s.put(entry, id));
}

/** The sealed keystore kept under `id`, if any. */
export function getKeystore(id: string): Promise<{ keystore: Uint8Array; statement: Uint8Array } | undefined> {
  return run('readonly', (s) => s.get(id));
}
