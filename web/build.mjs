#!/usr/bin/env node
// Bundles the page: web/src/main.tsx → app-<hash>.js + app-<hash>.css, and index.html
// pointing at them, all written to OUT (default web/dist). crates/api's build.rs runs
// this and embeds the result in the binary.
//
// usage: node web/build.mjs [OUT]
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? join(here, "dist"));

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
/**
 * The committed forge ABIs carry `internalType` and the artifact wrapper; the page needs
 * only the `abi` entries viem reads (names, types, indexed), so those are all it ships.
 */
const slimAbi = {
  name: "slim-abi",
  setup(b) {
    b.onLoad({ filter: /auction-contract[\\/]abi[\\/].*\.json$/ }, async (args) => {
      const strip = (param) => {
        const { internalType: _drop, components, ...rest } = param;
        return components ? { ...rest, components: components.map(strip) } : rest;
      };
      const artifact = JSON.parse(await readFile(args.path, "utf8"));
      const abi = artifact.abi
        .filter((item) => ["function", "event", "error"].includes(item.type))
        .map(({ inputs = [], outputs, ...item }) => ({
          ...item,
          inputs: inputs.map(strip),
          ...(outputs ? { outputs: outputs.map(strip) } : {}),
        }));
      return { contents: JSON.stringify({ abi }), loader: "json" };
    });
  },
};

const result = await build({
  plugins: [slimAbi],
  entryPoints: { app: join(here, "src/main.tsx") },
  bundle: true,
  format: "esm",
  target: ["es2022", "chrome111", "firefox115", "safari16"],
  minify: true,
  sourcemap: false,
  legalComments: "none",
  jsx: "automatic",
  jsxImportSource: "preact",
  entryNames: "[name]-[hash]",
  outdir: out,
  metafile: true,
  logLevel: "warning",
  define: { "process.env.NODE_ENV": '"production"' },
});

const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
const script = outputs.find((f) => f.endsWith(".js"));
const style = outputs.find((f) => f.endsWith(".css"));
if (!script || !style) throw new Error(`unexpected esbuild outputs: ${outputs.join(", ")}`);
const html = (await readFile(join(here, "index.html"), "utf8"))
  .replace("%SCRIPT%", `/assets/${script}`)
  .replace("%STYLE%", `/assets/${style}`);
await writeFile(join(out, "index.html"), html);
console.log(`web bundle: ${outputs.join(", ")} → ${out}`);
