/**
 * The binary wire protocol: header definition, checksum, sequence arithmetic, encoder,
 * streaming decoder and control payloads.
 * @module
 */

export * from "./header.ts";
export * from "./checksum.ts";
export * from "./seq.ts";
export * from "./errors.ts";
export * from "./frame.ts";
export * from "./decoder.ts";
export * from "./control.ts";
