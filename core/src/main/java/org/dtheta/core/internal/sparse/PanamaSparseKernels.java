package org.dtheta.core.internal.sparse;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;
import org.dtheta.core.sparse.CsrMatrix;
import org.dtheta.core.sparse.SparseGram;

/**
 * The Vector API sparse kernels. Loaded by name from {@link SparseKernelSelection} only when the
 * dense kernels run on the Vector API, so nothing links against the incubator module otherwise.
 *
 * <p>Both loops keep a block of vectors of the output (gather: twelve on AVX-512, then eight, four, one) or
 * of the input row (scatter: four, then one) in registers while walking the sparse entries, so
 * each entry costs one load and one fused multiply-add per vector: the traffic of the other
 * side is paid once per block, not once per entry. The blocks are unrolled by hand (the
 * Vector API has no register arrays); eight-vector blocks serve the wide rows of the Gram
 * products ({@link SparseGram}), where they beat four: each entry's index and address work is
 * shared by eight vectors. Leftover columns (fewer than one vector) run scalar: narrower
 * species cost far more on JDK 17.
 */
final class PanamaSparseKernels extends ScalarSparseKernels {

  private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  @Override
  public String name() {
    return "panama-" + S.vectorBitSize();
  }

  @Override
  public void gatherRows(
      int n, int count, int[] index, int indexOff, double[] weight, int weightOff,
      double[] src, int srcOff, int ldSrc, double[] dst, int dstOff, boolean accumulate) {
    DoubleVector zero = DoubleVector.zero(S);
    int c = 0;
    if (WIDE_BLOCKS && n <= WIDE_MAX) {
      for (; c + 12 * L <= n; c += 12 * L) {
        gatherBlock12(c, count, index, indexOff, weight, weightOff, src, srcOff, ldSrc, dst,
            dstOff, accumulate);
      }
    }
    for (; c + 8 * L <= n; c += 8 * L) {
      gatherBlock8(c, c + 4 * L, count, index, indexOff, weight, weightOff, src, srcOff, ldSrc,
          dst, dstOff, accumulate);
    }
    int tail = n - c - 6 * L;
    if (WIDE_BLOCKS && tail >= 0 && tail <= SCALAR_TAIL_MAX) {
      // Six vectors and a few columns (50 hidden units: six vectors and two): the last columns
      // as scalar sums in the same pass, fewer loads than a shifted block of eight.
      gatherBlock6Tail(c, tail, count, index, indexOff, weight, weightOff, src, srcOff, ldSrc,
          dst, dstOff, accumulate);
      return;
    }
    if (n - c > 4 * L) {
      // Between four and eight vectors left otherwise: one pass with the second half of the
      // block moved left so it ends at column n. The overlapping columns are computed twice by
      // the same operations in the same order, so both stores write the same value; one pass
      // over the entries instead of one per leftover vector and column.
      gatherBlock8(c, n - 4 * L, count, index, indexOff, weight, weightOff, src, srcOff, ldSrc,
          dst, dstOff, accumulate);
      return;
    }
    for (; c + 4 * L <= n; c += 4 * L) {
      int d = dstOff + c;
      DoubleVector v0;
      DoubleVector v1;
      DoubleVector v2;
      DoubleVector v3;
      if (accumulate) {
        v0 = DoubleVector.fromArray(S, dst, d);
        v1 = DoubleVector.fromArray(S, dst, d + L);
        v2 = DoubleVector.fromArray(S, dst, d + 2 * L);
        v3 = DoubleVector.fromArray(S, dst, d + 3 * L);
      } else {
        v0 = DoubleVector.zero(S);
        v1 = v0;
        v2 = v0;
        v3 = v0;
      }
      for (int t = 0; t < count; t++) {
        DoubleVector w = DoubleVector.broadcast(S, weight[weightOff + t]);
        int row = srcOff + index[indexOff + t] * ldSrc + c;
        v0 = DoubleVector.fromArray(S, src, row).fma(w, v0);
        v1 = DoubleVector.fromArray(S, src, row + L).fma(w, v1);
        v2 = DoubleVector.fromArray(S, src, row + 2 * L).fma(w, v2);
        v3 = DoubleVector.fromArray(S, src, row + 3 * L).fma(w, v3);
      }
      v0.intoArray(dst, d);
      v1.intoArray(dst, d + L);
      v2.intoArray(dst, d + 2 * L);
      v3.intoArray(dst, d + 3 * L);
    }
    for (; c + L <= n; c += L) {
      int d = dstOff + c;
      DoubleVector v = accumulate ? DoubleVector.fromArray(S, dst, d) : zero;
      for (int t = 0; t < count; t++) {
        v = DoubleVector.fromArray(S, src, srcOff + index[indexOff + t] * ldSrc + c)
            .fma(DoubleVector.broadcast(S, weight[weightOff + t]), v);
      }
      v.intoArray(dst, d);
    }
    for (; c < n; c++) {
      double s = accumulate ? dst[dstOff + c] : 0.0;
      for (int t = 0; t < count; t++) {
        s = Math.fma(weight[weightOff + t], src[srcOff + index[indexOff + t] * ldSrc + c], s);
      }
      dst[dstOff + c] = s;
    }
  }

  /**
   * Twelve vectors of output columns kept in registers over all entries, from column {@code c}:
   * the per-entry work besides the loads and multiply-adds (index load, address, broadcast) is
   * then paid once per twelve vectors (see {@link #pairBlock12}).
   */
  private static void gatherBlock12(int c, int count, int[] index, int indexOff, double[] weight,
      int weightOff, double[] src, int srcOff, int ldSrc, double[] dst, int dstOff,
      boolean accumulate) {
    DoubleVector zero = DoubleVector.zero(S);
    int d = dstOff + c;
    DoubleVector v0 = accumulate ? DoubleVector.fromArray(S, dst, d + 0 * L) : zero;
    DoubleVector v1 = accumulate ? DoubleVector.fromArray(S, dst, d + 1 * L) : zero;
    DoubleVector v2 = accumulate ? DoubleVector.fromArray(S, dst, d + 2 * L) : zero;
    DoubleVector v3 = accumulate ? DoubleVector.fromArray(S, dst, d + 3 * L) : zero;
    DoubleVector v4 = accumulate ? DoubleVector.fromArray(S, dst, d + 4 * L) : zero;
    DoubleVector v5 = accumulate ? DoubleVector.fromArray(S, dst, d + 5 * L) : zero;
    DoubleVector v6 = accumulate ? DoubleVector.fromArray(S, dst, d + 6 * L) : zero;
    DoubleVector v7 = accumulate ? DoubleVector.fromArray(S, dst, d + 7 * L) : zero;
    DoubleVector v8 = accumulate ? DoubleVector.fromArray(S, dst, d + 8 * L) : zero;
    DoubleVector v9 = accumulate ? DoubleVector.fromArray(S, dst, d + 9 * L) : zero;
    DoubleVector v10 = accumulate ? DoubleVector.fromArray(S, dst, d + 10 * L) : zero;
    DoubleVector v11 = accumulate ? DoubleVector.fromArray(S, dst, d + 11 * L) : zero;
    for (int t = 0; t < count; t++) {
      DoubleVector w = DoubleVector.broadcast(S, weight[weightOff + t]);
      int row = srcOff + index[indexOff + t] * ldSrc + c;
      v0 = DoubleVector.fromArray(S, src, row + 0 * L).fma(w, v0);
      v1 = DoubleVector.fromArray(S, src, row + 1 * L).fma(w, v1);
      v2 = DoubleVector.fromArray(S, src, row + 2 * L).fma(w, v2);
      v3 = DoubleVector.fromArray(S, src, row + 3 * L).fma(w, v3);
      v4 = DoubleVector.fromArray(S, src, row + 4 * L).fma(w, v4);
      v5 = DoubleVector.fromArray(S, src, row + 5 * L).fma(w, v5);
      v6 = DoubleVector.fromArray(S, src, row + 6 * L).fma(w, v6);
      v7 = DoubleVector.fromArray(S, src, row + 7 * L).fma(w, v7);
      v8 = DoubleVector.fromArray(S, src, row + 8 * L).fma(w, v8);
      v9 = DoubleVector.fromArray(S, src, row + 9 * L).fma(w, v9);
      v10 = DoubleVector.fromArray(S, src, row + 10 * L).fma(w, v10);
      v11 = DoubleVector.fromArray(S, src, row + 11 * L).fma(w, v11);
    }
    v0.intoArray(dst, d + 0 * L);
    v1.intoArray(dst, d + 1 * L);
    v2.intoArray(dst, d + 2 * L);
    v3.intoArray(dst, d + 3 * L);
    v4.intoArray(dst, d + 4 * L);
    v5.intoArray(dst, d + 5 * L);
    v6.intoArray(dst, d + 6 * L);
    v7.intoArray(dst, d + 7 * L);
    v8.intoArray(dst, d + 8 * L);
    v9.intoArray(dst, d + 9 * L);
    v10.intoArray(dst, d + 10 * L);
    v11.intoArray(dst, d + 11 * L);
  }

