/**
 * The test page's Web Worker: @dtd/parallel's `serve` with no hooks (the deck's strategies, numeric samples) —
 * what the package's own browser worker does, bundled by Vite for the page (`?worker&url`).
 */
import { serve } from "@dtd/parallel";

serve();
