/**
 * `chat dissector [--install] [--port N]`: prints or installs the Wireshark Lua dissector.
 * @module
 */

import { boolFlag, type FlagSpec, intFlag, parseFlags } from "../lib/cli/args.ts";
import type { Command } from "../lib/cli/command.ts";
import { VERSION } from "../lib/version.ts";
import { generateDissector, installDissector, pluginDir } from "../lib/wireshark/mod.ts";

const spec: FlagSpec = { install: { type: "boolean" }, port: { type: "string", short: "p" } };

const helpEn = `chat dissector: the Wireshark dissector for chat's binary protocol

Usage: chat dissector [--install] [--port N]

  (no flag)      print the Lua dissector on stdout:  chat dissector > chat.lua
  --install      write it into your personal Wireshark plugins folder and say where
  -p, --port N   TCP port to decode as chat (default 55555; others: Decode As... in Wireshark,
                 or tshark -d tcp.port==N,chat)

After installing, reload with Analyze > Reload Lua Plugins (Ctrl+Shift+L) and use the display
filter "chat". It names every header field, checks the checksum, marks the last fragment,
reassembles frames split across TCP segments and labels plain-text sessions.`;

const helpPt = `chat dissector: o dissector do Wireshark para o protocolo binário do chat

Uso: chat dissector [--install] [--port N]

  (sem opção)    mostra o dissector em Lua na saída:  chat dissector > chat.lua
  --install      grava o dissector na sua pasta de plugins do Wireshark e diz onde
  -p, --port N   porta TCP a decodificar como chat (padrão 55555; outras: Decode As...
                 no Wireshark, ou tshark -d tcp.port==N,chat)

Depois de instalar, recarregue com Analyze > Reload Lua Plugins (Ctrl+Shift+L) e use o
filtro de exibição "chat". Ele dá nome a cada campo do cabeçalho, confere o checksum, marca
o último fragmento, remonta quadros divididos entre segmentos TCP e identifica as sessões
de texto puro.`;

async function run(args: string[]): Promise<number> {
  const flags = parseFlags(args, spec);
  const port = intFlag(flags, "port", 55555, 1, 65535);
  const text = generateDissector({ port, generator: `chat ${VERSION}` });
  if (!boolFlag(flags, "install")) {
    await Deno.stdout.write(new TextEncoder().encode(text));
    return 0;
  }
  let dir: string;
  try {
    dir = pluginDir(Deno.build.os, Deno.env.toObject());
  } catch (error) {
    console.error(`chat dissector: ${(error as Error).message}`);
    return 1;
  }
  try {
    const path = await installDissector(dir, text);
    console.log(`installed ${path}`);
    console.log("reload it in Wireshark: Analyze > Reload Lua Plugins (Ctrl+Shift+L)");
    return 0;
  } catch (error) {
    console.error(`chat dissector: cannot write to ${dir}: ${(error as Error).message}`);
    return 1;
  }
}

/** The `dissector` subcommand. */
export const dissector: Command = {
  name: "dissector",
  summary: {
    en: "Print or install the Wireshark dissector",
    "pt-BR": "Mostra ou instala o dissector do Wireshark",
  },
  help: { en: helpEn, "pt-BR": helpPt },
  run,
};