  /** At most this many columns after six vectors go to {@link #gatherBlock6Tail}'s scalar sums. */
  private static final int SCALAR_TAIL_MAX = 2;

  /**
   * Where scalar sum {@code j} (0 or 1) of a six-vector block with {@code tail} scalar columns
   * reads in each source row: column {@code 6L + j} when it is one of the tail's, else the
   * block's last vector column (in bounds, its sum never stored). Both sums then run on every
   * entry without a branch: C2 did not unswitch the loop on {@code tail}, and the branches cost
   * more than the unused multiply-adds.
   */
  private static int tailOffset(int tail, int j) {
    return j < tail ? 6 * L + j : 6 * L - 1;
  }

  /**
   * Six vectors of output columns from column {@code c} and the next {@code tail} (at most
   * two) columns as scalar sums: each scalar sum is the same chain of fused multiply-adds as a
   * vector lane's, so the bits are those of any other block.
   */
  private static void gatherBlock6Tail(int c, int tail, int count, int[] index, int indexOff,
      double[] weight, int weightOff, double[] src, int srcOff, int ldSrc, double[] dst,
      int dstOff, boolean accumulate) {
    DoubleVector zero = DoubleVector.zero(S);
    int d = dstOff + c;
    int e = d + 6 * L;
    DoubleVector v0 = accumulate ? DoubleVector.fromArray(S, dst, d + 0 * L) : zero;
    DoubleVector v1 = accumulate ? DoubleVector.fromArray(S, dst, d + 1 * L) : zero;
    DoubleVector v2 = accumulate ? DoubleVector.fromArray(S, dst, d + 2 * L) : zero;
    DoubleVector v3 = accumulate ? DoubleVector.fromArray(S, dst, d + 3 * L) : zero;
    DoubleVector v4 = accumulate ? DoubleVector.fromArray(S, dst, d + 4 * L) : zero;
    DoubleVector v5 = accumulate ? DoubleVector.fromArray(S, dst, d + 5 * L) : zero;
    double s0 = accumulate && tail > 0 ? dst[e] : 0.0;
    double s1 = accumulate && tail > 1 ? dst[e + 1] : 0.0;
    int o0 = tailOffset(tail, 0);
    int o1 = tailOffset(tail, 1);
    for (int t = 0; t < count; t++) {
      double wt = weight[weightOff + t];
      DoubleVector w = DoubleVector.broadcast(S, wt);
      int row = srcOff + index[indexOff + t] * ldSrc + c;
      v0 = DoubleVector.fromArray(S, src, row + 0 * L).fma(w, v0);
      v1 = DoubleVector.fromArray(S, src, row + 1 * L).fma(w, v1);
      v2 = DoubleVector.fromArray(S, src, row + 2 * L).fma(w, v2);
      v3 = DoubleVector.fromArray(S, src, row + 3 * L).fma(w, v3);
      v4 = DoubleVector.fromArray(S, src, row + 4 * L).fma(w, v4);
      v5 = DoubleVector.fromArray(S, src, row + 5 * L).fma(w, v5);
      s0 = Math.fma(wt, src[row + o0], s0);
      s1 = Math.fma(wt, src[row + o1], s1);
    }
    v0.intoArray(dst, d + 0 * L);
    v1.intoArray(dst, d + 1 * L);
    v2.intoArray(dst, d + 2 * L);
    v3.intoArray(dst, d + 3 * L);
    v4.intoArray(dst, d + 4 * L);
    v5.intoArray(dst, d + 5 * L);
    if (tail > 0) {
      dst[e] = s0;
      if (tail > 1) {
        dst[e + 1] = s1;
      }
    }
  }

  /**
   * Eight vectors of output columns kept in registers over all entries: four from column
   * {@code c}, four from column {@code c2} (normally {@code c + 4L}; less when the block is
   * shifted to end at the last column).
   */
  private static void gatherBlock8(int c, int c2, int count, int[] index, int indexOff, double[] weight,
      int weightOff, double[] src, int srcOff, int ldSrc, double[] dst, int dstOff,
      boolean accumulate) {
    DoubleVector zero = DoubleVector.zero(S);
    int d = dstOff + c;
    int d2 = dstOff + c2;
    DoubleVector v0;
    DoubleVector v1;
    DoubleVector v2;
    DoubleVector v3;
    DoubleVector v4;
    DoubleVector v5;
    DoubleVector v6;
    DoubleVector v7;
    if (accumulate) {
      v0 = DoubleVector.fromArray(S, dst, d);
      v1 = DoubleVector.fromArray(S, dst, d + L);
      v2 = DoubleVector.fromArray(S, dst, d + 2 * L);
      v3 = DoubleVector.fromArray(S, dst, d + 3 * L);
      v4 = DoubleVector.fromArray(S, dst, d2);
      v5 = DoubleVector.fromArray(S, dst, d2 + L);
      v6 = DoubleVector.fromArray(S, dst, d2 + 2 * L);
      v7 = DoubleVector.fromArray(S, dst, d2 + 3 * L);
    } else {
      v0 = DoubleVector.zero(S);
      v1 = v0;
      v2 = v0;
      v3 = v0;
      v4 = v0;
      v5 = v0;
      v6 = v0;
      v7 = v0;
    }
    for (int t = 0; t < count; t++) {
      DoubleVector w = DoubleVector.broadcast(S, weight[weightOff + t]);
      int base = srcOff + index[indexOff + t] * ldSrc;
      int row = base + c;
      int row2 = base + c2;
      v0 = DoubleVector.fromArray(S, src, row).fma(w, v0);
      v1 = DoubleVector.fromArray(S, src, row + L).fma(w, v1);
      v2 = DoubleVector.fromArray(S, src, row + 2 * L).fma(w, v2);
      v3 = DoubleVector.fromArray(S, src, row + 3 * L).fma(w, v3);
      v4 = DoubleVector.fromArray(S, src, row2).fma(w, v4);
      v5 = DoubleVector.fromArray(S, src, row2 + L).fma(w, v5);
      v6 = DoubleVector.fromArray(S, src, row2 + 2 * L).fma(w, v6);
      v7 = DoubleVector.fromArray(S, src, row2 + 3 * L).fma(w, v7);
    }
    v0.intoArray(dst, d);
    v1.intoArray(dst, d + L);
    v2.intoArray(dst, d + 2 * L);
    v3.intoArray(dst, d + 3 * L);
    v4.intoArray(dst, d2);
    v5.intoArray(dst, d2 + L);
    v6.intoArray(dst, d2 + 2 * L);
    v7.intoArray(dst, d2 + 3 * L);
  }

  /**
   * Sixteen accumulators (eight vectors of each row) need 32 vector registers, which AVX-512
   * has; with 16 registers (AVX2) they would spill, so narrower machines use blocks of four.
   */
  private static final boolean PAIR_BLOCK8 = S.vectorBitSize() >= 512;

  /**
   * Twelve-vector blocks for single rows and pairs (96 columns on AVX-512, {@link CsrMatrix}'s
   * panel width for 784-row operands); a pair's 24 accumulators need AVX-512's 32 registers.
   */
  private static final boolean WIDE_BLOCKS = S.vectorBitSize() >= 512;

  /**
   * Single rows use twelve-vector blocks only up to this width (a product's panel, see {@link
   * CsrMatrix}): the long rows of the Gram products ({@link SparseGram}) do better in eight.
   */
  private static final int WIDE_MAX = 16 * L;

