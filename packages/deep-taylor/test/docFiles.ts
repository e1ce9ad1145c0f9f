/**
 * Reading the repository's pages and examples from this package's tests: files outside the package are imported at
 * run time (Vite's `?raw` for text) by a specifier that is not a literal, so the type checker does not follow
 * them out of the package and needs no Node types.
 */
/** This directory (import.meta.url is typed by no lib this package loads, so it is read as a string). */
const here = (() => {
  const url = (import.meta as unknown as { readonly url: string }).url;
  return decodeURIComponent(url.replace(/^file:\/\//, "")).replace(/\/[^/]*$/, "");
})();
/** An absolute path from one relative to this directory. */
export const resolve = (relative: string): string =>
  relative.split("/").reduce((parts, p) => (p === ".." ? parts.slice(0, -1) : p === "." ? parts : [...parts, p]), here.split("/")).join("/");
/**
 * A module by its path relative to this directory, with an optional Vite query such as "?raw". The specifier is not a
 * literal, so the type checker does not follow it out of the package.
 */
export const importAt = (relative: string, query = ""): Promise<unknown> => import(/* @vite-ignore */ resolve(relative) + query);
/** The text of a file, through Vite's `?raw`. */
export const loadRaw = async (relative: string): Promise<string> => {
  const m = await importAt(relative, "?raw");
  const body = typeof m === "object" && m !== null && "default" in m ? m.default : undefined;
  if (typeof body !== "string") throw new Error(`expected the text of ${relative}, found ${typeof body}`);
  return body;
};

/** `// #region name` … `// #endregion` blocks of a source file. */
export const regionsOf = (source: string): Map<string, string> =>
  new Map([...source.matchAll(/^\/\/ #region (\S+)\n([\s\S]*?)^\/\/ #endregion$/gm)].map((m) => [m[1]!, m[2]!]));

/** The fenced block after each `<!-- region: name -->` marker of a page. */
export const blocksOf = (markdown: string): Map<string, string> =>
  new Map([...markdown.matchAll(/^<!-- region: (\S+) -->\n```ts\n([\s\S]*?)^```$/gm)].map((m) => [m[1]!, m[2]!]));

