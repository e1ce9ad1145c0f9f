/**
 * The package's own Web Worker: serves the pool with no hooks (the deck's strategies, numeric samples).
 * @module
 */
import { serve } from "../browserServe.ts";

serve();
