/**
 * @dtd/datasets — the data sets of the deck's examples as pure parsers (text → `Either<DataError, …>`, no Node
 * API: this entry point runs in browsers): CSV and ARFF readers, the MNIST class files and the deck's two-digit
 * pair task, the Titanic passengers and their feature pipeline. Reading files (the installed `mnist` package,
 * the Titanic file) is the Node entry point `@dtd/datasets/node`.
 * @module
 */
export { type DataError, message } from "./DataError.ts";
export { type CsvTable, parseCsv } from "./csv.ts";
export { type ArffAttribute, type ArffData, type ArffValue, parseArff } from "./arff.ts";
export { DIGIT_PIXELS, DIGIT_SIDE, digitImage, type MnistClasses, mnistClasses, type MnistPool, parseMnistClass, type SplitOptions, splitMnist } from "./mnist.ts";
export {
  type DigitRef,
  distinctPairs,
  makePairs,
  PAIR_HEIGHT,
  PAIR_PIXELS,
  PAIR_SHAPE,
  PAIR_WIDTH,
  type PairMeta,
  type PairOptions,
  type PairSampler,
  pairSampler,
  type PairSet,
  renderPair,
} from "./mnistPairs.ts";
export { detectFormat, type Passenger, parsePassengers, type Port, PORTS, type TitanicFormat } from "./titanicSource.ts";
export {
  CONTINUOUS_FEATURES,
  parseTitanic,
  TITANIC_FEATURES,
  TITANIC_VARIABLES,
  type TitanicData,
  type TitanicFeature,
  titanicFeatures,
  type TitanicOptions,
  type TitanicSplit,
  type TitanicVariable,
  type Title,
  titleOf,
  TITLES,
} from "./titanic.ts";
export * as TitanicScaling from "./titanicScaling.ts";
export { type Scaler, type Scaling, SCALINGS } from "./titanicScaling.ts";
