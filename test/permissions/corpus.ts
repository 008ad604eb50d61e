// The permission engine's command corpus, typed for the tests. The data lives in corpus.mjs
// (types in corpus.d.mts) because the benchmark, which runs on plain Node, imports it too.
export { CORPUS, CUSTOM_RULES, MODE_CASES, makeCorpusHome } from './corpus.mjs';
export type { CorpusAction, CorpusCase, CorpusHome, CorpusRule, ModeCase } from './corpus.mjs';
