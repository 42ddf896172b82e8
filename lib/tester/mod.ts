/**
 * `chat test`: a conformance tester for chat servers written from docs/PROTOCOL.md (the
 * students' servers), in the manner of h2spec and irctest. The suite is in `registry.ts`, one
 * file per group under `suite/`; `runner.ts` runs it against a target, `matrix.ts` against many;
 * `report/` turns results into lines, JSON, JUnit XML, CSV and HTML.
 * @module
 */

export * from "./spec.ts";
export * from "./registry.ts";
export * from "./runner.ts";
export * from "./matrix.ts";
export * from "./target.ts";
export * from "./servers_file.ts";
export * from "./catalog.ts";
export * from "./report/terminal.ts";
export * from "./report/json.ts";
export * from "./report/junit.ts";
export * from "./report/matrix.ts";
export * from "./report/matrix_html.ts";
