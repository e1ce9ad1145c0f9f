/**
 * What both entry points share: the composite as data, the outcomes and errors, the platform-neutral pool and
 * the worker's side. `@dtd/parallel` adds the platform's threads (Node's `worker_threads` or the browser's Web
 * Workers, chosen by export condition) as `startPool`, `explainMany` and `serve`.
 * @module
 */
export { type StrategySpec, type UseSpec, type EntrySpec, type CompositeSpec, type LayerwiseSpecOptions, type StrategyRegistry, w2, zPlus, zB, named, rule, compositeSpec, layerwise, uniform, toComposite } from "./CompositeSpec.ts";
export { type ParallelError, type InputError, message, inputMessage } from "./ParallelError.ts";
export { type Encoded, type Sample, type Heatmap, type Outcome, encoded } from "./Outcome.ts";
export { type ModelData, toModelData, fromModelData, shareTensor, canShareMemory } from "./ModelData.ts";
export { type Inputs, type ManyTarget, type Pool, type PoolOptions, type RunOptions, startPool as startPoolOn, workerCount } from "./Pool.ts";
export { type Platform, type WorkerPort, inThread } from "./Platform.ts";
export { type Prestarted, prestartOn } from "./prestart.ts";
export { type BatchEncoder, type Decoder, type Encodable, type Encoder, type Encoding, type Endpoint, type ServeOptions, serveOn } from "./serve.ts";
export { explainManyOn, type ManyOptions } from "./explainMany.ts";
