// Drives real VS Code (the server bundled in code-server) with headless Chromium through
// playwright-core, and runs out/test/suite.js inside the real extension host.
// Called by test/run-e2e.sh, which provides the environment:
//   SCHOLION_VSCODE_SERVER  path of code-server's lib/vscode/out/server-main.js
//   SCHOLION_NODE           the Node 24 binary to run it with
//   SCHOLION_BIN            directory of the scholion binary (set as scholion.server.path)
//   SCHOLION_SEEDS          directory of the seed texts (copied to a temp workspace)
//   SCHOLION_ARTIFACTS      where screenshots go (editors/vscode/test-artifacts)
//   CHROMIUM                chromium binary (default /usr/bin/chromium)
// Exits with the extension tests' exit code; 1 on any error or timeout of the rig itself.

import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const EXT_DIR = path.resolve(HERE, "..");
const env = (k, d) => process.env[k] || d;
const SERVER_MAIN = env("SCHOLION_VSCODE_SERVER");
const NODE = env("SCHOLION_NODE", process.execPath);
const BIN = env("SCHOLION_BIN");
const SEEDS = env("SCHOLION_SEEDS");
const ARTIFACTS = path.resolve(env("SCHOLION_ARTIFACTS", path.join(EXT_DIR, "test-artifacts")));
const CHROMIUM = env("CHROMIUM", "/usr/bin/chromium");
const TOTAL_TIMEOUT_MS = Number(env("SCHOLION_E2E_TOTAL_TIMEOUT_MS", "240000"));

const t0 = Date.now();
const say = (s) => console.log(`[e2e +${((Date.now() - t0) / 1000).toFixed(1)}s] ${s}`);
function die(msg) {
  console.error(`e2e: FAIL: ${msg}`);
  process.exitCode = 1;
  throw new Error(msg);
}

for (const [k, v] of Object.entries({ SCHOLION_VSCODE_SERVER: SERVER_MAIN, SCHOLION_BIN: BIN, SCHOLION_SEEDS: SEEDS })) {
  if (!v) die(`${k} is not set (run test/run-e2e.sh)`);
}
if (!fs.existsSync(SERVER_MAIN)) die(`no VS Code server at ${SERVER_MAIN}`);
if (!fs.existsSync(path.join(BIN, "scholion"))) die(`no scholion binary in ${BIN}`);
if (!fs.existsSync(path.join(EXT_DIR, "dist/extension.js")) || !fs.existsSync(path.join(EXT_DIR, "out/test/suite.js"))) {
  die("extension not built: run `npm run build` in editors/vscode");
}
if (!fs.existsSync(CHROMIUM)) die(`no chromium at ${CHROMIUM} (apt-get install chromium)`);

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url, ms, proc) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (proc.exitCode !== null) die(`the VS Code server exited early with code ${proc.exitCode}`);
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  die(`the VS Code server did not answer at ${url} within ${ms} ms`);
}

// ---- workspace, settings, artifacts -------------------------------------------------------------
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "scholion-vscode-e2e-"));
const WS = path.join(TMP, "seeds");
fs.cpSync(SEEDS, WS, { recursive: true });
for (const f of fs.readdirSync(WS)) fs.chmodSync(path.join(WS, f), 0o644);
const SERVER_DATA = path.join(TMP, "server-data");
const EXTENSIONS = path.join(TMP, "extensions");
const settings = {
  "scholion.server.path": path.join(BIN, "scholion"),
  "scholion.trace.server": "messages",
  "security.workspace.trust.enabled": false,
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "editor.hover.delay": 100,
  "editor.hover.sticky": true,
  "window.zoomLevel": 0,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "chat.disableAIFeatures": true,
};
for (const dir of ["data/Machine", "data/User"]) {
  fs.mkdirSync(path.join(SERVER_DATA, dir), { recursive: true });
  fs.writeFileSync(path.join(SERVER_DATA, dir, "settings.json"), JSON.stringify(settings, null, 2));
}
fs.mkdirSync(EXTENSIONS, { recursive: true });
fs.mkdirSync(ARTIFACTS, { recursive: true });
const SIGNALS = path.join(TMP, "signals");
fs.mkdirSync(SIGNALS);

// ---- VS Code server ------------------------------------------------------------------------------
const port = await freePort();
const serverLog = fs.createWriteStream(path.join(TMP, "vscode-server.log"));
const server = spawn(
  NODE,
  [
    SERVER_MAIN,
    "--host", "127.0.0.1",
    "--port", String(port),
    "--without-connection-token",
    "--accept-server-license-terms",
    "--enable-smoke-test-driver",
    "--disable-telemetry",
    "--disable-workspace-trust",
    "--server-data-dir", SERVER_DATA,
    "--user-data-dir", path.join(SERVER_DATA, "data"),
    "--extensions-dir", EXTENSIONS,
    "--logsPath", path.join(TMP, "logs"),
  ],
  {
    env: {
      ...process.env,
      PATH: `${path.dirname(NODE)}:${process.env.PATH}`,
      SCHOLION_E2E_ARTIFACTS: SIGNALS,
      // No extension gallery: nothing may reach out of this machine during the test.
      EXTENSIONS_GALLERY: "{}",
      VSCODE_AGENT_FOLDER: SERVER_DATA,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  },
);
server.stdout.pipe(serverLog);
server.stderr.pipe(serverLog);
let browser;
let exitCode = 1;
let suiteLogPos = 0;
function flushSuiteLog() {
  const f = path.join(SIGNALS, "suite.log");
  if (!fs.existsSync(f)) return;
  const buf = fs.readFileSync(f);
  const end = buf.lastIndexOf(10) + 1; // complete lines only
  if (end > suiteLogPos) {
    const text = buf.subarray(suiteLogPos, end).toString("utf8");
    process.stdout.write(text.replace(/^(?=.)/gm, "  | "));
    suiteLogPos = end;
  }
}

async function cleanup() {
  flushSuiteLog();
  try {
    await browser?.close();
  } catch {}
  try {
    process.kill(-server.pid, "SIGTERM");
  } catch {}
  await new Promise((r) => setTimeout(r, 300));
  try {
    process.kill(-server.pid, "SIGKILL");
  } catch {}
  if (exitCode !== 0) {
    const logs = [];
    const walk = (d) => {
      for (const e of fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }) : []) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (/^(Scholion\.log|remoteexthost\.log)$/.test(e.name)) logs.push(p);
      }
    };
    walk(path.join(TMP, "logs"));
    for (const l of logs) {
      const text = fs.readFileSync(l, "utf8").trimEnd().split("\n").slice(/Scholion/.test(l) ? -60 : -15).join("\n");
      console.log(`---- tail of ${l} ----\n${text}`);
    }
    const sl = fs.readFileSync(path.join(TMP, "vscode-server.log"), "utf8").split("\n").slice(-20).join("\n");
    console.log(`---- tail of the VS Code server output ----\n${sl}`);
  }
  if (process.env.SCHOLION_E2E_KEEP) console.log(`kept ${TMP}`);
  else fs.rmSync(TMP, { recursive: true, force: true });
}

