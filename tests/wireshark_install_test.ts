import assert from "node:assert/strict";
import { installDissector, PLUGIN_FILE, pluginDir } from "../lib/wireshark/install.ts";

Deno.test("pluginDir is ~/.local/lib/wireshark/plugins on Linux", () => {
  assert.equal(pluginDir("linux", { HOME: "/home/ana" }), "/home/ana/.local/lib/wireshark/plugins");
});

Deno.test("pluginDir is ~/.local/lib/wireshark/plugins on macOS too", () => {
  assert.equal(
    pluginDir("darwin", { HOME: "/Users/ana" }),
    "/Users/ana/.local/lib/wireshark/plugins",
  );
});

Deno.test("pluginDir is %APPDATA%\\Wireshark\\plugins on Windows", () => {
  assert.equal(
    pluginDir("windows", { APPDATA: "C:\\Users\\ana\\AppData\\Roaming" }),
    "C:\\Users\\ana\\AppData\\Roaming\\Wireshark\\plugins",
  );
  assert.equal(
    pluginDir("windows", { USERPROFILE: "C:\\Users\\ana" }),
    "C:\\Users\\ana\\AppData\\Roaming\\Wireshark\\plugins",
  );
});

Deno.test("pluginDir throws when the home folder is unknown", () => {
  assert.throws(() => pluginDir("linux", {}), /HOME is not set/);
  assert.throws(() => pluginDir("windows", { HOME: "/x" }), /APPDATA is not set/);
});

Deno.test("installDissector creates the folder and writes chat.lua", async () => {
  const root = await Deno.makeTempDir({ prefix: "chat-install-" });
  try {
    const dir = `${root}/a/b/plugins`;
    const path = await installDissector(dir, "-- one\n");
    assert.ok(path.endsWith(PLUGIN_FILE));
    assert.equal(await Deno.readTextFile(path), "-- one\n");
    assert.equal(await installDissector(dir, "-- two\n"), path);
    assert.equal(await Deno.readTextFile(path), "-- two\n");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
