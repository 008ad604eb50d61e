#!/usr/bin/env node
// `npm run bench`: every benchmark, numbers printed as a table and written to bench-results.json.
// `npm run bench -- terminal memory` runs only those (results printed, the file left alone).
import { writeFileSync } from 'node:fs';
import { buildIfStale } from '../../scripts/build.mjs';
import { benchCore } from './core.mjs';
import { benchInstall } from './install.mjs';
import { benchTerminal } from './terminal.mjs';
import { benchMemory } from './memory.mjs';
import { benchChat } from './chat.mjs';
import { benchSearch } from './search.mjs';
import { benchPermissions } from './permissions.mjs';

const all = { core: benchCore, install: benchInstall, terminal: benchTerminal, memory: benchMemory, chat: benchChat, search: benchSearch, permissions: benchPermissions };
const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !(name in all));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; there are: ${Object.keys(all).join(', ')}`);
  process.exit(2);
}
buildIfStale();
const results = { date: new Date().toISOString(), node: process.version };
for (const [name, bench] of Object.entries(all)) if (asked.length === 0 || asked.includes(name)) results[name] = await bench();
if (asked.length === 0) {
  writeFileSync('bench-results.json', `${JSON.stringify(results, null, 2)}\n`);
  console.log('\nwritten to bench-results.json');
}
