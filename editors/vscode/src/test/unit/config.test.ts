import { test } from "node:test";
import * as assert from "node:assert/strict";
import {
  documentSelector,
  expandPath,
  findReflowAction,
  languagesFrom,
  needsRestart,
  parseAcronyms,
  resolveServerPath,
  toInitializationOptions,
} from "../../config";

const EXT = "/ext/scholion-0.1.0";
const exec = (...files: string[]) => (f: string) => files.includes(f);

test("server path: the setting wins over bundled and PATH", () => {
  const r = resolveServerPath({
    configured: "/opt/scholion/bin/scholion",
    extensionPath: EXT,
    envPath: "/usr/bin:/usr/local/bin",
    platform: "linux",
    isExecutable: exec("/opt/scholion/bin/scholion", `${EXT}/server/scholion`, "/usr/bin/scholion"),
  });
  assert.deepEqual(r.ok && [r.path, r.source], ["/opt/scholion/bin/scholion", "setting"]);
});

test("server path: bundled binary before PATH when the setting is empty", () => {
  const r = resolveServerPath({
    configured: "",
    extensionPath: EXT,
    envPath: "/usr/bin",
    platform: "linux",
    isExecutable: exec(`${EXT}/server/scholion`, "/usr/bin/scholion"),
  });
  assert.deepEqual(r.ok && [r.path, r.source], [`${EXT}/server/scholion`, "bundled"]);
});

test("server path: PATH, first match in order", () => {
  const r = resolveServerPath({
    configured: undefined,
    extensionPath: EXT,
    envPath: "/a::/b:/c",
    platform: "linux",
    isExecutable: exec("/b/scholion", "/c/scholion"),
  });
  assert.deepEqual(r.ok && [r.path, r.source], ["/b/scholion", "path"]);
  assert.deepEqual(r.tried, [`${EXT}/server/scholion`, "/a/scholion", "/b/scholion"]);
});

test("server path: windows binary name and separator", () => {
  const r = resolveServerPath({
    extensionPath: "C:\\ext",
    envPath: "C:\\tools;D:\\bin",
    platform: "win32",
    isExecutable: exec("D:\\bin\\scholion.exe"),
  });
  assert.deepEqual(r.ok && [r.path, r.source], ["D:\\bin\\scholion.exe", "path"]);
});

test("server path: a setting that points nowhere is an error, not a silent fallback", () => {
  const r = resolveServerPath({
    configured: "/nope/scholion",
    extensionPath: EXT,
    envPath: "/usr/bin",
    platform: "linux",
    isExecutable: exec("/usr/bin/scholion"),
  });
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.message : "", /scholion\.server\.path/);
});

test("server path: ~ and ${workspaceFolder} are expanded; bare names are looked up on PATH", () => {
  assert.equal(expandPath("~/bin/scholion", "/home/u"), "/home/u/bin/scholion");
  assert.equal(expandPath("${workspaceFolder}/target/debug/scholion", "/h", "/ws"), "/ws/target/debug/scholion");
  const r = resolveServerPath({
    configured: "${workspaceFolder}/target/debug/scholion",
    extensionPath: EXT,
    workspaceFolder: "/ws",
    platform: "linux",
    isExecutable: exec("/ws/target/debug/scholion"),
  });
  assert.deepEqual(r.ok && r.path, "/ws/target/debug/scholion");
  const bare = resolveServerPath({
    configured: "scholion-nightly",
    extensionPath: EXT,
    envPath: "/x:/y",
    platform: "linux",
    isExecutable: exec("/y/scholion-nightly"),
  });
  assert.deepEqual(bare.ok && [bare.path, bare.source], ["/y/scholion-nightly", "setting"]);
});

test("server path: nothing found gives a message that says what to do", () => {
  const r = resolveServerPath({ extensionPath: EXT, envPath: "/usr/bin", platform: "linux", isExecutable: () => false });
  assert.equal(r.ok, false);
  const msg = !r.ok ? r.message : "";
  assert.match(msg, /not found/);
  assert.match(msg, /scholion\.server\.path/);
  assert.match(msg, /PATH/);
});

test("settings → initializationOptions: server keys only, typed", () => {
  const opts = toInitializationOptions({
    server: { path: "/x" },
    trace: { server: "verbose" },
    languages: ["markdown"],
    glossaries: ["glossary.toml", 3],
    include: ["**/*.txt"],
    exclude: ["drafts/**"],
    rules: {
      "garbled-character": { enabled: true, severity: "error", extra: 1 },
      "long-line": { enabled: false },
      "bad-severity": { severity: "fatal" },
      shorthand: false,
      level: "hint",
    },
    maxDiagnosticsPerFile: 100,
    maxFileSize: -1,
  });
  assert.deepEqual(opts, {
    include: ["**/*.txt"],
    exclude: ["drafts/**"],
    glossaries: ["glossary.toml"],
    rules: {
      "garbled-character": { enabled: true, severity: "error" },
      "long-line": { enabled: false },
      "bad-severity": {},
      shorthand: { enabled: false },
      level: { enabled: true, severity: "hint" },
    },
    maxDiagnosticsPerFile: 100,
  });
});