  @Override
  public void gatherRowPairs(
      int n, int count, int[] index, int indexOff, double[] weights, int weightOff,
      double[] src, int srcOff, int ldSrc, double[] dst, int dstOff, int dstOff2,
      boolean accumulate) {
    int c = 0;
    if (WIDE_BLOCKS) {
      for (; c + 12 * L <= n; c += 12 * L) {
        pairBlock12(c, count, index, indexOff, weights, weightOff, src, srcOff, ldSrc,
            dst, dstOff, dstOff2, accumulate);
      }
    }
    if (PAIR_BLOCK8) {
      for (; c + 8 * L <= n; c += 8 * L) {
        pairBlock8(c, c + 4 * L, count, index, indexOff, weights, weightOff, src, srcOff, ldSrc,
            dst, dstOff, dstOff2, accumulate);
      }
      int tail = n - c - 6 * L;
      if (tail >= 0 && tail <= SCALAR_TAIL_MAX) {
        // As in gatherRows: six vectors and the last columns as scalar sums.
        pairBlock6Tail(c, tail, count, index, indexOff, weights, weightOff, src, srcOff, ldSrc,
            dst, dstOff, dstOff2, accumulate);
        return;
      }
      if (n - c > 4 * L) {
        // As in gatherRows: the second half moved left to end at column n; the overlapping
        // columns are computed twice by the same operations, so both stores agree.
        pairBlock8(c, n - 4 * L, count, index, indexOff, weights, weightOff, src, srcOff, ldSrc,
            dst, dstOff, dstOff2, accumulate);
        return;
      }
    }
    for (; c + 4 * L <= n; c += 4 * L) {
      pairBlock4(c, c + 2 * L, count, index, indexOff, weights, weightOff, src, srcOff, ldSrc,
          dst, dstOff, dstOff2, accumulate);
    }
    for (; c + L <= n; c += L) {
      pairBlock1(c, count, index, indexOff, weights, weightOff, src, srcOff, ldSrc,
          dst, dstOff, dstOff2, accumulate);
    }
    for (; c < n; c++) {
      double s = accumulate ? dst[dstOff + c] : 0.0;
      double s2 = accumulate ? dst[dstOff2 + c] : 0.0;
      for (int t = 0; t < count; t++) {
        double x = src[srcOff + index[indexOff + t] * ldSrc + c];
        s = Math.fma(weights[weightOff + 2 * t], x, s);
        s2 = Math.fma(weights[weightOff + 2 * t + 1], x, s2);
      }
      dst[dstOff + c] = s;
      dst[dstOff2 + c] = s2;
    }
  }

