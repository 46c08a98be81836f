package org.dtheta.core.internal.kernel;

/**
 * A pass that reads a block of a matrix in address order, one double per 64-byte cache line,
 * before a kernel walks the block in another order. Register tiles read a strip of columns down
 * many rows, or a few rows side by side: short runs far apart, which the hardware prefetcher
 * does not follow, so such walks over arrays larger than the caches waited on memory. Read in
 * order first, the block streams into L2 at the memory's bandwidth and the tiles find it there.
 */
final class ReadAhead {

  /** Doubles per 64-byte cache line. */
  private static final int LINE = 8;

  /** Keeps the pass from being removed as dead code. */
  @SuppressWarnings("unused")
  private static volatile double sink;

  private ReadAhead() {}

  /** Touches {@code rows x cols} of {@code x} (row {@code r} at {@code off + r*ld}). */
  static void rows(int rows, int cols, double[] x, int off, int ld) {
    if (ld == cols) {
      range(x, off, off + rows * cols);
      return;
    }
    for (int r = 0; r < rows; r++) {
      range(x, off + r * ld, off + r * ld + cols);
    }
  }

  /** Two chains of loads, so misses overlap. */
  private static void range(double[] x, int from, int to) {
    double s0 = 0.0;
    double s1 = 0.0;
    int o = from;
    for (; o + LINE < to; o += 2 * LINE) {
      s0 += x[o];
      s1 += x[o + LINE];
    }
    if (o < to) {
      s0 += x[o];
    }
    sink = s0 + s1;
  }
}
