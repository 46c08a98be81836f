package org.dtheta.core.internal.kernel;

import org.dtheta.core.kernel.Parallel;

/**
 * Products {@code C = A^T B} that sum over many rows and have one narrow side: a weight's
 * adjoint summed over samples ({@code Z1^T Ybar}, 50 x 10 over 60000 rows) and, with
 * {@code m} directions, its adjoint tangent ({@code Adot^T Cbar}, 2500 x 10 over a part's 7500
 * rows; {@code A^T Cbardot}, 50 x 500). Such a product is a sum of outer products of rows
 * ({@link KernelSupport#addOuterProducts}), computed here over fixed groups of rows in parallel
 * and the groups' sums added in order, so the result does not depend on the number of threads.
 *
 * <p>Why not the general product: split by bands of {@code C}, every band walks all the rows
 * of the wide operand in short runs, a pattern that waited on memory; and its packing and
 * four-row tiles fit a 10-column {@code C} badly. The outer-product kernels read each block of
 * rows once in address order and then from cache.
 */
public final class RowReduction {

  /** Fewer rows than this go to the general product. */
  static final int MIN_ROWS = 2048;
  /** The narrow side at most this long: it is broadcast, the wide side is vectorised. */
  static final int MAX_NARROW = 64;
  /** The wide side at least this long, a vector of the widest machines. */
  static final int MIN_WIDE = 8;
  /** The narrow x wide sum of one group at most this many doubles (4 MiB; all groups 32 MiB). */
  static final int MAX_GROUP_SUM = 1 << 19;
  /** Groups of rows, each summed on its own; fixed so that sums do not depend on threads. */
  private static final int GROUPS = 8;
  /** Doubles of the wide operand per block: 512 KiB, read into L2 before the tiles walk it. */
  private static final int BLOCK_DOUBLES = 1 << 16;

  /** One accumulator per group, on the calling thread (groups write disjoint parts). */
  private static final ThreadLocal<double[]> SCRATCH = ThreadLocal.withInitial(() -> new double[0]);

  private RowReduction() {}

  /** Whether {@code A^T B} ({@code m x n}, summing over {@code k} rows) is computed here. */
  public static boolean suits(int m, int n, int k) {
    return k >= MIN_ROWS && Math.min(m, n) <= MAX_NARROW && Math.max(m, n) >= MIN_WIDE
        && (long) m * n <= MAX_GROUP_SUM;
  }

  /** {@code C = beta*C + alpha*A^T B}, {@code A} is {@code k x m}, {@code B} is {@code k x n}. */
  public static void gemm(
      KernelSupport impl, int m, int n, int k, double alpha, double[] a, int aOff, int lda,
      double[] b, int bOff, int ldb, double beta, double[] c, int cOff, int ldc) {
    boolean aWide = m >= n;
    int wide = aWide ? m : n;
    int narrow = aWide ? n : m;
    double[] w = aWide ? a : b;
    int wOff = aWide ? aOff : bOff;
    int ldw = aWide ? lda : ldb;
    double[] v = aWide ? b : a;
    int vOff = aWide ? bOff : aOff;
    int ldv = aWide ? ldb : lda;
    int size = narrow * wide;
    double[] acc = scratch(GROUPS * size);
    int blockRows = Math.max(1, BLOCK_DOUBLES / wide);
    Parallel.forEachChunk(GROUPS, g -> {
      impl.fill(size, 0.0, acc, g * size);
      int r1 = Parallel.bandStart(k, g + 1, GROUPS);
      for (int r = Parallel.bandStart(k, g, GROUPS); r < r1; r += blockRows) {
        int rows = Math.min(blockRows, r1 - r);
        impl.addOuterProducts(rows, wide, narrow, w, wOff + r * ldw, ldw, v, vOff + r * ldv, ldv,
            acc, g * size);
      }
    });
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        // acc is narrow x wide: C's (i, j) is acc's (j, i) when A is the wide side.
        int at = aWide ? j * wide + i : i * wide + j;
        double sum = acc[at];
        for (int g = 1; g < GROUPS; g++) {
          sum += acc[g * size + at];
        }
        int ci = cOff + i * ldc + j;
        c[ci] = beta == 0.0 ? alpha * sum : beta * c[ci] + alpha * sum;
      }
    }
  }

  private static double[] scratch(int n) {
    double[] s = SCRATCH.get();
    if (s.length < n) {
      s = new double[n];
      SCRATCH.set(s);
    }
    return s;
  }
}
