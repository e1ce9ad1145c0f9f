/**
 * The package's own Node worker: serves the pool with no hooks (the deck's strategies, numeric samples).
 * @module
 */
import { serve } from "../nodeServe.ts";

serve();
