package org.dtheta.core.kernel;

/**
 * Arrays whose data from {@link #START} begin a 64-byte cache line, for rows that vector kernels
 * load many times from L2 (packed panels of features or tangents). With rows {@link #lineStride}
 * apart, every 512-bit load then reads one line, not two.
 *
 * <p>Why this works: under G1 an array of at least {@link #MIN_DOUBLES} doubles is a humongous
 * object, placed at a region boundary and never moved, and its elements begin 16 bytes (the
 * header) after it, so element 6 begins a line. A smaller array lands wherever its thread's
 * allocation buffer is, and moves when collected. Under other collectors or headers only speed
 * differs, never a result.
 */
public final class CacheAligned {

  /** The first element on a cache line of an array from {@link #newArray}. */
  public static final int START = 6;

  /** 8 MiB: humongous for G1 regions up to 16 MiB (heaps up to about 32 GiB). */
  public static final int MIN_DOUBLES = 1 << 20;

  /** Doubles in a 64-byte cache line. */
  public static final int LINE_DOUBLES = 8;

  private CacheAligned() {}

  /**
   * A zeroed array holding {@code doubles} doubles from {@link #START} (its length is at least
   * {@link #MIN_DOUBLES}).
   */
  public static double[] newArray(long doubles) {
    return new double[Math.toIntExact(length(doubles))];
  }

  /**
   * The row stride that puts every row of {@code w} doubles packed from {@link #START} on cache
   * lines of its own: {@code w} rounded up to whole lines. A row straddling lines costs each
   * vector load of it a second line.
   */
  public static int lineStride(int w) {
    return (w + LINE_DOUBLES - 1) / LINE_DOUBLES * LINE_DOUBLES;
  }

  /** The length of {@link #newArray}{@code (doubles)}, for memory estimates. */
  public static long length(long doubles) {
    if (doubles < 0) {
      throw new IllegalArgumentException("doubles must be >= 0, not " + doubles);
    }
    return Math.max(MIN_DOUBLES, START + doubles);
  }
}
