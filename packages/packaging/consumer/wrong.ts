// Must NOT type-check: the published types are real (a string is not a tensor, a Left has no .right).
import * as T from "@dtd/tensor";
import * as DT from "@dtd/deep-taylor";

export const bad1 = T.matmul("not a tensor", T.of([1], [1, 1]));
export const bad2 = DT.deriveRule(DT.zPlus).nonexistentField;
