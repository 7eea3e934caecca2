// Pure helpers of the Scholion extension: no `vscode` import here, so node's test runner can test
// them directly (src/test/unit/).

import * as path from "node:path";

/** The language id VS Code gives .txt files. */
export const DEFAULT_LANGUAGE = "plaintext";

export const REFLOW_TITLE = "Reflow page into reading order";
export const REFLOW_KIND = "refactor.rewrite";

export type Severity = "error" | "warning" | "information" | "hint";
const SEVERITIES: readonly string[] = ["error", "warning", "information", "hint"];

export interface RuleSetting {
  enabled?: boolean;
  severity?: Severity;
}

/** The server's configuration, as `initializationOptions` and `workspace/configuration` carry it. */
export interface ServerSettings {
  include?: string[];
  exclude?: string[];
  glossaries?: string[];
  rules?: Record<string, RuleSetting>;
  maxDiagnosticsPerFile?: number;
  maxFileSize?: number;
}

function stringArray(v: unknown): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.filter((x): x is string => typeof x === "string");
}

function positiveInt(v: unknown): number | undefined {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : undefined;
}

/**
 * Maps the `scholion` settings section (as `workspace.getConfiguration("scholion")` returns it, or a
 * plain object) to the server's configuration object. Editor-only keys (`server`, `trace`,
 * `languages`) are left out, and so are values of the wrong type; unknown rule fields are dropped.
 */
export function toInitializationOptions(section: Record<string, unknown> | undefined | null): ServerSettings {
  const s = section ?? {};
  const get = (key: string): unknown => {
    // WorkspaceConfiguration has get(); a plain object has properties.
    const g = (s as { get?: (k: string) => unknown }).get;
    return typeof g === "function" ? g.call(s, key) : (s as Record<string, unknown>)[key];
  };
  const out: ServerSettings = {};
  const include = stringArray(get("include"));
  if (include) out.include = include;
  const exclude = stringArray(get("exclude"));
  if (exclude) out.exclude = exclude;
  const glossaries = stringArray(get("glossaries"));
  if (glossaries) out.glossaries = glossaries;
  const rules = get("rules");
  if (rules && typeof rules === "object" && !Array.isArray(rules)) {
    const mapped: Record<string, RuleSetting> = {};
    for (const [code, value] of Object.entries(rules as Record<string, unknown>)) {
      if (typeof value === "boolean") {
        // Shorthand: "rule": false
        mapped[code] = { enabled: value };
        continue;
      }
      if (typeof value === "string" && SEVERITIES.includes(value)) {
        // Shorthand: "rule": "error"
        mapped[code] = { enabled: true, severity: value as Severity };
        continue;
      }
      if (!value || typeof value !== "object") continue;
      const v = value as Record<string, unknown>;
      const r: RuleSetting = {};
      if (typeof v.enabled === "boolean") r.enabled = v.enabled;
      if (typeof v.severity === "string" && SEVERITIES.includes(v.severity)) r.severity = v.severity as Severity;
      mapped[code] = r;
    }
    out.rules = mapped;
  }
  const maxDiag = positiveInt(get("maxDiagnosticsPerFile"));
  if (maxDiag !== undefined) out.maxDiagnosticsPerFile = maxDiag;
  const maxSize = positiveInt(get("maxFileSize"));
  if (maxSize !== undefined) out.maxFileSize = maxSize;
  return out;
}

/** Language ids to attach to: plaintext plus the user's `scholion.languages`, without duplicates. */
export function languagesFrom(extra: unknown): string[] {
  const langs = [DEFAULT_LANGUAGE];
  for (const l of stringArray(extra) ?? []) {
    const t = l.trim();
    if (t && !langs.includes(t)) langs.push(t);
  }
  return langs;
}

export interface DocumentFilter {
  scheme: string;
  language: string;
}

/** The client's document selector: saved files and untitled buffers of those languages. */
export function documentSelector(languages: string[]): DocumentFilter[] {
  return languages.flatMap((language) => [
    { scheme: "file", language },
    { scheme: "untitled", language },
  ]);
}

export type ServerSource = "setting" | "bundled" | "path";

