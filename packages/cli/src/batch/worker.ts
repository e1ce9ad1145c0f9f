/**
 * The worker module of `dtd explain` over many inputs: serves the pool with the CLI's hooks (hooks.ts).
 * @module
 */
import { serve } from "@dtd/parallel";
import { hooks } from "./hooks.ts";

serve(hooks);
