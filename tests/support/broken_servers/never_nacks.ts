/**
 * Broken on purpose: a frame whose checksum fails is dropped silently instead of being answered
 * with a NACK, so a corrupted DATA waits for the sender's timer. Everything else is the
 * project's server.
 * @module
 */

import { ArqEndpoint } from "../../../lib/arq/mod.ts";
import { serve } from "./arq_server.ts";

ArqEndpoint.prototype.inputCorrupt = function (): void {};
serve();