export type Resolution =
  | { ok: true; path: string; source: ServerSource; tried: string[] }
  | { ok: false; message: string; tried: string[] };

export interface ResolveInput {
  /** The `scholion.server.path` setting (may be empty, start with `~`, or use `${workspaceFolder}`). */
  configured?: string | null;
  /** The extension's install directory; the bundled binary is `<dir>/server/scholion[.exe]`. */
  extensionPath: string;
  /** `process.env.PATH`. */
  envPath?: string;
  platform?: NodeJS.Platform;
  home?: string;
  workspaceFolder?: string;
  /** Whether a file exists and may be executed (injected for tests). */
  isExecutable: (file: string) => boolean;
}

export function binaryName(platform: NodeJS.Platform = process.platform): string {
  return platform === "win32" ? "scholion.exe" : "scholion";
}

/** Expands `~` and `${workspaceFolder}`/`${userHome}` in a configured path. */
export function expandPath(p: string, home?: string, workspaceFolder?: string): string {
  let out = p.trim();
  if (home && (out === "~" || out.startsWith("~/"))) out = path.join(home, out.slice(1));
  if (home) out = out.split("${userHome}").join(home);
  if (workspaceFolder) out = out.split("${workspaceFolder}").join(workspaceFolder);
  return out;
}

/**
 * Finds the server binary: the `scholion.server.path` setting, then the binary bundled in the
 * extension (`server/scholion`), then `scholion` on PATH. A setting that points nowhere is an error
 * of its own (it is not silently replaced by another binary).
 */
export function resolveServerPath(input: ResolveInput): Resolution {
  const platform = input.platform ?? process.platform;
  const name = binaryName(platform);
  const tried: string[] = [];
  const configured = (input.configured ?? "").trim();
  if (configured) {
    let p = expandPath(configured, input.home, input.workspaceFolder);
    if (!path.isAbsolute(p) && input.workspaceFolder && (p.includes("/") || p.includes("\\"))) {
      p = path.join(input.workspaceFolder, p);
    }
    if (path.isAbsolute(p)) {
      tried.push(p);
      if (input.isExecutable(p)) return { ok: true, path: p, source: "setting", tried };
      return {
        ok: false,
        tried,
        message:
          `The setting scholion.server.path is "${configured}", but no executable file is there. ` +
          `Fix the path (or clear the setting to use the bundled binary or "${name}" on PATH).`,
      };
    }
    // A bare command name: look it up on PATH below, before the default name.
    const onPath = searchPath(p, input.envPath, platform, input.isExecutable, tried);
    if (onPath) return { ok: true, path: onPath, source: "setting", tried };
    return {
      ok: false,
      tried,
      message: `The setting scholion.server.path is "${configured}", but no such program is on PATH.`,
    };
  }
  const bundled = path.join(input.extensionPath, "server", name);
  tried.push(bundled);
  if (input.isExecutable(bundled)) return { ok: true, path: bundled, source: "bundled", tried };
  const onPath = searchPath(name, input.envPath, platform, input.isExecutable, tried);
  if (onPath) return { ok: true, path: onPath, source: "path", tried };
  return {
    ok: false,
    tried,
    message:
      `Scholion's language server ("${name}") was not found: not bundled with the extension and not on PATH. ` +
      `Install it (cargo install --path . in the Scholion repository, or copy the binary to a directory on PATH) ` +
      `or set "scholion.server.path" to the binary.`,
  };
}

