// Builds the extension bundle (dist/extension.js), the end-to-end suite that runs inside the
// extension host (out/test/suite.js) and the unit tests (out/test/unit/*.test.js).
import * as esbuild from "esbuild";
import { readdirSync } from "node:fs";

const production = process.argv.includes("--production");
const watch = process.argv.includes("--watch");

const common = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node18",
  external: ["vscode"],
  sourcemap: production ? false : "linked",
  logLevel: "warning",
};

const builds = [
  { ...common, entryPoints: ["src/extension.ts"], outfile: "dist/extension.js", minify: production },
];
if (!production) {
  builds.push({ ...common, entryPoints: ["src/test/suite.ts"], outfile: "out/test/suite.js" });
  const units = readdirSync("src/test/unit").filter((f) => f.endsWith(".test.ts"));
  builds.push({ ...common, entryPoints: units.map((f) => `src/test/unit/${f}`), outdir: "out/test/unit" });
}

if (watch) {
  for (const b of builds) (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
