// End-to-end tests that run inside a real VS Code extension host (loaded as extensionTestsPath by
// test/run-e2e.sh → test/e2e.mjs). run() resolving means success; rejecting makes VS Code exit 1.
//
// Env (set by the driver on the VS Code server process, inherited by the extension host):
//   SCHOLION_E2E_ARTIFACTS  directory for suite.log and the hover screenshot handshake files.

import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import type { ScholionApi } from "../extension";
import { State } from "vscode-languageclient/node";

const EXTENSION_ID = "scholion.scholion";
const SEED = "003_6e6cbfc847bdfa0c.txt";
const DEF_SEED = "000_9189eb5902b93f6a.txt";
const EXPANSION = "Militaire Inlichtingen- en Veiligheidsdienst";
const TIMEOUT = Number(process.env.SCHOLION_E2E_TIMEOUT_MS ?? 20000);
const ART = process.env.SCHOLION_E2E_ARTIFACTS ?? "";

function log(line: string): void {
  console.log(`[scholion-e2e] ${line}`);
  if (ART) fs.appendFileSync(path.join(ART, "suite.log"), line + "\n");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = TIMEOUT): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== null && (v as unknown) !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ""}`);
    await sleep(100);
  }
}

function hoverText(hovers: vscode.Hover[] | undefined): string {
  const parts: string[] = [];
  for (const h of hovers ?? []) {
    for (const c of h.contents) {
      if (typeof c === "string") parts.push(c);
      else if ("value" in c) parts.push(c.value);
    }
  }
  return parts.join("\n");
}

function positionOf(doc: vscode.TextDocument, line: number, needle: string): vscode.Position {
  const text = doc.lineAt(line).text;
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`"${needle}" not in line ${line + 1}: ${text}`);
  return new vscode.Position(line, i + 1);
}

function diagCode(d: vscode.Diagnostic): string | undefined {
  const c = d.code;
  if (c === undefined) return undefined;
  return typeof c === "object" ? String(c.value) : String(c);
}

/** Screenshot handshake with the Playwright driver: it waits for the hover in the DOM, shoots, answers. */
async function requestScreenshot(name: string, expectText: string): Promise<void> {
  if (!ART) throw new Error("SCHOLION_E2E_ARTIFACTS is not set: the driver did not start this run");
  const req = path.join(ART, `${name}.request`);
  const done = path.join(ART, `${name}.done`);
  fs.rmSync(done, { force: true });
  fs.writeFileSync(req, JSON.stringify({ expectText }));
  const status = await waitFor(`the driver's screenshot of ${name}`, () => (fs.existsSync(done) ? fs.readFileSync(done, "utf8") : undefined), 30000);
  if (status.trim() !== "ok") throw new Error(`screenshot ${name}: ${status.trim()}`);
}

