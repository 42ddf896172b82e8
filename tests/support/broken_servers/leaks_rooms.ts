/**
 * Broken on purpose: a chat line said in one room is also sent to every member of every other
 * room (the classic "broadcast to all clients" instead of the room's members). Everything else
 * is the project's server.
 * @module
 */

import type { Member } from "../../../lib/chat/chat_client.ts";
import { Room } from "../../../lib/chat/room.ts";
import { serve } from "./arq_server.ts";

const rooms = new Set<Room>();
const encoder = new TextEncoder();
const { add, say } = Room.prototype;

Room.prototype.add = function (this: Room, m: Member): void {
  rooms.add(this);
  add.call(this, m);
};

Room.prototype.say = function (this: Room, m: Member, text: string, at: number): void {
  say.call(this, m, text, at);
  for (const other of rooms) {
    if (other === this) continue;
    for (const x of other.members()) other.send(x, encoder.encode(`[${m.nick}]: ${text}\n`));
  }
};

serve();