test("settings → initializationOptions: empty or missing section is an empty object", () => {
  assert.deepEqual(toInitializationOptions(undefined), {});
  assert.deepEqual(toInitializationOptions({}), {});
  assert.equal(JSON.stringify(toInitializationOptions(null)), "{}");
});

test("settings → initializationOptions: reads a WorkspaceConfiguration-like object through get()", () => {
  const values: Record<string, unknown> = { include: ["a/*.txt"], rules: {} };
  const conf = { get: (k: string) => values[k], has: () => true };
  assert.deepEqual(toInitializationOptions(conf as unknown as Record<string, unknown>), { include: ["a/*.txt"], rules: {} });
});

test("languages and document selector", () => {
  assert.deepEqual(languagesFrom(undefined), ["plaintext"]);
  assert.deepEqual(languagesFrom(["markdown", "plaintext", " latex ", "", 5]), ["plaintext", "markdown", "latex"]);
  assert.deepEqual(documentSelector(["plaintext"]), [
    { scheme: "file", language: "plaintext" },
    { scheme: "untitled", language: "plaintext" },
  ]);
});

test("restart only for server.path and languages", () => {
  assert.equal(needsRestart((s) => s === "scholion.server.path"), true);
  assert.equal(needsRestart((s) => s === "scholion.languages"), true);
  assert.equal(needsRestart((s) => s === "scholion.rules"), false);
});

test("acronyms JSON: list, wrapped list, map; 1-based and LSP locations", () => {
  assert.deepEqual(
    parseAcronyms(
      JSON.stringify([
        { acronym: "MIVD", expansion: "Militaire Inlichtingen- en Veiligheidsdienst", file: "/ws/000.txt", line: 11, column: 108 },
        { acronym: "NSS", expansion: null },
      ]),
    ),
    [
      { acronym: "MIVD", expansion: "Militaire Inlichtingen- en Veiligheidsdienst", file: "/ws/000.txt", line: 10, character: 107 },
      { acronym: "NSS", expansion: "" },
    ],
  );
  assert.deepEqual(
    parseAcronyms(
      JSON.stringify({
        acronyms: [{ short: "AIVD", long: ["Algemene Inlichtingen- en Veiligheidsdienst"], location: { uri: "file:///a.txt", range: { start: { line: 3, character: 4 } } } }],
      }),
    ),
    [{ acronym: "AIVD", expansion: "Algemene Inlichtingen- en Veiligheidsdienst", file: "file:///a.txt", line: 3, character: 4 }],
  );
  assert.deepEqual(parseAcronyms('{"NAVO":"Noord-Atlantische Verdragsorganisatie","AIVD":"x"}'), [
    { acronym: "AIVD", expansion: "x" },
    { acronym: "NAVO", expansion: "Noord-Atlantische Verdragsorganisatie" },
  ]);
  assert.throws(() => parseAcronyms("not json"));
});

test("acronyms JSON Lines with defined_at = path:line (what scholion prints)", () => {
  const out = [
    '{"acronym":"AIVD","defined_at":null,"expansion":"Algemene Inlichtingen- en Veiligheidsdienst","other_expansions":[],"source":"glossary","uses":5}',
    '{"acronym":"MIVD","defined_at":"/ws/seeds/000.txt:11","expansion":"Militaire Inlichtingen- en Veiligheidsdienst","other_expansions":[],"source":"text","uses":3}',
    "",
  ].join("\n");
  assert.deepEqual(parseAcronyms(out), [
    { acronym: "AIVD", expansion: "Algemene Inlichtingen- en Veiligheidsdienst", source: "glossary", uses: 5 },
    { acronym: "MIVD", expansion: "Militaire Inlichtingen- en Veiligheidsdienst", file: "/ws/seeds/000.txt", line: 10, character: 0, source: "text", uses: 3 },
  ]);
  assert.deepEqual(parseAcronyms('[{"acronym":"X","expansion":"y","defined_at":"C:/a b.txt:3:7"}]'), [
    { acronym: "X", expansion: "y", file: "C:/a b.txt", line: 2, character: 6 },
  ]);
});

test("reflow action is found by title and kind", () => {
  const actions = [
    { title: "Reflow page into reading order", kind: "quickfix" },
    { title: "Something else", kind: "refactor.rewrite" },
    { title: "Reflow page into reading order", kind: { value: "refactor.rewrite" }, id: 3 },
  ];
  assert.equal((findReflowAction(actions) as { id?: number } | undefined)?.id, 3);
  assert.equal(findReflowAction([{ title: "Reflow page into reading order" }])?.title, "Reflow page into reading order");
  assert.equal(findReflowAction([]), undefined);
  assert.equal(findReflowAction(undefined), undefined);
});