export async function run(): Promise<void> {
  const results: { name: string; ok: boolean; error?: string }[] = [];
  const test = async (name: string, fn: () => Promise<void>) => {
    const t0 = Date.now();
    try {
      await fn();
      results.push({ name, ok: true });
      log(`ok   - ${name} (${Date.now() - t0} ms)`);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      results.push({ name, ok: false, error: msg });
      log(`FAIL - ${name} (${Date.now() - t0} ms)\n       ${msg.replace(/\n/g, "\n       ")}`);
    }
  };
  log(`VS Code ${vscode.version}, workspace ${vscode.workspace.workspaceFolders?.map((f) => f.uri.toString()).join(", ")}`);

  const folder = vscode.workspace.workspaceFolders?.[0];
  let api: ScholionApi | undefined;
  let doc: vscode.TextDocument | undefined;
  let editor: vscode.TextEditor | undefined;

  const started = await (async () => {
    await test("extension activates and the server initializes for a plaintext file", async () => {
      if (!folder) throw new Error("no workspace folder is open");
      const ext = vscode.extensions.getExtension<ScholionApi>(EXTENSION_ID);
      if (!ext) throw new Error(`extension ${EXTENSION_ID} is not loaded (extensionDevelopmentPath wrong?)`);
      doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, SEED));
      editor = await vscode.window.showTextDocument(doc);
      if (doc.languageId !== "plaintext") throw new Error(`language of ${SEED} is ${doc.languageId}`);
      api = await waitFor("activation", async () => (ext.isActive ? ext.exports : undefined));
      await api.ready();
      const res = api.resolution();
      if (!res?.ok) throw new Error(`server binary not found: ${res && !res.ok ? res.message : "not resolved"}`);
      log(`       server ${res.path} (via ${res.source})`);
      const client = await waitFor("the language client", () => api!.client());
      await waitFor("the server to be running", () => client.state === State.Running || client.state === State.Stopped || api!.startError());
      if (api.startError()) throw new Error(api.startError());
      if (client.state !== State.Running) throw new Error("the language client stopped: the server did not initialize");
      log(`       serverInfo ${JSON.stringify(client.initializeResult?.serverInfo)}; capabilities ${Object.keys(client.initializeResult?.capabilities ?? {}).join(", ")}`);
      await sleep(300);
      if (client.state !== State.Running) throw new Error("the server exited right after initialize");
    });
    return results.every((r) => r.ok);
  })();

  if (started && doc && editor) {
    const d = doc;
    const caps = api!.client()!.initializeResult?.capabilities ?? {};

    await test("hover on MIVD (line 2) shows the expansion, and the hover widget renders it", async () => {
      if (!caps.hoverProvider) throw new Error("server does not advertise hoverProvider");
      const pos = positionOf(d, 1, "MIVD");
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>("vscode.executeHoverProvider", d.uri, pos);
      const text = hoverText(hovers);
      if (!text.includes(EXPANSION)) throw new Error(`hover text lacks "${EXPANSION}": ${JSON.stringify(text)}`);
      const ed = await vscode.window.showTextDocument(d);
      ed.selection = new vscode.Selection(pos, pos);
      ed.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenter);
      await vscode.commands.executeCommand("editor.action.showHover");
      await requestScreenshot("hover", EXPANSION);
      await vscode.commands.executeCommand("editor.action.hideHover").then(undefined, () => undefined);
    });

    await test("go to definition on MIVD lands in seed 000", async () => {
      if (!caps.definitionProvider) throw new Error("server does not advertise definitionProvider");
      const pos = positionOf(d, 1, "MIVD");
      const locs =
        (await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>("vscode.executeDefinitionProvider", d.uri, pos)) ?? [];
      const uris = locs.map((l) => ("targetUri" in l ? l.targetUri : l.uri));
      if (uris.length === 0) throw new Error("textDocument/definition returned no location");
      if (!uris.some((u) => u.path.endsWith(DEF_SEED))) throw new Error(`no location in ${DEF_SEED}: ${uris.map(String).join(", ")}`);
      // And as a user does it: F12 opens the other file.
      const ed = await vscode.window.showTextDocument(d);
      ed.selection = new vscode.Selection(pos, pos);
      await vscode.commands.executeCommand("editor.action.revealDefinition");
      const landed = await waitFor("the definition editor", () => {
        const a = vscode.window.activeTextEditor;
        return a && a.document.uri.path.endsWith(DEF_SEED) ? a : undefined;
      });
      log(`       landed at ${path.basename(landed.document.uri.path)}:${landed.selection.active.line + 1}:${landed.selection.active.character + 1}`);
      await vscode.window.showTextDocument(d);
    });

    await test("garbled-character diagnostic on line 8 and its quick fix repairs Oekraïne", async () => {
      const diag = await waitFor(
        "a garbled-character diagnostic on line 8",
        () => vscode.languages.getDiagnostics(d.uri).find((x) => diagCode(x) === "garbled-character" && x.range.start.line === 7),
      ).catch((e) => {
        const all = vscode.languages.getDiagnostics(d.uri);
        const on8 = all.filter((x) => x.range.start.line === 7).map((x) => `[${diagCode(x)}] ${x.message}`);
        throw new Error(`${e instanceof Error ? e.message : e}; ${all.length} diagnostic(s) in the file, on line 8: ${on8.length ? on8.join("; ") : "none"}`);
      });
      log(`       diagnostic: ${diag.message}`);
      const actions =
        (await vscode.commands.executeCommand<vscode.CodeAction[]>("vscode.executeCodeActionProvider", d.uri, diag.range, "quickfix", 10)) ?? [];
      log(`       quick fixes offered: ${actions.map((a) => `"${a.title}"`).join(", ") || "none"}`);
      const fix =
        actions.find((a) => a.isPreferred && a.diagnostics?.some((x) => diagCode(x) === "garbled-character")) ??
        actions.find((a) => a.diagnostics?.some((x) => diagCode(x) === "garbled-character")) ??
        actions.find((a) => a.title.includes("ï"));
      if (!fix) throw new Error("no quick fix for the garbled-character diagnostic");
      if (fix.edit) {
        if (!(await vscode.workspace.applyEdit(fix.edit))) throw new Error("VS Code refused the quick fix edit");
      }
      if (fix.command) await vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments ?? []));
      if (!fix.edit && !fix.command) throw new Error(`quick fix "${fix.title}" has neither edit nor command`);
      const line8 = await waitFor("line 8 to read Oekraïne", () => (d.lineAt(7).text.includes("Oekraïne") ? d.lineAt(7).text : undefined), 5000).catch(
        () => {
          throw new Error(`after the quick fix line 8 is: ${d.lineAt(7).text}`);
        },
      );
      log(`       line 8: ${line8.trim()}`);
    });

    await test("Scholion: Reflow page (scholion.reflowPage) reflows the page under the cursor", async () => {
      const left = "De MIVD heeft een belangrijke rol";
      const right = "multinationale samenwerking beter te benutten";
      const ed = await vscode.window.showTextDocument(d);
      const pos = positionOf(d, 1, "MIVD");
      ed.selection = new vscode.Selection(pos, pos);
      const before = d.getText();
      const applied = await vscode.commands.executeCommand<boolean>("scholion.reflowPage");
      if (!applied) throw new Error(`the server offered no "Reflow page into reading order" action at line 2`);
      const after = d.getText();
      if (after === before) throw new Error("reflow left the document unchanged");
      for (const l of after.split("\n")) {
        if (l.includes(left) && l.includes(right)) throw new Error(`the two columns are still on one line: ${l}`);
      }
      if (!after.includes(left) || !after.includes(right)) throw new Error("reflow lost text");
    });

    await test("Scholion: Show acronyms (scholion.showAcronyms) lists MIVD for seed 000", async () => {
      const items = await vscode.commands.executeCommand<{ acronym: string; expansion: string }[] | undefined>(
        "scholion.showAcronyms",
        vscode.Uri.joinPath(folder!.uri, DEF_SEED),
      );
      await vscode.commands.executeCommand("workbench.action.closeQuickOpen");
      if (!items) throw new Error("`scholion acronyms --format json` failed (see the Scholion output channel)");
      if (!items.some((i) => i.acronym === "MIVD" && i.expansion.includes(EXPANSION))) {
        throw new Error(`MIVD = ${EXPANSION} not in ${JSON.stringify(items).slice(0, 400)}`);
      }
    });
  }

  if (started && api) {
    await test("changing scholion.server.path restarts the server with the new path", async () => {
      const before = api!.client();
      const conf = vscode.workspace.getConfiguration("scholion");
      const current = conf.get<string>("server.path", "");
      if (!current) throw new Error("the driver did not set scholion.server.path");
      // The same binary under another spelling of its path.
      const alt = `${path.dirname(current)}/./${path.basename(current)}`;
      try {
        await conf.update("server.path", alt, vscode.ConfigurationTarget.Global);
        const after = await waitFor("a new client", () => {
          const c = api!.client();
          return c && c !== before && c.state === State.Running ? c : undefined;
        });
        const res = api!.resolution();
        if (!res?.ok || res.path !== alt) throw new Error(`restarted with ${JSON.stringify(res)}, expected ${alt}`);
        log(`       restarted: ${JSON.stringify(after.initializeResult?.serverInfo)} from ${res.path}`);
      } finally {
        await conf.update("server.path", current, vscode.ConfigurationTarget.Global);
      }
    });
  }

  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  log(`${passed} passed, ${failed} failed`);
  // Leave the documents unsaved and unchanged on disk.
  await vscode.commands.executeCommand("workbench.action.files.revert").then(undefined, () => undefined);
  if (failed > 0) throw new Error(`${failed} of ${results.length} end-to-end checks failed`);
}