function searchPath(
  name: string,
  envPath: string | undefined,
  platform: NodeJS.Platform,
  isExecutable: (f: string) => boolean,
  tried: string[],
): string | undefined {
  const sep = platform === "win32" ? ";" : ":";
  const join = platform === "win32" ? path.win32.join : path.posix.join;
  for (const dir of (envPath ?? "").split(sep)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    tried.push(candidate);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Which settings changes need a restart of the server (the others go to it as configuration). */
export function needsRestart(affects: (section: string) => boolean): boolean {
  return affects("scholion.server.path") || affects("scholion.languages");
}

export interface AcronymItem {
  acronym: string;
  expansion: string;
  /** A file path (or URI) of the definition, when the JSON says where. */
  file?: string;
  /** 0-based line and character of the definition, when known. */
  line?: number;
  character?: number;
  /** Where the expansion comes from ("text", "glossary"), when given. */
  source?: string;
  /** How often the acronym is used, when given. */
  uses?: number;
}

function pick(o: Record<string, unknown>, keys: string[]): unknown {
  for (const k of keys) if (o[k] !== undefined && o[k] !== null) return o[k];
  return undefined;
}

/**
 * Parses the output of `scholion acronyms <file> --format json`. Accepts a list of entries, or an
 * object holding one under `acronyms`/`items`/`entries`/`definitions`, or a map acronym → expansion.
 * A location may be LSP-style (`range.start`, 0-based) or command-line style (`line`, 1-based).
 */
export function parseAcronyms(json: string): AcronymItem[] {
  let decoded: unknown;
  try {
    decoded = JSON.parse(json);
  } catch (e) {
    // JSON Lines: one object per line.
    const lines = json.split(/\r?\n/).filter((l) => l.trim() !== "");
    if (lines.length < 2) throw e;
    decoded = lines.map((l) => JSON.parse(l));
  }
  let list: unknown = decoded;
  if (decoded && typeof decoded === "object" && !Array.isArray(decoded)) {
    const o = decoded as Record<string, unknown>;
    list = pick(o, ["acronyms", "items", "entries", "definitions"]);
    if (list === undefined) {
      list = Object.entries(o)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([acronym, expansion]) => ({ acronym, expansion }));
    }
  }
  if (!Array.isArray(list)) return [];
  const out: AcronymItem[] = [];
  for (const e of list) {
    if (!e || typeof e !== "object") continue;
    const o = e as Record<string, unknown>;
    let expansion = pick(o, ["expansion", "long", "long_form", "longForm", "definition", "meaning"]);
    if (Array.isArray(expansion)) expansion = expansion.map(String).join(" | ");
    const item: AcronymItem = {
      acronym: String(pick(o, ["acronym", "short", "abbreviation", "abbr", "term", "name"]) ?? "?"),
      expansion: expansion === undefined ? "" : String(expansion),
    };
    let locRaw = pick(o, ["location", "definition_location", "defined_at"]);
    if (typeof locRaw === "string") {
      // "path:line" or "path:line:column", 1-based.
      const m = /^(.*?):(\d+)(?::(\d+))?$/.exec(locRaw);
      locRaw = m ? { file: m[1], line: Number(m[2]), ...(m[3] ? { column: Number(m[3]) } : {}) } : { file: locRaw };
    }
    const loc = (locRaw && typeof locRaw === "object" ? locRaw : o) as Record<string, unknown>;
    const file = pick(loc, ["file", "path", "uri"]);
    const range = loc.range as { start?: { line?: number; character?: number } } | undefined;
    if (range && typeof range === "object" && range.start && typeof range.start.line === "number") {
      item.line = range.start.line;
      item.character = range.start.character ?? 0;
    } else {
      const line = pick(loc, ["line", "lnum"]);
      if (typeof line === "number") {
        item.line = Math.max(0, line - 1);
        const col = pick(loc, ["column", "col"]);
        item.character = typeof col === "number" ? Math.max(0, col - 1) : 0;
      }
    }
    if (typeof file === "string") item.file = file;
    const source = pick(o, ["source"]);
    if (typeof source === "string") item.source = source;
    const uses = pick(o, ["uses", "count"]);
    if (typeof uses === "number") item.uses = uses;
    out.push(item);
  }
  return out;
}

/** Picks the reflow action out of a list of code actions (or commands) by title and kind. */
export function findReflowAction<T extends { title: string; kind?: unknown }>(actions: readonly T[] | undefined | null): T | undefined {
  return (actions ?? []).find((a) => {
    if (a.title !== REFLOW_TITLE) return false;
    const kind = a.kind === undefined ? "" : typeof a.kind === "string" ? a.kind : String((a.kind as { value?: string }).value ?? "");
    return kind === "" || kind === REFLOW_KIND || kind.startsWith(REFLOW_KIND + ".");
  });
}
