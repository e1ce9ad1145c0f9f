/**
 * Progress display: plain lines at each tenth when the stream is not a terminal (logs, pipes, CI), a live
 * cli-progress bar when it is.
 */
import { describe, expect, test } from "vitest";
import { recorder } from "../src/Io.ts";
import { formatFields, startProgress } from "../src/progress.ts";

describe("not a terminal: plain lines", () => {
  test("one line per tenth, however the updates fall, then a closing line with the elapsed time", () => {
    const out = recorder(false);
    let t = 1000;
    const bar = startProgress({ label: "training", total: 250, stream: out.stream, now: () => t });
    for (let n = 1; n <= 250; n++) bar.update(n, { loss: 1 / n, throughput: 1234.6 });
    t += 2500;
    bar.stop();
    bar.stop(); // idempotent
    bar.update(250); // ignored once stopped
    const lines = out.text().trimEnd().split("\n");
    expect(lines).toHaveLength(11);
    expect(lines.slice(0, 10).map((l) => /^training: (\d+)% \((\d+)\/250\)/.exec(l)!.slice(1).join(" "))).toEqual([
      "10 25",
      "20 50",
      "30 75",
      "40 100",
      "50 125",
      "60 150",
      "70 175",
      "80 200",
      "90 225",
      "100 250",
    ]);
    expect(lines[0]).toBe("training: 10% (25/250), loss 0.04000, 1235/s");
    expect(lines[10]).toBe("training: done, 250/250 in 2.5 s, loss 0.004000, 1235/s");
    expect(out.text()).not.toMatch(/\u001b|\r/);
  });

  test("a jump prints only the tenth reached; stopping early says so", () => {
    const out = recorder(false);
    const bar = startProgress({ label: "pairs", total: 10, stream: out.stream, now: () => 0 });
    bar.update(0);
    bar.update(7);
    bar.stop();
    expect(out.text()).toBe("pairs: 70% (7/10)\npairs: stopped, 7/10 in 0.0 s\n");
  });

  test("a coarser schedule with `every`", () => {
    const out = recorder(false);
    const bar = startProgress({ label: "x", total: 100, stream: out.stream, every: 0.25, now: () => 0 });
    for (let n = 1; n <= 100; n++) bar.update(n);
    bar.stop();
    expect(out.text().match(/^x: \d+%/gm)).toEqual(["x: 25%", "x: 50%", "x: 75%", "x: 100%"]);
  });

  test("invalid options are refused before anything is drawn", () => {
    const out = recorder(false);
    expect(() => startProgress({ label: "x", total: 0, stream: out.stream })).toThrow(/expected total to be a positive integer, found 0/);
    expect(() => startProgress({ label: "x", total: 2.5, stream: out.stream })).toThrow(/positive integer, found 2.5/);
    expect(() => startProgress({ label: "x", total: 10, stream: out.stream, every: 0 })).toThrow(/expected every in \(0, 1\], found 0/);
    expect(out.text()).toBe("");
  });
});

describe("a terminal: a live bar", () => {
  test("draws the label, the bar, the count and the fields with cursor control", () => {
    const out = recorder(true);
    const bar = startProgress({ label: "training", total: 40, stream: out.stream });
    bar.update(40, { loss: 0.5 });
    bar.stop();
    const text = out.text();
    expect(text).toMatch(/training \[█+\] 100% 40\/40 loss 0\.5000 eta/);
    expect(text).toMatch(/\u001b\[/); // it redraws in place
  });
});

test("fields: 4 significant digits, integers as they are, throughput per second", () => {
  expect(formatFields({ loss: 0.123456, step: 12, throughput: 2048.7, phase: "warm-up" })).toBe("loss 0.1235, step 12, 2049/s, phase warm-up");
  expect(formatFields({ loss: 1.5e-7, big: 123456.5 })).toBe("loss 1.500e-7, big 1.235e+5");
});
