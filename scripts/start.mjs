#!/usr/bin/env node
// `npm start`: build what is missing or stale, then run the server with the given flags.
import { buildIfStale } from './build.mjs';

buildIfStale();
await import('../server/dist/main.js');
