/**
 * The page's elements, looked up once by id (index.html): a missing one is a bug, reported at load.
 * @module
 */

const $ = <E extends HTMLElement>(id: string): E => {
  const e = document.getElementById(id);
  if (e === null) throw new Error(`explorer: no element #${id}`);
  return e as E;
};

/** Every element the page script touches. */
export const ui = {
  kernels: $<HTMLOutputElement>("kernels"),
  modelName: $<HTMLOutputElement>("model-name"),
  modelFile: $<HTMLInputElement>("model-file"),
  method: $<HTMLSelectElement>("method"),
  perLayer: $<HTMLDivElement>("per-layer"),
  boxRow: $<HTMLLabelElement>("box-row"),
  boxLow: $<HTMLInputElement>("box-low"),
  boxHigh: $<HTMLInputElement>("box-high"),
  targetRow: $<HTMLLabelElement>("target-row"),
  target: $<HTMLSelectElement>("target"),
  imageFile: $<HTMLInputElement>("image-file"),
  invert: $<HTMLInputElement>("invert"),
  lenient: $<HTMLInputElement>("lenient"),
  overlay: $<HTMLInputElement>("overlay"),
  clear: $<HTMLButtonElement>("clear"),
  sample: $<HTMLButtonElement>("sample"),
  input: $<HTMLCanvasElement>("input"),
  inputCaption: $("input-caption"),
  heatmap: $<HTMLCanvasElement>("heatmap"),
  out: {
    method: $("out-method"),
    f: $("out-f"),
    sum: $("out-sum"),
    error: $("out-error"),
    min: $("out-min"),
    consistent: $("out-consistent"),
    roots: $("out-roots"),
    time: $("out-time"),
  },
  notes: $<HTMLUListElement>("notes"),
  status: $<HTMLParagraphElement>("status"),
};
