// API keys created in this browser tab, kept in sessionStorage (gone when the tab closes) so
// that "Try it out" can fill in a key right after it was shown once on its client's page.
// Entries are keyed by the key's prefix and remember which collections its profile allows.
const PREFIX = "stepwise.apikey.";

function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage disabled: the key field simply stays empty
  }
}

export function rememberKey(prefix, secret, collections) {
  storage()?.setItem(PREFIX + prefix, JSON.stringify({ secret, collections, at: Date.now() }));
}

export function forgetKey(prefix) {
  storage()?.removeItem(PREFIX + prefix);
}

// The newest remembered key whose profile allows the collection, as { prefix, secret }.
export function keyFor(collectionId) {
  const store = storage();
  let best = null;
  for (let i = 0; store && i < store.length; i += 1) {
    const name = store.key(i);
    if (!name || !name.startsWith(PREFIX)) continue;
    let entry;
    try {
      entry = JSON.parse(store.getItem(name));
    } catch {
      continue;
    }
    if (!Array.isArray(entry?.collections) || !entry.collections.includes(collectionId)) continue;
    if (!best || entry.at > best.at) best = { ...entry, prefix: name.slice(PREFIX.length) };
  }
  return best;
}

for (const element of document.querySelectorAll("[data-fresh-key]")) {
  const collections = (element.dataset.collections || "").split(",").filter(Boolean).map(Number);
  rememberKey(element.dataset.prefix, element.textContent.trim(), collections);
}
for (const element of document.querySelectorAll("[data-revoked-key]")) {
  forgetKey(element.dataset.revokedKey);
}
