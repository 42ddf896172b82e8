/**
 * Ctrl-C and SIGTERM handling that works on every OS (Windows has no SIGTERM listener).
 * @module
 */

/** A registered handler that can be removed. */
export interface SignalHandle {
  /** Removes the listeners. */
  dispose(): void;
}

/** Calls `handler` once on SIGINT or SIGTERM (SIGBREAK on Windows). */
export function onShutdownSignal(handler: () => unknown): SignalHandle {
  const signals: Deno.Signal[] = Deno.build.os === "windows"
    ? ["SIGINT", "SIGBREAK"]
    : ["SIGINT", "SIGTERM"];
  let fired = false;
  const listener = () => {
    if (fired) return;
    fired = true;
    handler();
  };
  const added: Deno.Signal[] = [];
  for (const s of signals) {
    try {
      Deno.addSignalListener(s, listener);
      added.push(s);
    } catch { /* not supported here */ }
  }
  return {
    dispose() {
      for (const s of added) Deno.removeSignalListener(s, listener);
    },
  };
}
