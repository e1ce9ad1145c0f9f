/**
 * @dtd/datasets/node — the data sets' files, for Node: the installed `mnist` package's class files and the
 * Titanic file (ARFF or CSV, gzipped or not), read and handed to the browser-safe parsers of `@dtd/datasets`.
 * @module
 */
export { loadMnist, mnistDigitsDir, readMnist } from "./mnistFiles.ts";
export { DEFAULT_TITANIC_PATH, loadTitanic, locateTitanic, readTitanic, TITANIC_HINT, type TitanicLocation } from "./titanicFiles.ts";
