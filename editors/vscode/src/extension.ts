// VS Code client for the Scholion language server (`scholion lsp`).

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFile } from "node:child_process";
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
} from "vscode-languageclient/node";
import {
  AcronymItem,
  documentSelector,
  findReflowAction,
  languagesFrom,
  needsRestart,
  parseAcronyms,
  REFLOW_KIND,
  REFLOW_TITLE,
  resolveServerPath,
  Resolution,
  toInitializationOptions,
} from "./config";

const SECTION = "scholion";

let client: LanguageClient | undefined;
let clientStarting: Promise<void> | undefined;
let resolution: Resolution | undefined;
let startError: string | undefined;
let output: vscode.LogOutputChannel;
let extensionPath = "";

/** What the extension returns from activate(); the end-to-end tests use it. */
export interface ScholionApi {
  /** The running client, once started. */
  client(): LanguageClient | undefined;
  /** Starts the server if a matching document is open; resolves when it runs (or failed). */
  ready(): Promise<void>;
  /** How the server binary was found. */
  resolution(): Resolution | undefined;
  /** Why the last start failed, if it did. */
  startError(): string | undefined;
}

function isExecutable(file: string): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return false;
    if (process.platform === "win32") return true;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function firstWorkspaceFolder(): string | undefined {
  const f = vscode.workspace.workspaceFolders?.[0];
  return f && f.uri.scheme === "file" ? f.uri.fsPath : undefined;
}

function resolveServer(): Resolution {
  const configured = vscode.workspace.getConfiguration(SECTION).get<string>("server.path", "");
  return resolveServerPath({
    configured,
    extensionPath,
    envPath: process.env.PATH,
    home: os.homedir(),
    workspaceFolder: firstWorkspaceFolder(),
    isExecutable,
  });
}

function configuredLanguages(): string[] {
  return languagesFrom(vscode.workspace.getConfiguration(SECTION).get<unknown>("languages", []));
}

function matchesLanguages(doc: vscode.TextDocument): boolean {
  return (doc.uri.scheme === "file" || doc.uri.scheme === "untitled") && configuredLanguages().includes(doc.languageId);
}

async function showServerNotFound(message: string): Promise<void> {
  output.appendLine(`[scholion] ${message}`);
  const choice = await vscode.window.showErrorMessage(message, "Open Settings", "Show Output");
  if (choice === "Open Settings") {
    await vscode.commands.executeCommand("workbench.action.openSettings", "scholion.server.path");
  } else if (choice === "Show Output") {
    output.show(true);
  }
}

async function startClient(): Promise<void> {
  startError = undefined;
  resolution = resolveServer();
  if (!resolution.ok) {
    startError = resolution.message;
    void showServerNotFound(resolution.message);
    return;
  }
  const serverPath = resolution.path;
  output.appendLine(`[scholion] starting ${serverPath} lsp (found via ${resolution.source})`);
  const executable = { command: serverPath, args: ["lsp"], transport: TransportKind.stdio };
  const serverOptions: ServerOptions = { run: executable, debug: executable };
  const languages = configuredLanguages();
  const clientOptions: LanguageClientOptions = {
    documentSelector: documentSelector(languages),
    outputChannel: output,
    initializationOptions: () => toInitializationOptions(vscode.workspace.getConfiguration(SECTION)),
    // Sends workspace/didChangeConfiguration on changes; workspace/configuration requests for the
    // `scholion` section are answered from the same settings.
    synchronize: { configurationSection: SECTION },
    diagnosticPullOptions: { onChange: true, onSave: true },
  };
  const c = new LanguageClient("scholion", "Scholion", serverOptions, clientOptions);
  client = c;
  try {
    await c.start();
    output.appendLine(`[scholion] server running: ${JSON.stringify(c.initializeResult?.serverInfo ?? {})}`);
  } catch (err) {
    const msg = `Scholion: the server ${serverPath} failed to start: ${err instanceof Error ? err.message : String(err)}`;
    startError = msg;
    output.appendLine(msg);
    void vscode.window.showErrorMessage(msg, "Show Output").then((c2) => c2 && output.show(true));
  }
}

function ensureStarted(): Promise<void> {
  if (!clientStarting) {
    clientStarting = startClient();
  }
  return clientStarting;
}

async function stopClient(): Promise<void> {
  const c = client;
  client = undefined;
  clientStarting = undefined;
  if (c) {
    try {
      await c.stop(5000);
    } catch (err) {
      output.appendLine(`[scholion] error while stopping the server: ${String(err)}`);
    }
  }
}

async function restartClient(): Promise<void> {
  await stopClient();
  if (vscode.workspace.textDocuments.some(matchesLanguages)) {
    await ensureStarted();
  }
}

