import { describe, expect, it } from "vitest";
import { chunkRows } from "../../src/authoring/batch";

describe("chunkRows", () => {
  it("keeps every multi-row INSERT within D1's 100 bound parameters, in order, losing nothing", () => {
    // [rows, columns per row, statements expected]
    for (const [rows, columns, statements] of [
      [1, 10, 1],
      [10, 10, 1],
      [11, 10, 2],
      [201, 8, 17],
      [57, 4, 3],
      [3, 150, 3],
    ] as const) {
      const input = Array.from({ length: rows }, (_, i) => Object.fromEntries(Array.from({ length: columns }, (_, c) => [`c${c}`, `${i}:${c}`])));
      const chunks = chunkRows(input);
      expect(chunks.flat()).toEqual(input);
      for (const chunk of chunks) expect(chunk.length * columns <= 100 || chunk.length === 1).toBe(true);
      expect(chunks.length).toBe(statements);
    }
    expect(chunkRows([])).toEqual([]);
  });
});
