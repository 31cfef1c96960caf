// Bundles the extension and vscode-languageclient into one CommonJS file, so the .vsix needs
// no node_modules.  `node esbuild.mjs --watch` rebuilds on change.
import * as esbuild from "esbuild";

const options = {
  entryPoints: ["src/extension.ts"],
  outfile: "dist/extension.js",
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  external: ["vscode"],
  sourcemap: true,
  sourcesContent: false,
  minify: process.argv.includes("--minify"),
  logLevel: "info",
};

if (process.argv.includes("--watch")) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  await esbuild.build(options);
}
