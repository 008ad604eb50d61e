// Runs one search off the main thread; search-tool.ts terminates it on timeout or abort.
import { parentPort, workerData } from 'node:worker_threads';
import { searchFiles, type SearchRequest } from './search-core.js';

parentPort?.postMessage(searchFiles(workerData as SearchRequest));
