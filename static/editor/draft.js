// The draft as the editor holds it: loaded from the server, changed with undo (history),
// saved by itself a moment after each change from the revision it last saw, one save at a
// time; a save after a colleague's is a conflict, and leaving with unsaved changes asks first.

import { useCallback, useEffect, useRef, useState } from "../vendor/htm-preact-standalone.module.js";
import { ApiError, api } from "./api.js";
import * as ops from "./document.js";

const SAVE_AFTER_MS = 1200;

export function useDraft(recipeId, canEdit, setError) {
  const [loaded, setLoaded] = useState(null); // the recipe as the server last answered
  const [history, setHistory] = useState(null);
  const [save, setSave] = useState("saved");
  const [conflict, setConflict] = useState(null);
  const revision = useRef(null);
  const saved = useRef(null); // the document the server has
  const timer = useRef(null);

  const load = useCallback(async () => {
    const recipe = await api("GET", `recipes/${recipeId}/`);
    revision.current = recipe.revision;
    saved.current = recipe.definition;
    setLoaded(recipe);
    setHistory(ops.createHistory(recipe.definition));
    setSave("saved");
    setConflict(null);
  }, [recipeId]);

  useEffect(() => {
    load().catch((e) => setError(e.message));
  }, [load]);

  const doc = history?.present;

  // One save at a time: a save waits for the one in flight, so it sends the revision that
  // one got back (two at once would make the second a conflict with our own first).
  const inFlight = useRef(Promise.resolve());
  const flush = useCallback((definition) => {
    inFlight.current = inFlight.current.then(() => save_(definition));
    return inFlight.current;
  }, [recipeId]);
  const save_ = async (definition) => {
    if (definition === saved.current) return setSave("saved");
    setSave("saving");
    try {
      const recipe = await api("PATCH", `recipes/${recipeId}/`, { definition, revision: revision.current });
      revision.current = recipe.revision;
      saved.current = definition;
      setLoaded(recipe);
      setSave((state) => (state === "saving" ? "saved" : state));
    } catch (e) {
      if (e instanceof ApiError && e.body.code === "stale_revision") {
        setConflict({ message: e.body.message, current: e.body.current });
        setSave("conflict");
      } else if (e instanceof ApiError && e.status < 500) {
        setError(e.message);
        setSave("dirty");
      } else {
        setSave("offline");
        timer.current = setTimeout(() => flush(definition), 5000);
      }
    }
  };

  useEffect(() => {
    if (doc && doc === saved.current && !conflict) setSave((state) => (state === "dirty" ? "saved" : state));
    if (!doc || !canEdit || doc === saved.current || conflict) return undefined;
    setSave("dirty");
    clearTimeout(timer.current);
    timer.current = setTimeout(() => flush(doc), SAVE_AFTER_MS);
    return () => clearTimeout(timer.current);
  }, [doc, conflict]);

  useEffect(() => {
    const warn = (event) => {
      if (history && history.present !== saved.current) event.preventDefault();
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [history]);

  return { loaded, setLoaded, history, setHistory, save, conflict, setConflict, load, flush, saved, revision, timer };
}
