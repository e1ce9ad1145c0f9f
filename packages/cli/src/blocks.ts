/**
 * @dtd/cli/blocks — parts of the commands that a command defined outside this package reuses (the repository's
 * examples do): reading and importing model files, photos as model inputs, the output class, `.npy` files. They
 * load @dtd/import, @dtd/model-io and @dtd/viz, so they are kept out of `@dtd/cli`'s index, which a program loads
 * on every start.
 * @module
 */
export { encodeNpy } from "./batch/npy.ts";
export { importFile } from "./importFile.ts";
export { type ImportedInfo, infoOf } from "./imported.ts";
export { negateOutput } from "./outputClass.ts";
export { defaultPrep, type PhotoPrep, photoToInput } from "./photoInput.ts";