const watchdog = setTimeout(() => {
  console.error(`e2e: FAIL: the run did not finish within ${TOTAL_TIMEOUT_MS} ms`);
  exitCode = 1;
  cleanup().finally(() => process.exit(1));
}, TOTAL_TIMEOUT_MS);

try {
  const base = `http://127.0.0.1:${port}`;
  say(`VS Code server on ${base} (data in ${TMP})`);
  await waitForHttp(`${base}/version`, 60000, server);
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = JSON.stringify([
    ["extensionDevelopmentPath", remote(EXT_DIR)],
    ["extensionTestsPath", remote(path.join(EXT_DIR, "out/test/suite.js"))],
    ["skipWelcome", "true"],
    ["skipReleaseNotes", "true"],
  ]);
  const url = `${base}/?folder=${encodeURIComponent(WS)}&payload=${encodeURIComponent(payload)}`;

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-dev-shm-usage",
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on("console", (m) => {
    const t = m.text();
    if (/scholion/i.test(t) && !t.includes("[scholion-e2e]")) say(`console: ${t.slice(0, 300)}`);
    else if (m.type() === "error" && /scholion|extension host/i.test(t)) say(`console error: ${t.slice(0, 300)}`);
  });
  page.on("pageerror", (e) => say(`page error: ${e.message}`));
  const exited = new Promise((resolve) => {
    page.exposeFunction("codeAutomationExit", (code) => resolve(Number(code)));
  });
  // The workbench's own log. The suite's lines come through suite.log (in order); show only
  // errors here, minus the known noise of a workbench without network and service worker.
  const NOISE = /Service Worker|authentication provider|ENOTFOUND|\[scholion-e2e\]/;
  await page.exposeFunction("codeAutomationLog", (level, msg) => {
    const m = String(msg);
    if (level === "error" && !NOISE.test(m)) say(`vscode[${level}]: ${m.slice(0, 400)}`);
  });

  // Screenshot handshake: the suite writes <name>.request, we wait for the hover in the DOM, shoot,
  // and answer with <name>.done ("ok" or the problem).
  let stop = false;
  const shooter = (async () => {
    while (!stop) {
      flushSuiteLog();
      for (const f of fs.readdirSync(SIGNALS)) {
        if (!f.endsWith(".request")) continue;
        const name = f.slice(0, -".request".length);
        const req = JSON.parse(fs.readFileSync(path.join(SIGNALS, f), "utf8"));
        fs.rmSync(path.join(SIGNALS, f));
        let status = "ok";
        const shot = path.join(ARTIFACTS, `${name}.png`);
        try {
          const hover = page.locator(".monaco-hover:not(.hidden)").filter({ hasText: req.expectText }).first();
          await hover.waitFor({ state: "visible", timeout: 15000 });
          await page.waitForTimeout(300); // let the fade-in finish
          await page.screenshot({ path: shot });
          say(`screenshot ${shot}`);
        } catch (e) {
          status = `the hover with "${req.expectText}" did not appear in the UI: ${e.message.split("\n")[0]}`;
          await page.screenshot({ path: path.join(ARTIFACTS, `${name}-failed.png`) }).catch(() => {});
        }
        fs.writeFileSync(path.join(SIGNALS, `${name}.done`), status);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();

  say("opening the workbench with the extension under development and the test suite");
  await page.goto(url, { waitUntil: "domcontentloaded", timeout: 60000 });
  exitCode = await exited;
  stop = true;
  await shooter;
  await page.screenshot({ path: path.join(ARTIFACTS, "final.png") }).catch(() => {});
  say(`extension tests finished with exit code ${exitCode}`);
  // Exit 0 is not enough: the suite must have reached its summary with nothing failed.
  const suiteLog = path.join(SIGNALS, "suite.log");
  const summary = fs.existsSync(suiteLog) ? fs.readFileSync(suiteLog, "utf8").trimEnd().split("\n").pop() : "";
  if (exitCode === 0 && !/^\d+ passed, 0 failed$/.test(summary ?? "")) {
    console.error(`e2e: FAIL: VS Code reported success but the suite did not finish (last line: ${JSON.stringify(summary)})`);
    exitCode = 1;
  }
} catch (e) {
  console.error(`e2e: FAIL: ${e instanceof Error ? e.message : e}`);
  exitCode = 1;
} finally {
  clearTimeout(watchdog);
  await cleanup();
}
process.exit(exitCode);
