/**
 * Captures without Wireshark: pcapng files synthesized from the bytes a socket sends and
 * receives, with Ethernet/IP/TCP headers that Wireshark's TCP analysis accepts.
 * @module
 */

export * from "./address.ts";
export * from "./packet.ts";
export * from "./pcapng.ts";
export * from "./tcp_flow.ts";
export * from "./capture_file.ts";
export * from "./reader.ts";
