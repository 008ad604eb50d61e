#!/usr/bin/env node
// `npm run bench`: every benchmark, numbers printed as a table and written to bench-results.json.
import { writeFileSync } from 'node:fs';
import { buildIfStale } from '../../scripts/build.mjs';
import { benchCore } from './core.mjs';
import { benchInstall } from './install.mjs';
import { benchTerminal } from './terminal.mjs';
import { benchChat } from './chat.mjs';
import { benchSearch } from './search.mjs';
import { benchPermissions } from './permissions.mjs';

buildIfStale();
const results = { date: new Date().toISOString(), node: process.version, core: await benchCore(), install: await benchInstall(), terminal: await benchTerminal(), chat: await benchChat(), search: await benchSearch(), permissions: await benchPermissions() };
writeFileSync('bench-results.json', `${JSON.stringify(results, null, 2)}\n`);
console.log('\nwritten to bench-results.json');
