/**
 * What the chat reports for the server's log: joins, leaves, moves, held and resumed nicknames,
 * operator actions and refusals. Nicknames and sizes, never the text of a chat line.
 * @module
 */

/** Something that happened, for the log. */
export type ChatEvent =
  | {
    readonly type: "join";
    readonly id: number;
    readonly nick: string;
    readonly users: number;
    readonly room: string;
  }
  | {
    readonly type: "leave";
    readonly id: number;
    readonly nick: string;
    readonly reason: string;
    readonly room: string;
  }
  | { readonly type: "rename"; readonly id: number; readonly from: string; readonly to: string }
  | {
    readonly type: "message";
    readonly id: number;
    readonly nick: string;
    readonly bytes: number;
    readonly room: string;
  }
  | { readonly type: "private"; readonly id: number; readonly from: string; readonly to: string }
  | {
    readonly type: "move";
    readonly id: number;
    readonly nick: string;
    readonly from: string;
    readonly to: string;
  }
  | { readonly type: "held"; readonly id: number; readonly nick: string; readonly ms: number }
  | { readonly type: "released"; readonly nick: string }
  | {
    readonly type: "resume";
    readonly id: number;
    readonly nick: string;
    readonly room: string;
    readonly missed: number;
  }
  | {
    readonly type: "operator";
    readonly id: number;
    readonly nick: string;
    readonly action: string;
    readonly target?: string;
    readonly detail?: string;
  }
  | {
    readonly type: "denied";
    readonly id: number;
    readonly nick: string;
    readonly verb: string;
    readonly reason: string;
  }
  | {
    readonly type: "reject";
    readonly id: number;
    readonly code: number;
    readonly reason: string;
  };
