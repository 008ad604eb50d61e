import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A CommonJS module loaded synchronously on first use. For libraries only some requests need
 * (ssh2 for SSH terminals, zip and YAML for skills): every start of Atelier would otherwise pay
 * their loading before it answers. Import the module's types with `import type`.
 */
export function lazyModule<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(id) as T);
}