  /**
   * Twelve vectors of each row from column {@code c}: 24 accumulators, a broadcast weight per
   * row and the loaded vector fit AVX-512's 32 registers. The per-entry work besides the loads
   * and multiply-adds (index load, address, broadcasts) is paid once per twelve vectors, which
   * makes 96-column panels cheaper than 64-column panels in eight-vector blocks.
   */
  private static void pairBlock12(int c, int count, int[] index, int indexOff,
      double[] weights, int weightOff, double[] src, int srcOff, int ldSrc, double[] dst,
      int dstOff, int dstOff2, boolean accumulate) {
    DoubleVector zero = DoubleVector.zero(S);
    int d = dstOff + c;
    int d2 = dstOff2 + c;
    DoubleVector a0 = accumulate ? DoubleVector.fromArray(S, dst, d + 0 * L) : zero;
    DoubleVector a1 = accumulate ? DoubleVector.fromArray(S, dst, d + 1 * L) : zero;
    DoubleVector a2 = accumulate ? DoubleVector.fromArray(S, dst, d + 2 * L) : zero;
    DoubleVector a3 = accumulate ? DoubleVector.fromArray(S, dst, d + 3 * L) : zero;
    DoubleVector a4 = accumulate ? DoubleVector.fromArray(S, dst, d + 4 * L) : zero;
    DoubleVector a5 = accumulate ? DoubleVector.fromArray(S, dst, d + 5 * L) : zero;
    DoubleVector a6 = accumulate ? DoubleVector.fromArray(S, dst, d + 6 * L) : zero;
    DoubleVector a7 = accumulate ? DoubleVector.fromArray(S, dst, d + 7 * L) : zero;
    DoubleVector a8 = accumulate ? DoubleVector.fromArray(S, dst, d + 8 * L) : zero;
    DoubleVector a9 = accumulate ? DoubleVector.fromArray(S, dst, d + 9 * L) : zero;
    DoubleVector a10 = accumulate ? DoubleVector.fromArray(S, dst, d + 10 * L) : zero;
    DoubleVector a11 = accumulate ? DoubleVector.fromArray(S, dst, d + 11 * L) : zero;
    DoubleVector b0 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 0 * L) : zero;
    DoubleVector b1 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 1 * L) : zero;
    DoubleVector b2 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 2 * L) : zero;
    DoubleVector b3 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 3 * L) : zero;
    DoubleVector b4 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 4 * L) : zero;
    DoubleVector b5 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 5 * L) : zero;
    DoubleVector b6 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 6 * L) : zero;
    DoubleVector b7 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 7 * L) : zero;
    DoubleVector b8 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 8 * L) : zero;
    DoubleVector b9 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 9 * L) : zero;
    DoubleVector b10 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 10 * L) : zero;
    DoubleVector b11 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 11 * L) : zero;
    for (int t = 0; t < count; t++) {
      DoubleVector w = DoubleVector.broadcast(S, weights[weightOff + 2 * t]);
      DoubleVector w2 = DoubleVector.broadcast(S, weights[weightOff + 2 * t + 1]);
      int row = srcOff + index[indexOff + t] * ldSrc + c;
      DoubleVector s;
      s = DoubleVector.fromArray(S, src, row + 0 * L);
      a0 = s.fma(w, a0);
      b0 = s.fma(w2, b0);
      s = DoubleVector.fromArray(S, src, row + 1 * L);
      a1 = s.fma(w, a1);
      b1 = s.fma(w2, b1);
      s = DoubleVector.fromArray(S, src, row + 2 * L);
      a2 = s.fma(w, a2);
      b2 = s.fma(w2, b2);
      s = DoubleVector.fromArray(S, src, row + 3 * L);
      a3 = s.fma(w, a3);
      b3 = s.fma(w2, b3);
      s = DoubleVector.fromArray(S, src, row + 4 * L);
      a4 = s.fma(w, a4);
      b4 = s.fma(w2, b4);
      s = DoubleVector.fromArray(S, src, row + 5 * L);
      a5 = s.fma(w, a5);
      b5 = s.fma(w2, b5);
      s = DoubleVector.fromArray(S, src, row + 6 * L);
      a6 = s.fma(w, a6);
      b6 = s.fma(w2, b6);
      s = DoubleVector.fromArray(S, src, row + 7 * L);
      a7 = s.fma(w, a7);
      b7 = s.fma(w2, b7);
      s = DoubleVector.fromArray(S, src, row + 8 * L);
      a8 = s.fma(w, a8);
      b8 = s.fma(w2, b8);
      s = DoubleVector.fromArray(S, src, row + 9 * L);
      a9 = s.fma(w, a9);
      b9 = s.fma(w2, b9);
      s = DoubleVector.fromArray(S, src, row + 10 * L);
      a10 = s.fma(w, a10);
      b10 = s.fma(w2, b10);
      s = DoubleVector.fromArray(S, src, row + 11 * L);
      a11 = s.fma(w, a11);
      b11 = s.fma(w2, b11);
    }
    a0.intoArray(dst, d + 0 * L);
    a1.intoArray(dst, d + 1 * L);
    a2.intoArray(dst, d + 2 * L);
    a3.intoArray(dst, d + 3 * L);
    a4.intoArray(dst, d + 4 * L);
    a5.intoArray(dst, d + 5 * L);
    a6.intoArray(dst, d + 6 * L);
    a7.intoArray(dst, d + 7 * L);
    a8.intoArray(dst, d + 8 * L);
    a9.intoArray(dst, d + 9 * L);
    a10.intoArray(dst, d + 10 * L);
    a11.intoArray(dst, d + 11 * L);
    b0.intoArray(dst, d2 + 0 * L);
    b1.intoArray(dst, d2 + 1 * L);
    b2.intoArray(dst, d2 + 2 * L);
    b3.intoArray(dst, d2 + 3 * L);
    b4.intoArray(dst, d2 + 4 * L);
    b5.intoArray(dst, d2 + 5 * L);
    b6.intoArray(dst, d2 + 6 * L);
    b7.intoArray(dst, d2 + 7 * L);
    b8.intoArray(dst, d2 + 8 * L);
    b9.intoArray(dst, d2 + 9 * L);
    b10.intoArray(dst, d2 + 10 * L);
    b11.intoArray(dst, d2 + 11 * L);
  }

  /** Eight vectors of each row: four from column {@code c}, four from {@code c2}. */
  private static void pairBlock8(int c, int c2, int count, int[] index, int indexOff,
      double[] weights, int weightOff, double[] src, int srcOff, int ldSrc, double[] dst,
      int dstOff, int dstOff2, boolean accumulate) {
    DoubleVector zero = DoubleVector.zero(S);
    DoubleVector a0 = accumulate ? DoubleVector.fromArray(S, dst, dstOff + c) : zero;
    DoubleVector a1 = accumulate ? DoubleVector.fromArray(S, dst, dstOff + c + L) : zero;
    DoubleVector a2 = accumulate ? DoubleVector.fromArray(S, dst, dstOff + c + 2 * L) : zero;
    DoubleVector a3 = accumulate ? DoubleVector.fromArray(S, dst, dstOff + c + 3 * L) : zero;
    DoubleVector a4 = accumulate ? DoubleVector.fromArray(S, dst, dstOff + c2) : zero;
    DoubleVector a5 = accumulate ? DoubleVector.fromArray(S, dst, dstOff + c2 + L) : zero;
    DoubleVector a6 = accumulate ? DoubleVector.fromArray(S, dst, dstOff + c2 + 2 * L) : zero;
    DoubleVector a7 = accumulate ? DoubleVector.fromArray(S, dst, dstOff + c2 + 3 * L) : zero;
    DoubleVector b0 = accumulate ? DoubleVector.fromArray(S, dst, dstOff2 + c) : zero;
    DoubleVector b1 = accumulate ? DoubleVector.fromArray(S, dst, dstOff2 + c + L) : zero;
    DoubleVector b2 = accumulate ? DoubleVector.fromArray(S, dst, dstOff2 + c + 2 * L) : zero;
    DoubleVector b3 = accumulate ? DoubleVector.fromArray(S, dst, dstOff2 + c + 3 * L) : zero;
    DoubleVector b4 = accumulate ? DoubleVector.fromArray(S, dst, dstOff2 + c2) : zero;
    DoubleVector b5 = accumulate ? DoubleVector.fromArray(S, dst, dstOff2 + c2 + L) : zero;
    DoubleVector b6 = accumulate ? DoubleVector.fromArray(S, dst, dstOff2 + c2 + 2 * L) : zero;
    DoubleVector b7 = accumulate ? DoubleVector.fromArray(S, dst, dstOff2 + c2 + 3 * L) : zero;
    for (int t = 0; t < count; t++) {
      DoubleVector w = DoubleVector.broadcast(S, weights[weightOff + 2 * t]);
      DoubleVector w2 = DoubleVector.broadcast(S, weights[weightOff + 2 * t + 1]);
      int row = srcOff + index[indexOff + t] * ldSrc;
      DoubleVector s;
      s = DoubleVector.fromArray(S, src, row + c);
      a0 = s.fma(w, a0);
      b0 = s.fma(w2, b0);
      s = DoubleVector.fromArray(S, src, row + c + L);
      a1 = s.fma(w, a1);
      b1 = s.fma(w2, b1);
      s = DoubleVector.fromArray(S, src, row + c + 2 * L);
      a2 = s.fma(w, a2);
      b2 = s.fma(w2, b2);
      s = DoubleVector.fromArray(S, src, row + c + 3 * L);
      a3 = s.fma(w, a3);
      b3 = s.fma(w2, b3);
      s = DoubleVector.fromArray(S, src, row + c2);
      a4 = s.fma(w, a4);
      b4 = s.fma(w2, b4);
      s = DoubleVector.fromArray(S, src, row + c2 + L);
      a5 = s.fma(w, a5);
      b5 = s.fma(w2, b5);
      s = DoubleVector.fromArray(S, src, row + c2 + 2 * L);
      a6 = s.fma(w, a6);
      b6 = s.fma(w2, b6);
      s = DoubleVector.fromArray(S, src, row + c2 + 3 * L);
      a7 = s.fma(w, a7);
      b7 = s.fma(w2, b7);
    }
    a0.intoArray(dst, dstOff + c);
    a1.intoArray(dst, dstOff + c + L);
    a2.intoArray(dst, dstOff + c + 2 * L);
    a3.intoArray(dst, dstOff + c + 3 * L);
    a4.intoArray(dst, dstOff + c2);
    a5.intoArray(dst, dstOff + c2 + L);
    a6.intoArray(dst, dstOff + c2 + 2 * L);
    a7.intoArray(dst, dstOff + c2 + 3 * L);
    b0.intoArray(dst, dstOff2 + c);
    b1.intoArray(dst, dstOff2 + c + L);
    b2.intoArray(dst, dstOff2 + c + 2 * L);
    b3.intoArray(dst, dstOff2 + c + 3 * L);
    b4.intoArray(dst, dstOff2 + c2);
    b5.intoArray(dst, dstOff2 + c2 + L);
    b6.intoArray(dst, dstOff2 + c2 + 2 * L);
    b7.intoArray(dst, dstOff2 + c2 + 3 * L);
  }

  /**
   * Six vectors of each row from column {@code c} and the next {@code tail} (at most two)
   * columns as scalar sums, as {@link #gatherBlock6Tail}: twelve vector accumulators.
   */
  private static void pairBlock6Tail(int c, int tail, int count, int[] index, int indexOff,
      double[] weights, int weightOff, double[] src, int srcOff, int ldSrc, double[] dst,
      int dstOff, int dstOff2, boolean accumulate) {
    DoubleVector zero = DoubleVector.zero(S);
    int d = dstOff + c;
    int d2 = dstOff2 + c;
    int e = d + 6 * L;
    int e2 = d2 + 6 * L;
    DoubleVector a0 = accumulate ? DoubleVector.fromArray(S, dst, d + 0 * L) : zero;
    DoubleVector a1 = accumulate ? DoubleVector.fromArray(S, dst, d + 1 * L) : zero;
    DoubleVector a2 = accumulate ? DoubleVector.fromArray(S, dst, d + 2 * L) : zero;
    DoubleVector a3 = accumulate ? DoubleVector.fromArray(S, dst, d + 3 * L) : zero;
    DoubleVector a4 = accumulate ? DoubleVector.fromArray(S, dst, d + 4 * L) : zero;
    DoubleVector a5 = accumulate ? DoubleVector.fromArray(S, dst, d + 5 * L) : zero;
    DoubleVector b0 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 0 * L) : zero;
    DoubleVector b1 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 1 * L) : zero;
    DoubleVector b2 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 2 * L) : zero;
    DoubleVector b3 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 3 * L) : zero;
    DoubleVector b4 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 4 * L) : zero;
    DoubleVector b5 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 5 * L) : zero;
    double s0 = accumulate && tail > 0 ? dst[e] : 0.0;
    double s1 = accumulate && tail > 1 ? dst[e + 1] : 0.0;
    double t0 = accumulate && tail > 0 ? dst[e2] : 0.0;
    double t1 = accumulate && tail > 1 ? dst[e2 + 1] : 0.0;
    int o0 = tailOffset(tail, 0);
    int o1 = tailOffset(tail, 1);
    for (int t = 0; t < count; t++) {
      double wa = weights[weightOff + 2 * t];
      double wb = weights[weightOff + 2 * t + 1];
      DoubleVector w = DoubleVector.broadcast(S, wa);
      DoubleVector w2 = DoubleVector.broadcast(S, wb);
      int row = srcOff + index[indexOff + t] * ldSrc + c;
      DoubleVector v;
      v = DoubleVector.fromArray(S, src, row + 0 * L);
      a0 = v.fma(w, a0);
      b0 = v.fma(w2, b0);
      v = DoubleVector.fromArray(S, src, row + 1 * L);
      a1 = v.fma(w, a1);
      b1 = v.fma(w2, b1);
      v = DoubleVector.fromArray(S, src, row + 2 * L);
      a2 = v.fma(w, a2);
      b2 = v.fma(w2, b2);
      v = DoubleVector.fromArray(S, src, row + 3 * L);
      a3 = v.fma(w, a3);
      b3 = v.fma(w2, b3);
      v = DoubleVector.fromArray(S, src, row + 4 * L);
      a4 = v.fma(w, a4);
      b4 = v.fma(w2, b4);
      v = DoubleVector.fromArray(S, src, row + 5 * L);
      a5 = v.fma(w, a5);
      b5 = v.fma(w2, b5);
      double x = src[row + o0];
      s0 = Math.fma(wa, x, s0);
      t0 = Math.fma(wb, x, t0);
      double y = src[row + o1];
      s1 = Math.fma(wa, y, s1);
      t1 = Math.fma(wb, y, t1);
    }
    a0.intoArray(dst, d + 0 * L);
    a1.intoArray(dst, d + 1 * L);
    a2.intoArray(dst, d + 2 * L);
    a3.intoArray(dst, d + 3 * L);
    a4.intoArray(dst, d + 4 * L);
    a5.intoArray(dst, d + 5 * L);
    b0.intoArray(dst, d2 + 0 * L);
    b1.intoArray(dst, d2 + 1 * L);
    b2.intoArray(dst, d2 + 2 * L);
    b3.intoArray(dst, d2 + 3 * L);
    b4.intoArray(dst, d2 + 4 * L);
    b5.intoArray(dst, d2 + 5 * L);
    if (tail > 0) {
      dst[e] = s0;
      dst[e2] = t0;
      if (tail > 1) {
        dst[e + 1] = s1;
        dst[e2 + 1] = t1;
      }
    }
  }

  /** Four vectors of each row: two from column {@code c}, two from {@code c2}. */
  private static void pairBlock4(int c, int c2, int count, int[] index, int indexOff,
      double[] weights, int weightOff, double[] src, int srcOff, int ldSrc, double[] dst,
      int dstOff, int dstOff2, boolean accumulate) {
    DoubleVector zero = DoubleVector.zero(S);
    DoubleVector a0 = accumulate ? DoubleVector.fromArray(S, dst, dstOff + c) : zero;
    DoubleVector a1 = accumulate ? DoubleVector.fromArray(S, dst, dstOff + c + L) : zero;
    DoubleVector a2 = accumulate ? DoubleVector.fromArray(S, dst, dstOff + c2) : zero;
    DoubleVector a3 = accumulate ? DoubleVector.fromArray(S, dst, dstOff + c2 + L) : zero;
    DoubleVector b0 = accumulate ? DoubleVector.fromArray(S, dst, dstOff2 + c) : zero;
    DoubleVector b1 = accumulate ? DoubleVector.fromArray(S, dst, dstOff2 + c + L) : zero;
    DoubleVector b2 = accumulate ? DoubleVector.fromArray(S, dst, dstOff2 + c2) : zero;
    DoubleVector b3 = accumulate ? DoubleVector.fromArray(S, dst, dstOff2 + c2 + L) : zero;
    for (int t = 0; t < count; t++) {
      DoubleVector w = DoubleVector.broadcast(S, weights[weightOff + 2 * t]);
      DoubleVector w2 = DoubleVector.broadcast(S, weights[weightOff + 2 * t + 1]);
      int row = srcOff + index[indexOff + t] * ldSrc;
      DoubleVector s;
      s = DoubleVector.fromArray(S, src, row + c);
      a0 = s.fma(w, a0);
      b0 = s.fma(w2, b0);
      s = DoubleVector.fromArray(S, src, row + c + L);
      a1 = s.fma(w, a1);
      b1 = s.fma(w2, b1);
      s = DoubleVector.fromArray(S, src, row + c2);
      a2 = s.fma(w, a2);
      b2 = s.fma(w2, b2);
      s = DoubleVector.fromArray(S, src, row + c2 + L);
      a3 = s.fma(w, a3);
      b3 = s.fma(w2, b3);
    }
    a0.intoArray(dst, dstOff + c);
    a1.intoArray(dst, dstOff + c + L);
    a2.intoArray(dst, dstOff + c2);
    a3.intoArray(dst, dstOff + c2 + L);
    b0.intoArray(dst, dstOff2 + c);
    b1.intoArray(dst, dstOff2 + c + L);
    b2.intoArray(dst, dstOff2 + c2);
    b3.intoArray(dst, dstOff2 + c2 + L);
  }

  /** One vector of each row, from column {@code c}. */
  private static void pairBlock1(int c, int count, int[] index, int indexOff,
      double[] weights, int weightOff, double[] src, int srcOff, int ldSrc, double[] dst,
      int dstOff, int dstOff2, boolean accumulate) {
    DoubleVector zero = DoubleVector.zero(S);
    DoubleVector a0 = accumulate ? DoubleVector.fromArray(S, dst, dstOff + c) : zero;
    DoubleVector b0 = accumulate ? DoubleVector.fromArray(S, dst, dstOff2 + c) : zero;
    for (int t = 0; t < count; t++) {
      DoubleVector w = DoubleVector.broadcast(S, weights[weightOff + 2 * t]);
      DoubleVector w2 = DoubleVector.broadcast(S, weights[weightOff + 2 * t + 1]);
      int row = srcOff + index[indexOff + t] * ldSrc;
      DoubleVector s;
      s = DoubleVector.fromArray(S, src, row + c);
      a0 = s.fma(w, a0);
      b0 = s.fma(w2, b0);
    }
    a0.intoArray(dst, dstOff + c);
    b0.intoArray(dst, dstOff2 + c);
  }

  /**
   * Four rows in blocks of six vectors (29 of AVX-512's 32 registers, see {@link #quadBlock6}),
   * then four (sixteen accumulators, four broadcast weights and the loaded vector: 21), then one
   * vector; AVX2's 16 registers take blocks of one vector only.
   */
  private static final boolean WIDE_QUAD_BLOCKS = S.vectorBitSize() >= 512;

  @Override
  public void gatherRowQuads(
      int n, int count, int[] index, int indexOff, double[] weights, int weightOff,
      double[] src, int srcOff, int ldSrc, double[] dst, int r0, int r1, int r2, int r3,
      boolean accumulate) {
    int c = 0;
    int sixes = WIDE_QUAD_BLOCKS ? n / (6 * L) : 0;
    if (sixes > 0 && (n / L) % 6 == 2) {
      // Six plus two vectors (64 columns: the top sweeps' segments) run as two blocks of four.
      sixes--;
    }
    for (int b = 0; b < sixes; b++, c += 6 * L) {
      quadBlock6(c, count, index, indexOff, weights, weightOff, src, srcOff, ldSrc,
          dst, r0, r1, r2, r3, accumulate);
    }
    if (WIDE_QUAD_BLOCKS) {
      for (; c + 4 * L <= n; c += 4 * L) {
        quadBlock4(c, count, index, indexOff, weights, weightOff, src, srcOff, ldSrc,
            dst, r0, r1, r2, r3, accumulate);
      }
      if (n - c >= 3 * L) {
        // As in gatherRows: the last vector moved left to end at column n (the packed width
        // 1275 leaves 27 columns); the overlapping columns get the same operations twice. Three
        // vectors exactly (the second-layer columns' last block) overlap a whole vector: one
        // call with a third more products instead of three one-vector calls, each a chain.
        quadBlock4Shifted(c, n - L, count, index, indexOff, weights, weightOff, src, srcOff,
            ldSrc, dst, r0, r1, r2, r3, accumulate);
        return;
      }
    }
    for (; c + L <= n; c += L) {
      quadBlock1(c, count, index, indexOff, weights, weightOff, src, srcOff, ldSrc, dst, r0, r1,
          r2, r3, accumulate);
    }
    for (; c < n; c++) {
      for (int r = 0; r < 4; r++) {
        int d = (r == 0 ? r0 : r == 1 ? r1 : r == 2 ? r2 : r3) + c;
        double s = accumulate ? dst[d] : 0.0;
        for (int t = 0; t < count; t++) {
          s = Math.fma(weights[weightOff + 4 * t + r], src[srcOff + index[indexOff + t] * ldSrc + c], s);
        }
        dst[d] = s;
      }
    }
  }

  /**
   * Four vectors of each of four rows, from columns {@code c}, {@code c + L}, {@code c + 2L} and
   * {@code c3} (less than {@code c + 3L}: the block shifted to end at the last column): each
   * load feeds four sums. Kept apart from {@link #quadBlock4}, whose fixed
   * offsets compile to faster loops (the top sweeps' 64-column segments run whole blocks only).
   */
  private static void quadBlock4Shifted(int c, int c3, int count, int[] index, int indexOff,
      double[] weights, int weightOff, double[] src, int srcOff, int ldSrc, double[] dst,
      int r0, int r1, int r2, int r3, boolean accumulate) {
    DoubleVector zero = DoubleVector.zero(S);
    int d0 = r0 + c;
    int d1 = r1 + c;
    int d2 = r2 + c;
    int d3 = r3 + c;
    int off3 = c3 - c;
    DoubleVector a00 = accumulate ? DoubleVector.fromArray(S, dst, d0 + 0 * L) : zero;
    DoubleVector a01 = accumulate ? DoubleVector.fromArray(S, dst, d0 + 1 * L) : zero;
    DoubleVector a02 = accumulate ? DoubleVector.fromArray(S, dst, d0 + 2 * L) : zero;
    DoubleVector a03 = accumulate ? DoubleVector.fromArray(S, dst, d0 + off3) : zero;
    DoubleVector a10 = accumulate ? DoubleVector.fromArray(S, dst, d1 + 0 * L) : zero;
    DoubleVector a11 = accumulate ? DoubleVector.fromArray(S, dst, d1 + 1 * L) : zero;
    DoubleVector a12 = accumulate ? DoubleVector.fromArray(S, dst, d1 + 2 * L) : zero;
    DoubleVector a13 = accumulate ? DoubleVector.fromArray(S, dst, d1 + off3) : zero;
    DoubleVector a20 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 0 * L) : zero;
    DoubleVector a21 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 1 * L) : zero;
    DoubleVector a22 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 2 * L) : zero;
    DoubleVector a23 = accumulate ? DoubleVector.fromArray(S, dst, d2 + off3) : zero;
    DoubleVector a30 = accumulate ? DoubleVector.fromArray(S, dst, d3 + 0 * L) : zero;
    DoubleVector a31 = accumulate ? DoubleVector.fromArray(S, dst, d3 + 1 * L) : zero;
    DoubleVector a32 = accumulate ? DoubleVector.fromArray(S, dst, d3 + 2 * L) : zero;
    DoubleVector a33 = accumulate ? DoubleVector.fromArray(S, dst, d3 + off3) : zero;
    for (int t = 0; t < count; t++) {
      int w = weightOff + 4 * t;
      DoubleVector w0 = DoubleVector.broadcast(S, weights[w + 0]);
      DoubleVector w1 = DoubleVector.broadcast(S, weights[w + 1]);
      DoubleVector w2 = DoubleVector.broadcast(S, weights[w + 2]);
      DoubleVector w3 = DoubleVector.broadcast(S, weights[w + 3]);
      int row = srcOff + index[indexOff + t] * ldSrc + c;
      DoubleVector s;
      s = DoubleVector.fromArray(S, src, row + 0 * L);
      a00 = s.fma(w0, a00);
      a10 = s.fma(w1, a10);
      a20 = s.fma(w2, a20);
      a30 = s.fma(w3, a30);
      s = DoubleVector.fromArray(S, src, row + 1 * L);
      a01 = s.fma(w0, a01);
      a11 = s.fma(w1, a11);
      a21 = s.fma(w2, a21);
      a31 = s.fma(w3, a31);
      s = DoubleVector.fromArray(S, src, row + 2 * L);
      a02 = s.fma(w0, a02);
      a12 = s.fma(w1, a12);
      a22 = s.fma(w2, a22);
      a32 = s.fma(w3, a32);
      s = DoubleVector.fromArray(S, src, row + off3);
      a03 = s.fma(w0, a03);
      a13 = s.fma(w1, a13);
      a23 = s.fma(w2, a23);
      a33 = s.fma(w3, a33);
    }
    a00.intoArray(dst, d0 + 0 * L);
    a01.intoArray(dst, d0 + 1 * L);
    a02.intoArray(dst, d0 + 2 * L);
    a03.intoArray(dst, d0 + off3);
    a10.intoArray(dst, d1 + 0 * L);
    a11.intoArray(dst, d1 + 1 * L);
    a12.intoArray(dst, d1 + 2 * L);
    a13.intoArray(dst, d1 + off3);
    a20.intoArray(dst, d2 + 0 * L);
    a21.intoArray(dst, d2 + 1 * L);
    a22.intoArray(dst, d2 + 2 * L);
    a23.intoArray(dst, d2 + off3);
    a30.intoArray(dst, d3 + 0 * L);
    a31.intoArray(dst, d3 + 1 * L);
    a32.intoArray(dst, d3 + 2 * L);
    a33.intoArray(dst, d3 + off3);
  }

  /**
   * Six vectors of each of four rows from column {@code c}: 24 accumulators, four broadcast
   * weights and the loaded vector fit AVX-512's 32 registers, and each sample's index, address
   * and four broadcasts are paid once per six vectors instead of four.
   */
  private static void quadBlock6(int c, int count, int[] index, int indexOff,
      double[] weights, int weightOff, double[] src, int srcOff, int ldSrc, double[] dst,
      int r0, int r1, int r2, int r3, boolean accumulate) {
    DoubleVector zero = DoubleVector.zero(S);
    int d0 = r0 + c;
    int d1 = r1 + c;
    int d2 = r2 + c;
    int d3 = r3 + c;
    DoubleVector a00 = accumulate ? DoubleVector.fromArray(S, dst, d0 + 0 * L) : zero;
    DoubleVector a01 = accumulate ? DoubleVector.fromArray(S, dst, d0 + 1 * L) : zero;
    DoubleVector a02 = accumulate ? DoubleVector.fromArray(S, dst, d0 + 2 * L) : zero;
    DoubleVector a03 = accumulate ? DoubleVector.fromArray(S, dst, d0 + 3 * L) : zero;
    DoubleVector a04 = accumulate ? DoubleVector.fromArray(S, dst, d0 + 4 * L) : zero;
    DoubleVector a05 = accumulate ? DoubleVector.fromArray(S, dst, d0 + 5 * L) : zero;
    DoubleVector a10 = accumulate ? DoubleVector.fromArray(S, dst, d1 + 0 * L) : zero;
    DoubleVector a11 = accumulate ? DoubleVector.fromArray(S, dst, d1 + 1 * L) : zero;
    DoubleVector a12 = accumulate ? DoubleVector.fromArray(S, dst, d1 + 2 * L) : zero;
    DoubleVector a13 = accumulate ? DoubleVector.fromArray(S, dst, d1 + 3 * L) : zero;
    DoubleVector a14 = accumulate ? DoubleVector.fromArray(S, dst, d1 + 4 * L) : zero;
    DoubleVector a15 = accumulate ? DoubleVector.fromArray(S, dst, d1 + 5 * L) : zero;
    DoubleVector a20 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 0 * L) : zero;
    DoubleVector a21 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 1 * L) : zero;
    DoubleVector a22 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 2 * L) : zero;
    DoubleVector a23 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 3 * L) : zero;
    DoubleVector a24 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 4 * L) : zero;
    DoubleVector a25 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 5 * L) : zero;
    DoubleVector a30 = accumulate ? DoubleVector.fromArray(S, dst, d3 + 0 * L) : zero;
    DoubleVector a31 = accumulate ? DoubleVector.fromArray(S, dst, d3 + 1 * L) : zero;
    DoubleVector a32 = accumulate ? DoubleVector.fromArray(S, dst, d3 + 2 * L) : zero;
    DoubleVector a33 = accumulate ? DoubleVector.fromArray(S, dst, d3 + 3 * L) : zero;
    DoubleVector a34 = accumulate ? DoubleVector.fromArray(S, dst, d3 + 4 * L) : zero;
    DoubleVector a35 = accumulate ? DoubleVector.fromArray(S, dst, d3 + 5 * L) : zero;
    for (int t = 0; t < count; t++) {
      int w = weightOff + 4 * t;
      DoubleVector w0 = DoubleVector.broadcast(S, weights[w + 0]);
      DoubleVector w1 = DoubleVector.broadcast(S, weights[w + 1]);
      DoubleVector w2 = DoubleVector.broadcast(S, weights[w + 2]);
      DoubleVector w3 = DoubleVector.broadcast(S, weights[w + 3]);
      int row = srcOff + index[indexOff + t] * ldSrc + c;
      DoubleVector s;
      s = DoubleVector.fromArray(S, src, row + 0 * L);
      a00 = s.fma(w0, a00);
      a10 = s.fma(w1, a10);
      a20 = s.fma(w2, a20);
      a30 = s.fma(w3, a30);
      s = DoubleVector.fromArray(S, src, row + 1 * L);
      a01 = s.fma(w0, a01);
      a11 = s.fma(w1, a11);
      a21 = s.fma(w2, a21);
      a31 = s.fma(w3, a31);
      s = DoubleVector.fromArray(S, src, row + 2 * L);
      a02 = s.fma(w0, a02);
      a12 = s.fma(w1, a12);
      a22 = s.fma(w2, a22);
      a32 = s.fma(w3, a32);
      s = DoubleVector.fromArray(S, src, row + 3 * L);
      a03 = s.fma(w0, a03);
      a13 = s.fma(w1, a13);
      a23 = s.fma(w2, a23);
      a33 = s.fma(w3, a33);
      s = DoubleVector.fromArray(S, src, row + 4 * L);
      a04 = s.fma(w0, a04);
      a14 = s.fma(w1, a14);
      a24 = s.fma(w2, a24);
      a34 = s.fma(w3, a34);
      s = DoubleVector.fromArray(S, src, row + 5 * L);
      a05 = s.fma(w0, a05);
      a15 = s.fma(w1, a15);
      a25 = s.fma(w2, a25);
      a35 = s.fma(w3, a35);
    }
    a00.intoArray(dst, d0 + 0 * L);
    a01.intoArray(dst, d0 + 1 * L);
    a02.intoArray(dst, d0 + 2 * L);
    a03.intoArray(dst, d0 + 3 * L);
    a04.intoArray(dst, d0 + 4 * L);
    a05.intoArray(dst, d0 + 5 * L);
    a10.intoArray(dst, d1 + 0 * L);
    a11.intoArray(dst, d1 + 1 * L);
    a12.intoArray(dst, d1 + 2 * L);
    a13.intoArray(dst, d1 + 3 * L);
    a14.intoArray(dst, d1 + 4 * L);
    a15.intoArray(dst, d1 + 5 * L);
    a20.intoArray(dst, d2 + 0 * L);
    a21.intoArray(dst, d2 + 1 * L);
    a22.intoArray(dst, d2 + 2 * L);
    a23.intoArray(dst, d2 + 3 * L);
    a24.intoArray(dst, d2 + 4 * L);
    a25.intoArray(dst, d2 + 5 * L);
    a30.intoArray(dst, d3 + 0 * L);
    a31.intoArray(dst, d3 + 1 * L);
    a32.intoArray(dst, d3 + 2 * L);
    a33.intoArray(dst, d3 + 3 * L);
    a34.intoArray(dst, d3 + 4 * L);
    a35.intoArray(dst, d3 + 5 * L);
  }

  /** Four vectors of each of four rows from column {@code c}: each load feeds four sums. */
  private static void quadBlock4(int c, int count, int[] index, int indexOff,
      double[] weights, int weightOff, double[] src, int srcOff, int ldSrc, double[] dst,
      int r0, int r1, int r2, int r3, boolean accumulate) {
    DoubleVector zero = DoubleVector.zero(S);
    int d0 = r0 + c;
    int d1 = r1 + c;
    int d2 = r2 + c;
    int d3 = r3 + c;
    DoubleVector a00 = accumulate ? DoubleVector.fromArray(S, dst, d0 + 0 * L) : zero;
    DoubleVector a01 = accumulate ? DoubleVector.fromArray(S, dst, d0 + 1 * L) : zero;
    DoubleVector a02 = accumulate ? DoubleVector.fromArray(S, dst, d0 + 2 * L) : zero;
    DoubleVector a03 = accumulate ? DoubleVector.fromArray(S, dst, d0 + 3 * L) : zero;
    DoubleVector a10 = accumulate ? DoubleVector.fromArray(S, dst, d1 + 0 * L) : zero;
    DoubleVector a11 = accumulate ? DoubleVector.fromArray(S, dst, d1 + 1 * L) : zero;
    DoubleVector a12 = accumulate ? DoubleVector.fromArray(S, dst, d1 + 2 * L) : zero;
    DoubleVector a13 = accumulate ? DoubleVector.fromArray(S, dst, d1 + 3 * L) : zero;
    DoubleVector a20 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 0 * L) : zero;
    DoubleVector a21 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 1 * L) : zero;
    DoubleVector a22 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 2 * L) : zero;
    DoubleVector a23 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 3 * L) : zero;
    DoubleVector a30 = accumulate ? DoubleVector.fromArray(S, dst, d3 + 0 * L) : zero;
    DoubleVector a31 = accumulate ? DoubleVector.fromArray(S, dst, d3 + 1 * L) : zero;
    DoubleVector a32 = accumulate ? DoubleVector.fromArray(S, dst, d3 + 2 * L) : zero;
    DoubleVector a33 = accumulate ? DoubleVector.fromArray(S, dst, d3 + 3 * L) : zero;
    for (int t = 0; t < count; t++) {
      int w = weightOff + 4 * t;
      DoubleVector w0 = DoubleVector.broadcast(S, weights[w + 0]);
      DoubleVector w1 = DoubleVector.broadcast(S, weights[w + 1]);
      DoubleVector w2 = DoubleVector.broadcast(S, weights[w + 2]);
      DoubleVector w3 = DoubleVector.broadcast(S, weights[w + 3]);
      int row = srcOff + index[indexOff + t] * ldSrc + c;
      DoubleVector s;
      s = DoubleVector.fromArray(S, src, row + 0 * L);
      a00 = s.fma(w0, a00);
      a10 = s.fma(w1, a10);
      a20 = s.fma(w2, a20);
      a30 = s.fma(w3, a30);
      s = DoubleVector.fromArray(S, src, row + 1 * L);
      a01 = s.fma(w0, a01);
      a11 = s.fma(w1, a11);
      a21 = s.fma(w2, a21);
      a31 = s.fma(w3, a31);
      s = DoubleVector.fromArray(S, src, row + 2 * L);
      a02 = s.fma(w0, a02);
      a12 = s.fma(w1, a12);
      a22 = s.fma(w2, a22);
      a32 = s.fma(w3, a32);
      s = DoubleVector.fromArray(S, src, row + 3 * L);
      a03 = s.fma(w0, a03);
      a13 = s.fma(w1, a13);
      a23 = s.fma(w2, a23);
      a33 = s.fma(w3, a33);
    }
    a00.intoArray(dst, d0 + 0 * L);
    a01.intoArray(dst, d0 + 1 * L);
    a02.intoArray(dst, d0 + 2 * L);
    a03.intoArray(dst, d0 + 3 * L);
    a10.intoArray(dst, d1 + 0 * L);
    a11.intoArray(dst, d1 + 1 * L);
    a12.intoArray(dst, d1 + 2 * L);
    a13.intoArray(dst, d1 + 3 * L);
    a20.intoArray(dst, d2 + 0 * L);
    a21.intoArray(dst, d2 + 1 * L);
    a22.intoArray(dst, d2 + 2 * L);
    a23.intoArray(dst, d2 + 3 * L);
    a30.intoArray(dst, d3 + 0 * L);
    a31.intoArray(dst, d3 + 1 * L);
    a32.intoArray(dst, d3 + 2 * L);
    a33.intoArray(dst, d3 + 3 * L);
  }

  /** One vector of each of four rows from column {@code c}. */
  private static void quadBlock1(int c, int count, int[] index, int indexOff,
      double[] weights, int weightOff, double[] src, int srcOff, int ldSrc, double[] dst,
      int r0, int r1, int r2, int r3, boolean accumulate) {
    DoubleVector zero = DoubleVector.zero(S);
    int d0 = r0 + c;
    int d1 = r1 + c;
    int d2 = r2 + c;
    int d3 = r3 + c;
    DoubleVector a00 = accumulate ? DoubleVector.fromArray(S, dst, d0 + 0 * L) : zero;
    DoubleVector a10 = accumulate ? DoubleVector.fromArray(S, dst, d1 + 0 * L) : zero;
    DoubleVector a20 = accumulate ? DoubleVector.fromArray(S, dst, d2 + 0 * L) : zero;
    DoubleVector a30 = accumulate ? DoubleVector.fromArray(S, dst, d3 + 0 * L) : zero;
    for (int t = 0; t < count; t++) {
      int w = weightOff + 4 * t;
      DoubleVector w0 = DoubleVector.broadcast(S, weights[w + 0]);
      DoubleVector w1 = DoubleVector.broadcast(S, weights[w + 1]);
      DoubleVector w2 = DoubleVector.broadcast(S, weights[w + 2]);
      DoubleVector w3 = DoubleVector.broadcast(S, weights[w + 3]);
      int row = srcOff + index[indexOff + t] * ldSrc + c;
      DoubleVector s;
      s = DoubleVector.fromArray(S, src, row + 0 * L);
      a00 = s.fma(w0, a00);
      a10 = s.fma(w1, a10);
      a20 = s.fma(w2, a20);
      a30 = s.fma(w3, a30);
    }
    a00.intoArray(dst, d0 + 0 * L);
    a10.intoArray(dst, d1 + 0 * L);
    a20.intoArray(dst, d2 + 0 * L);
    a30.intoArray(dst, d3 + 0 * L);
  }

  @Override
  public void gatherRowLists(
      int n, int rows, int[] start, int startOff, int[] index, double[] weight, double[] src,
      double[] dst, int dstOff) {
    int r = 0;
    while (true) {
      // Pairs of non-empty rows: two lists walked together keep twice the sums in flight.
      while (r < rows && start[startOff + r] == start[startOff + r + 1]) {
        r++;
      }
      if (r >= rows) {
        return;
      }
      int r2 = r + 1;
      while (r2 < rows && start[startOff + r2] == start[startOff + r2 + 1]) {
        r2++;
      }
      int a0 = start[startOff + r];
      int a1 = start[startOff + r + 1];
      if (r2 >= rows) {
        listPair(n, index, weight, a0, a1, a1, a1, src, dst, dstOff + r * n, dstOff + r * n);
        return;
      }
      listPair(n, index, weight, a0, a1, start[startOff + r2], start[startOff + r2 + 1], src,
          dst, dstOff + r * n, dstOff + r2 * n);
      r = r2 + 1;
    }
  }

  /** Rows {@code d} (list {@code [a0, a1)}) and {@code d2} (list {@code [b0, b1)}) of a block. */
  private static void listPair(int n, int[] index, double[] weight, int a0, int a1, int b0,
      int b1, double[] src, double[] dst, int d, int d2) {
    int c = 0;
    for (; c + 4 * L <= n; c += 4 * L) {
      listPairBlock4(n, c, index, weight, a0, a1, b0, b1, src, dst, d, d2);
    }
    for (; c + L <= n; c += L) {
      DoubleVector a = DoubleVector.fromArray(S, dst, d + c);
      for (int t = a0; t < a1; t++) {
        a = DoubleVector.fromArray(S, src, index[t] * n + c)
            .fma(DoubleVector.broadcast(S, weight[t]), a);
      }
      a.intoArray(dst, d + c);
      if (b0 < b1) {
        DoubleVector b = DoubleVector.fromArray(S, dst, d2 + c);
        for (int t = b0; t < b1; t++) {
          b = DoubleVector.fromArray(S, src, index[t] * n + c)
              .fma(DoubleVector.broadcast(S, weight[t]), b);
        }
        b.intoArray(dst, d2 + c);
      }
    }
    for (; c < n; c++) {
      double s = dst[d + c];
      for (int t = a0; t < a1; t++) {
        s = Math.fma(weight[t], src[index[t] * n + c], s);
      }
      dst[d + c] = s;
      if (b0 < b1) {
        double s2 = dst[d2 + c];
        for (int t = b0; t < b1; t++) {
          s2 = Math.fma(weight[t], src[index[t] * n + c], s2);
        }
        dst[d2 + c] = s2;
      }
    }
  }

  /**
   * Four vectors of two rows from column {@code c}: the lists are walked together as far as
   * both go (eight independent sums per step), then the longer one alone.
   */
  private static void listPairBlock4(int n, int c, int[] index, double[] weight, int a0, int a1,
      int b0, int b1, double[] src, double[] dst, int d, int d2) {
    DoubleVector a00 = DoubleVector.fromArray(S, dst, d + c);
    DoubleVector a01 = DoubleVector.fromArray(S, dst, d + c + L);
    DoubleVector a02 = DoubleVector.fromArray(S, dst, d + c + 2 * L);
    DoubleVector a03 = DoubleVector.fromArray(S, dst, d + c + 3 * L);
    boolean two = b0 < b1;
    DoubleVector a10 = two ? DoubleVector.fromArray(S, dst, d2 + c) : a00;
    DoubleVector a11 = two ? DoubleVector.fromArray(S, dst, d2 + c + L) : a00;
    DoubleVector a12 = two ? DoubleVector.fromArray(S, dst, d2 + c + 2 * L) : a00;
    DoubleVector a13 = two ? DoubleVector.fromArray(S, dst, d2 + c + 3 * L) : a00;
    int m = Math.min(a1 - a0, b1 - b0);
    for (int t = 0; t < m; t++) {
      DoubleVector w0 = DoubleVector.broadcast(S, weight[a0 + t]);
      DoubleVector w1 = DoubleVector.broadcast(S, weight[b0 + t]);
      int row0 = index[a0 + t] * n + c;
      int row1 = index[b0 + t] * n + c;
      a00 = DoubleVector.fromArray(S, src, row0).fma(w0, a00);
      a10 = DoubleVector.fromArray(S, src, row1).fma(w1, a10);
      a01 = DoubleVector.fromArray(S, src, row0 + L).fma(w0, a01);
      a11 = DoubleVector.fromArray(S, src, row1 + L).fma(w1, a11);
      a02 = DoubleVector.fromArray(S, src, row0 + 2 * L).fma(w0, a02);
      a12 = DoubleVector.fromArray(S, src, row1 + 2 * L).fma(w1, a12);
      a03 = DoubleVector.fromArray(S, src, row0 + 3 * L).fma(w0, a03);
      a13 = DoubleVector.fromArray(S, src, row1 + 3 * L).fma(w1, a13);
    }
    for (int t = a0 + m; t < a1; t++) {
      DoubleVector w0 = DoubleVector.broadcast(S, weight[t]);
      int row0 = index[t] * n + c;
      a00 = DoubleVector.fromArray(S, src, row0).fma(w0, a00);
      a01 = DoubleVector.fromArray(S, src, row0 + L).fma(w0, a01);
      a02 = DoubleVector.fromArray(S, src, row0 + 2 * L).fma(w0, a02);
      a03 = DoubleVector.fromArray(S, src, row0 + 3 * L).fma(w0, a03);
    }
    for (int t = b0 + m; t < b1; t++) {
      DoubleVector w1 = DoubleVector.broadcast(S, weight[t]);
      int row1 = index[t] * n + c;
      a10 = DoubleVector.fromArray(S, src, row1).fma(w1, a10);
      a11 = DoubleVector.fromArray(S, src, row1 + L).fma(w1, a11);
      a12 = DoubleVector.fromArray(S, src, row1 + 2 * L).fma(w1, a12);
      a13 = DoubleVector.fromArray(S, src, row1 + 3 * L).fma(w1, a13);
    }
    a00.intoArray(dst, d + c);
    a01.intoArray(dst, d + c + L);
    a02.intoArray(dst, d + c + 2 * L);
    a03.intoArray(dst, d + c + 3 * L);
    if (two) {
      a10.intoArray(dst, d2 + c);
      a11.intoArray(dst, d2 + c + L);
      a12.intoArray(dst, d2 + c + 2 * L);
      a13.intoArray(dst, d2 + c + 3 * L);
    }
  }

  @Override
  public void scatterRow(
      int n, int count, int[] index, int indexOff, double[] weight, int weightOff,
      double[] src, int srcOff, double[] dst, int dstOff, int ldDst) {
    int c = 0;
    for (; c + 4 * L <= n; c += 4 * L) {
      int s = srcOff + c;
      DoubleVector x0 = DoubleVector.fromArray(S, src, s);
      DoubleVector x1 = DoubleVector.fromArray(S, src, s + L);
      DoubleVector x2 = DoubleVector.fromArray(S, src, s + 2 * L);
      DoubleVector x3 = DoubleVector.fromArray(S, src, s + 3 * L);
      for (int t = 0; t < count; t++) {
        DoubleVector w = DoubleVector.broadcast(S, weight[weightOff + t]);
        int row = dstOff + index[indexOff + t] * ldDst + c;
        x0.fma(w, DoubleVector.fromArray(S, dst, row)).intoArray(dst, row);
        x1.fma(w, DoubleVector.fromArray(S, dst, row + L)).intoArray(dst, row + L);
        x2.fma(w, DoubleVector.fromArray(S, dst, row + 2 * L)).intoArray(dst, row + 2 * L);
        x3.fma(w, DoubleVector.fromArray(S, dst, row + 3 * L)).intoArray(dst, row + 3 * L);
      }
    }
    for (; c + L <= n; c += L) {
      DoubleVector x = DoubleVector.fromArray(S, src, srcOff + c);
      for (int t = 0; t < count; t++) {
        int row = dstOff + index[indexOff + t] * ldDst + c;
        x.fma(DoubleVector.broadcast(S, weight[weightOff + t]), DoubleVector.fromArray(S, dst, row))
            .intoArray(dst, row);
      }
    }
    for (; c < n; c++) {
      double x = src[srcOff + c];
      for (int t = 0; t < count; t++) {
        int at = dstOff + index[indexOff + t] * ldDst + c;
        dst[at] = Math.fma(weight[weightOff + t], x, dst[at]);
      }
    }
  }
}
