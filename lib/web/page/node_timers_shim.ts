/**
 * `node:timers` for the web page's bundle: the one function the client core takes from it
 * (`setImmediate`, which `lib/net/turn.ts` runs its flush pass with), as a message-channel task:
 * after the current task and its microtasks, before timers, like Node's.
 * @module
 */

const channel = new MessageChannel();
const queue: (() => void)[] = [];
channel.port1.onmessage = () => {
  const fn = queue.shift();
  fn?.();
};

/** Runs `fn` in a task of its own, soon (see the module comment). */
export function setImmediate(fn: () => void): void {
  queue.push(fn);
  channel.port2.postMessage(0);
}