async function reflowPage(): Promise<boolean> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showWarningMessage("Scholion: open a text file to reflow a page.");
    return false;
  }
  if (!client || client.state !== State.Running) {
    void vscode.window.showWarningMessage("Scholion: the language server is not running for this file.");
    return false;
  }
  const pos = editor.selection.active;
  const actions =
    (await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
      "vscode.executeCodeActionProvider",
      editor.document.uri,
      new vscode.Range(pos, pos),
      REFLOW_KIND,
      10,
    )) ?? [];
  const action = findReflowAction(actions);
  if (!action) {
    void vscode.window.showInformationMessage(
      `Scholion: the server offers no "${REFLOW_TITLE}" action here (${actions.length} other action(s)).`,
    );
    return false;
  }
  if ("edit" in action && action.edit) {
    const ok = await vscode.workspace.applyEdit(action.edit);
    if (!ok) {
      void vscode.window.showErrorMessage("Scholion: VS Code refused the reflow edit.");
      return false;
    }
  }
  const command = "command" in action ? action.command : undefined;
  if (typeof command === "string") {
    const cmd = action as vscode.Command;
    await vscode.commands.executeCommand(cmd.command, ...(cmd.arguments ?? []));
  } else if (command) {
    await vscode.commands.executeCommand(command.command, ...(command.arguments ?? []));
  }
  return true;
}

function runAcronyms(bin: string, file: string): Promise<AcronymItem[]> {
  return new Promise((resolve, reject) => {
    execFile(bin, ["acronyms", file, "--format", "json"], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`${bin} acronyms ${file} --format json failed: ${stderr.trim() || err.message}`));
        return;
      }
      try {
        resolve(parseAcronyms(stdout));
      } catch (e) {
        reject(new Error(`could not parse the JSON from scholion acronyms: ${String(e)}`));
      }
    });
  });
}

/** Runs `scholion acronyms <file> --format json` and shows a QuickPick; returns the items (for tests). */
async function showAcronyms(uri?: vscode.Uri): Promise<AcronymItem[] | undefined> {
  const target = uri ?? vscode.window.activeTextEditor?.document.uri;
  if (!target || target.scheme !== "file") {
    void vscode.window.showWarningMessage("Scholion: open a saved text file to list its acronyms.");
    return undefined;
  }
  const res = resolution?.ok ? resolution : resolveServer();
  if (!res.ok) {
    void showServerNotFound(res.message);
    return undefined;
  }
  let items: AcronymItem[];
  try {
    items = await runAcronyms(res.path, target.fsPath);
  } catch (err) {
    const msg = `Scholion: ${err instanceof Error ? err.message : String(err)}`;
    output.appendLine(msg);
    void vscode.window.showErrorMessage(msg, "Show Output").then((c) => c && output.show(true));
    return undefined;
  }
  output.appendLine(`[scholion] acronyms of ${target.fsPath}:`);
  for (const it of items) output.appendLine(`  ${it.acronym}\t${it.expansion}`);
  type Pick = vscode.QuickPickItem & { item: AcronymItem };
  const picks: Pick[] = items.map((it) => ({
    label: it.acronym,
    description: it.expansion,
    detail:
      [
        it.line !== undefined ? `${path.basename(it.file ?? target.fsPath)}:${it.line + 1}` : undefined,
        it.source,
        it.uses !== undefined ? `${it.uses} use${it.uses === 1 ? "" : "s"}` : undefined,
      ]
        .filter(Boolean)
        .join(" · ") || undefined,
    item: it,
  }));
  const qp = vscode.window.createQuickPick<Pick>();
  qp.title = `Acronyms in ${path.basename(target.fsPath)} (${items.length})`;
  qp.placeholder = items.length ? "Pick an acronym to go to its definition" : "No acronyms found";
  qp.matchOnDescription = true;
  qp.items = picks;
  qp.onDidAccept(async () => {
    const chosen = qp.selectedItems[0]?.item;
    qp.hide();
    if (chosen && chosen.line !== undefined) {
      const file = chosen.file ?? target.fsPath;
      const fileUri = file.startsWith("file:") ? vscode.Uri.parse(file) : vscode.Uri.file(file);
      const doc = await vscode.workspace.openTextDocument(fileUri);
      const p = new vscode.Position(chosen.line, chosen.character ?? 0);
      await vscode.window.showTextDocument(doc, { selection: new vscode.Range(p, p) });
    }
  });
  qp.onDidHide(() => qp.dispose());
  qp.show();
  return items;
}

export async function activate(context: vscode.ExtensionContext): Promise<ScholionApi> {
  extensionPath = context.extensionPath;
  output = vscode.window.createOutputChannel("Scholion", { log: true });
  context.subscriptions.push(output);

  context.subscriptions.push(
    vscode.commands.registerCommand("scholion.reflowPage", reflowPage),
    vscode.commands.registerCommand("scholion.showAcronyms", showAcronyms),
    vscode.commands.registerCommand("scholion.restartServer", restartClient),
    vscode.commands.registerCommand("scholion.showOutput", () => output.show(true)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (needsRestart((s) => e.affectsConfiguration(s))) {
        output.appendLine("[scholion] server settings changed: restarting the server");
        void restartClient();
      }
    }),
    vscode.workspace.onDidOpenTextDocument((doc) => {
      if (matchesLanguages(doc)) void ensureStarted();
    }),
    { dispose: () => void stopClient() },
  );

  if (vscode.workspace.textDocuments.some(matchesLanguages)) {
    void ensureStarted();
  }

  return {
    client: () => client,
    ready: () => ensureStarted(),
    resolution: () => resolution,
    startError: () => startError,
  };
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
