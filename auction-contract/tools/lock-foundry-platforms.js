#!/usr/bin/env node
// Keeps `npm ci` working with the @foundry-rs packages.
//
// @foundry-rs/{forge,cast,anvil} list a binary package per platform as optionalDependencies, but the
// registry only has some of them at 1.7.1 (anvil and cast: linux-amd64 only). `npm install` leaves
// the missing ones out of package-lock.json, and `npm ci` then rejects the lock ("Missing: ... from
// lock file"). This adds a platform-restricted entry for each missing one; npm skips them on other
// platforms and never fetches them here, and later `npm install` runs keep them.
//
// usage (after any `npm install` that rewrote the lock): node auction-contract/tools/lock-foundry-platforms.js
"use strict";
const fs = require("fs");
const path = require("path");

const file = process.argv[2] || path.join(__dirname, "..", "..", "package-lock.json");
const lock = JSON.parse(fs.readFileSync(file, "utf8"));
const platforms = {
  "darwin-amd64": ["darwin", "x64"],
  "darwin-arm64": ["darwin", "arm64"],
  "linux-amd64": ["linux", "x64"],
  "linux-arm64": ["linux", "arm64"],
  "win32-amd64": ["win32", "x64"],
};
let added = 0;
for (const tool of ["anvil", "cast", "forge"]) {
  const wrapper = lock.packages[`node_modules/@foundry-rs/${tool}`];
  if (!wrapper) continue;
  for (const name of Object.keys(wrapper.optionalDependencies || {})) {
    const key = `node_modules/${name}`;
    const platform = platforms[name.slice(`@foundry-rs/${tool}-`.length)];
    if (lock.packages[key] || !platform) continue;
    // Same key order npm writes.
    lock.packages[key] = { version: wrapper.optionalDependencies[name], cpu: [platform[1]], dev: true, optional: true, os: [platform[0]] };
    added++;
  }
}
const sorted = {};
for (const key of Object.keys(lock.packages).sort((a, b) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : a > b ? 1 : 0))) {
  sorted[key] = lock.packages[key];
}
lock.packages = sorted;
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + "\n");
console.log(`${path.basename(file)}: added ${added} @foundry-rs platform entries`);
