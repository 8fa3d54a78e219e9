/** Glob semantics are shared by every policy kind and the catalogue's viewing scope. */
export { compileGlobs, globToRegExp } from '@sessionrec/contracts';
