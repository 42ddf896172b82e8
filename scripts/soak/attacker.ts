/**
 * The soak's attacker process: `deno run -A scripts/soak/attacker.ts ATTACK PORT SECONDS [RATE]`
 * runs one attack of `attacks.ts` against `127.0.0.1:PORT` (churn: at most RATE connections a
 * second when given) and prints its result as one JSON line.
 * @module
 */

import { ATTACKS } from "./attacks.ts";

const [name, portText, secondsText, rateText] = Deno.args;
const attack = name === undefined ? undefined : ATTACKS[name];
if (attack === undefined) {
  console.error(`Unknown attack: ${name} (${Object.keys(ATTACKS).join(", ")})`);
  Deno.exit(2);
}
const result = await attack({
  port: Number(portText),
  seconds: Number(secondsText ?? 10),
  rate: rateText === undefined ? undefined : Number(rateText),
});
console.log(JSON.stringify(result));
// Sockets left half-closed by the server must not keep the process alive.
Deno.exit(0);
