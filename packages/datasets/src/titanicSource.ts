/**
 * Titanic passengers from either of the two common files:
 * - titanic3 (OpenML 40945, ARFF): pclass, survived, name, sex, age, sibsp, parch, ticket, fare, cabin,
 *   embarked, boat, body, home.dest — 1309 passengers;
 * - a Kaggle-style CSV (train.csv): PassengerId, Survived, Pclass, Name, Sex, Age, SibSp, Parch, Ticket, Fare,
 *   Cabin, Embarked — 891 passengers.
 * Columns are matched by name, ignoring case, so both map onto one {@link Passenger}. `cabin` may be absent (then
 * no passenger's cabin is known); every other column read is required. The columns `boat` and `body` (lifeboat,
 * body number) are never read: they are recorded after the sinking and give the label away.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { type ArffData, parseArff } from "./arff.ts";
import { type CsvTable, parseCsv } from "./csv.ts";
import { type DataError, show } from "./DataError.ts";

/** Ports of embarkation: Cherbourg, Queenstown, Southampton. */
export const PORTS = ["C", "Q", "S"] as const;
export type Port = (typeof PORTS)[number];

/** One passenger; null marks a missing value (only age, fare and embarked may be missing). */
export interface Passenger {
  /** 1-based line of the passenger's record in the source file. */
  readonly line: number;
  readonly name: string;
  readonly pclass: 1 | 2 | 3;
  readonly survived: 0 | 1;
  readonly sex: "female" | "male";
  readonly age: number | null;
  /** Siblings and spouses aboard. */
  readonly sibsp: number;
  /** Parents and children aboard. */
  readonly parch: number;
  readonly fare: number | null;
  /** The cabin ("C85", "B57 B59"), null when unknown (most 2nd- and 3rd-class passengers). */
  readonly cabin: string | null;
  readonly embarked: Port | null;
}

/** The format of a Titanic file. */
export type TitanicFormat = "arff" | "csv";

type Cell = string | number | null;

/** A table with header, cells and source lines: what both parsers give, with CSV's empty fields as null. */
interface Table {
  readonly header: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
  readonly lines: readonly number[];
}

/** ARFF if the first non-blank, non-comment line starts with `@`, else CSV. */
export const detectFormat = (text: string): TitanicFormat => {
  for (const raw of text.split("\n")) {
    const line = raw.replace(/^\uFEFF/, "").trim();
    if (line === "" || line.startsWith("%")) continue;
    return line.startsWith("@") ? "arff" : "csv";
  }
  return "csv";
};

const toTable = (text: string, format: TitanicFormat): E.Either<DataError, Table> =>
  format === "arff"
    ? E.map((a: ArffData): Table => ({
        header: a.attributes.map((at) => at.name),
        rows: a.rows,
        lines: a.lines,
      }))(parseArff(text))
    : E.map((c: CsvTable): Table => ({
        header: c.header,
        rows: c.rows.map((r) => r.map((v) => (v.trim() === "" ? null : v))),
        lines: c.lines,
      }))(parseCsv(text));

/** Reads the passengers of a titanic3 ARFF or Kaggle CSV text. `source` names the file in error messages. */
export const parsePassengers = (text: string, source: string): E.Either<DataError, Passenger[]> => {
  const format = detectFormat(text);
  const table = toTable(text, format);
  if (E.isLeft(table)) return table;
  const { header, rows, lines } = table.right;
  const lower = header.map((h) => h.trim().toLowerCase());
  const columns = ["pclass", "survived", "name", "sex", "age", "sibsp", "parch", "fare", "embarked"] as const;
  const at: Partial<Record<(typeof columns)[number], number>> = {};
  for (const c of columns) {
    const k = lower.indexOf(c);
    if (k < 0) return E.left({ _tag: "MissingColumn", source, column: c, found: header });
    at[c] = k;
  }
  // Optional: a file without the column knows no cabin.
  const cabinAt = lower.indexOf("cabin");
  const passengers: Passenger[] = [];
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    const line = lines[r]!;
    const bad = (column: string, expected: string, v: Cell): E.Either<DataError, never> =>
      E.left({ _tag: "BadValue", source, line, column, expected, found: v === null ? "a missing value" : show(String(v)) });
    const cell = (c: (typeof columns)[number]): Cell => row[at[c]!] ?? null;
    const num = (c: (typeof columns)[number]): number | null | undefined => {
      const v = cell(c);
      if (v === null) return null;
      const x = typeof v === "number" ? v : Number(v.trim());
      return Number.isFinite(x) && (typeof v === "number" || v.trim() !== "") ? x : undefined;
    };

    const pclass = num("pclass");
    if (pclass !== 1 && pclass !== 2 && pclass !== 3) return bad("pclass", "1, 2 or 3", cell("pclass"));
    const survived = num("survived");
    if (survived !== 0 && survived !== 1) return bad("survived", "0 or 1", cell("survived"));
    const sexCell = cell("sex");
    const sex = typeof sexCell === "string" ? sexCell.trim().toLowerCase() : "";
    if (sex !== "female" && sex !== "male") return bad("sex", "female or male", sexCell);
    const age = num("age");
    if (age === undefined || (age !== null && age < 0)) return bad("age", "a non-negative number or a missing value", cell("age"));
    const sibsp = num("sibsp");
    if (sibsp === null || sibsp === undefined || sibsp < 0) return bad("sibsp", "a non-negative number", cell("sibsp"));
    const parch = num("parch");
    if (parch === null || parch === undefined || parch < 0) return bad("parch", "a non-negative number", cell("parch"));
    const fare = num("fare");
    if (fare === undefined || (fare !== null && fare < 0)) return bad("fare", "a non-negative number or a missing value", cell("fare"));
    const portCell = cell("embarked");
    const port = portCell === null ? null : String(portCell).trim().toUpperCase();
    if (port !== null && port !== "C" && port !== "Q" && port !== "S") return bad("embarked", "C, Q, S or a missing value", portCell);
    const name = cell("name");
    const cabinCell = cabinAt < 0 ? null : (row[cabinAt] ?? null);
    const cabin = cabinCell === null || String(cabinCell).trim() === "" ? null : String(cabinCell).trim();
    passengers.push({ line, name: name === null ? "" : String(name), pclass, survived, sex, age, sibsp, parch, fare, cabin, embarked: port });
  }
  return E.right(passengers);
};
