/**
 * The per-sample input shape of a model: the file's own (batch dimension dropped) or, where the file leaves
 * sizes unknown (a dynamic batch is fine; dynamic H, W are not), the one the caller gives — which must agree
 * with every size the file does know.
 * @module
 */
import type { SourceFormat } from "./ImportError.ts";
import { fail } from "./internal/fail.ts";

const show = (dims: readonly number[]): string => `[${dims.map((d) => (d < 0 ? "?" : d)).join(", ")}]`;

/**
 * `dims` as the file gives them (−1 for unknown, batch first); `override` per sample, in the file's layout;
 * `layout` names the expected axes ("C, H, W" or "H, W, C").
 */
export const sampleShape = (p: { readonly format: SourceFormat; readonly input: string; readonly dims: readonly number[]; readonly override: readonly number[] | undefined; readonly layout: string }): number[] => {
  const known = p.dims.slice(1);
  const hint = `give the per-sample input size (${p.layout}) when importing: the inputShape option, dtd's --input-shape`;
  if (p.override !== undefined) {
    const o = p.override;
    if (o.length === 0 || o.some((d) => !Number.isSafeInteger(d) || d < 1)) fail({ _tag: "UnsupportedModel", format: p.format, reason: `the input shape given, ${show(o)}, is not a list of positive integers` });
    const clash = p.dims.length > 1 && (known.length !== o.length || known.some((d, i) => d >= 0 && d !== o[i]));
    if (clash) fail({ _tag: "UnsupportedModel", format: p.format, reason: `the input shape given, ${show(o)} per sample, contradicts the file's input "${p.input}" of shape ${show(p.dims)}` });
    return [...o];
  }
  if (known.length === 0 || known.some((d) => d < 1)) fail({ _tag: "UnsupportedModel", format: p.format, reason: `its input "${p.input}" has shape ${show(p.dims)} with unknown sizes: ${hint}` });
  return known;
};
