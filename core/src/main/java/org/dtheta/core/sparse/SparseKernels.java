package org.dtheta.core.sparse;

import org.dtheta.core.internal.sparse.RowPairs;
import org.dtheta.core.internal.sparse.SparseKernelSelection;
import org.dtheta.core.kernel.Kernels;

/**
 * The two loops every sparse product here reduces to, on flat row-major {@code double[]}: a
 * weighted sum of selected rows ({@link #gatherRows}) and its transpose, a scaled row added to
 * selected rows ({@link #scatterRow}). A compressed sparse row matrix times a dense matrix is one
 * gather per sparse row; its transpose times a dense matrix is one scatter per sparse row, or
 * with the Vector API kernels one gather per column and block of rows (see {@link CsrMatrix}).
 *
 * <p>Like {@link org.dtheta.core.internal.kernel.KernelSupport}: a scalar implementation that always
 * works and a Vector API one, chosen once per JVM to follow the dense kernels' choice ({@link
 * Kernels#implementation()}), so {@code -Ddtheta.kernels=scalar} and a missing
 * {@code jdk.incubator.vector} module switch both. Implementations trust their arguments;
 * {@link CsrMatrix} validates shapes before calling them.
 */
public interface SparseKernels {

  /** A short name for logs: "scalar" or "panama-512" and so on. */
  String name();

  /**
   * Weighted sum of {@code count} rows of {@code src}: for {@code c < n},
   * {@code dst[dstOff + c] (+)= sum_t weight[weightOff + t] * src[srcOff + index[indexOff + t] *
   * ldSrc + c]}; with {@code accumulate} false the old content of {@code dst} is ignored.
   */
  void gatherRows(
      int n, int count, int[] index, int indexOff, double[] weight, int weightOff,
      double[] src, int srcOff, int ldSrc, double[] dst, int dstOff, boolean accumulate);

  /**
   * Two {@link #gatherRows} over one list of rows: for {@code c < n},
   * {@code dst[dstOff + c] (+)= sum_t weights[weightOff + 2t] * src[srcOff + index[indexOff + t]
   * ldSrc + c]} and {@code dst[dstOff2 + c] (+)= sum_t weights[weightOff + 2t + 1] * (the same)}.
   * Each row of {@code src} is read once for both sums (see {@link RowPairs}); each sum adds its
   * terms in the order and with the operations of {@code gatherRows}.
   */
  void gatherRowPairs(
      int n, int count, int[] index, int indexOff, double[] weights, int weightOff,
      double[] src, int srcOff, int ldSrc, double[] dst, int dstOff, int dstOff2,
      boolean accumulate);

  /**
   * Four {@link #gatherRows} over one list of rows, into rows {@code r = 0..3} of {@code dst} at
   * {@code dstOff + r * ldDst}: for {@code c < n}, {@code dst[dstOff + r * ldDst + c] (+)= sum_t
   * weights[weightOff + 4t + r] * src[srcOff + index[indexOff + t] * ldSrc + c]}. Each loaded
   * vector of {@code src} feeds four sums (the register tiles of {@link SparseGram}); each sum
   * adds its terms in the order and with the operations of {@code gatherRows}, so a zero weight
   * where a row has no entry gives that row's single gather.
   */
  default void gatherRowQuads(
      int n, int count, int[] index, int indexOff, double[] weights, int weightOff,
      double[] src, int srcOff, int ldSrc, double[] dst, int dstOff, int ldDst,
      boolean accumulate) {
    gatherRowQuads(n, count, index, indexOff, weights, weightOff, src, srcOff, ldSrc, dst,
        dstOff, dstOff + ldDst, dstOff + 2 * ldDst, dstOff + 3 * ldDst, accumulate);
  }

  /**
   * {@link #gatherRowQuads(int, int, int[], int, double[], int, double[], int, int, double[],
   * int, int, boolean)} into four rows of {@code dst} anywhere: row {@code r} at {@code r0},
   * {@code r1}, {@code r2} or {@code r3} (four similar samples of a batch, {@link
   * org.dtheta.core.internal.sparse.PairQuads}); the rows must not overlap.
   */
  void gatherRowQuads(
      int n, int count, int[] index, int indexOff, double[] weights, int weightOff,
      double[] src, int srcOff, int ldSrc, double[] dst, int r0, int r1, int r2, int r3,
      boolean accumulate);

  /**
   * One {@link #gatherRows} (adding to {@code dst}) per row of a packed block, each over its own
   * list: for {@code r < rows} and {@code c < n}, {@code dst[dstOff + r * n + c] += sum_t
   * weight[t] * src[index[t] * n + c]} over {@code t} from {@code start[startOff + r]} to
   * {@code start[startOff + r + 1]}, in that order, with the operations of {@code gatherRows}.
   * {@code src} and {@code dst} are packed ({@code n} apart) so a small {@code src} panel stays
   * in the level-one cache for all rows (the strips of {@link SparseGram}); neighbouring rows'
   * lists may be walked together, so more sums are in flight than one row has.
   */
  void gatherRowLists(
      int n, int rows, int[] start, int startOff, int[] index, double[] weight, double[] src,
      double[] dst, int dstOff);

  /**
   * One row added, scaled, to {@code count} rows of {@code dst}: for {@code c < n},
   * {@code dst[dstOff + index[indexOff + t] * ldDst + c] += weight[weightOff + t] *
   * src[srcOff + c]}. The indices must be distinct (they are within one sparse row).
   */
  void scatterRow(
      int n, int count, int[] index, int indexOff, double[] weight, int weightOff,
      double[] src, int srcOff, double[] dst, int dstOff, int ldDst);

  /** The implementation in use: Vector API when the dense kernels use it, scalar otherwise. */
  static SparseKernels selected() {
    return SparseKernelSelection.SELECTED;
  }

  /** The portable implementation, whatever was selected (for tests that compare the two). */
  static SparseKernels scalar() {
    return SparseKernelSelection.SCALAR;
  }
}
