/**
 * The experiments' shared kit, in one place: what the MNIST demo, its deep variant, Titanic, the graph networks
 * and the real model have in common — the explanation methods compared (deep Taylor rules and the baselines),
 * progress hooks, the decision threshold and accuracy, the losses by name, where the repository and its cache
 * are, and the pieces of the reports (claims, Markdown tables). Experiments import it from here.
 * @module
 */
export { type Hooks, type ProgressHandle, silent } from "./hooks.ts";
export {
  baselineMethods,
  deepTaylorMethods,
  gradientXInputMethod,
  type Heatmaps,
  type Method,
  mnistMethods,
  sensitivityMethod,
  simpleTaylorMethod,
  type TaylorOptions,
  trainingFreeMethod,
  zBox,
} from "./methods.ts";
export { accuracy, chooseThreshold, type Threshold } from "./threshold.ts";
export { LOSSES, type LossName } from "./losses.ts";
export { defaultCacheDir, repoRoot } from "./repoRoot.ts";
export { type Claim, claimLines, markdownTable } from "./report.ts";
