package org.dtheta.nn;

/**
 * The one memory budget for the tangent buffers of second-order sweeps, for every network and
 * every route: a sweep over part of the data holds at most {@link #DOUBLES} doubles of tangents,
 * so larger work runs over parts sized here (samples per part for the nets' batched products,
 * samples per chunk for the structured Hessian), and memory estimates read the same cap.
 */
public final class TangentBudget {

  /** Doubles of tangent buffers one sweep may hold (1 GiB). */
  public static final long DOUBLES = 1L << 27;

  private TangentBudget() {}

  /**
   * Rows per part when each of {@code rows} rows (samples) needs {@code doublesPerRow} doubles
   * of tangents: as many as fit in the budget, at least 1, at most {@code rows}.
   */
  public static int rowsPerPart(long doublesPerRow, int rows) {
    if (doublesPerRow < 1 || rows < 1) {
      throw new IllegalArgumentException(
          "doubles per row and rows must be >= 1, not " + doublesPerRow + " and " + rows);
    }
    return (int) Math.max(1, Math.min(DOUBLES / doublesPerRow, rows));
  }

  /** Bytes of tangents held by work of {@code doublesPerRow} over {@code rows}, capped by the budget. */
  public static long bytes(long doublesPerRow, long rows) {
    return 8L * Math.min(DOUBLES, doublesPerRow * rows);
  }
}
