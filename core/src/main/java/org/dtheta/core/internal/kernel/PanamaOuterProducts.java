package org.dtheta.core.internal.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API form of {@link KernelSupport#addOuterProducts}: {@code acc += sum_r v_r w_r^T}
 * over a block of rows, vectorised along the wide rows {@code w_r} with the narrow entries
 * broadcast. A register tile holds five rows of {@code acc} by three vectors of columns (15
 * accumulators, three loads of {@code w} and five broadcasts per 15 multiply-adds) over all
 * the block's rows, then goes back to {@code acc}; narrow and wide remainders take one-row and
 * one-vector tiles, the last vector overlapping its neighbour rather than running a scalar tail
 * (so {@code wide >= L} is required).
 *
 * <p>The tiles walk the block column strip by column strip, one short run per row and every
 * row a new cache line (and often a new page): a walk the hardware prefetcher does not follow,
 * so reading a tangent's {@code k x (m hidden)} array this way waited on memory (as the tall
 * {@code Adot^T Cbar} of a product's adjoint tangent did through the packed product). So the
 * block is first read once in address order ({@link ReadAhead}), which the prefetcher streams
 * into L2, and the tiles then find it there.
 */
final class PanamaOuterProducts {

  private static final VectorSpecies<Double> S = PanamaConstants.SPECIES;
  private static final int L = S.length();
  private PanamaOuterProducts() {}

  static void add(
      int rows, int wide, int narrow, double[] w, int wOff, int ldw, double[] v, int vOff, int ldv,
      double[] acc, int accOff) {
    ReadAhead.rows(rows, wide, w, wOff, ldw);
    int j = 0;
    for (; j + 3 * L <= wide; j += 3 * L) {
      int i = 0;
      for (; i + 5 <= narrow; i += 5) {
        tile5x3(rows, w, wOff + j, ldw, v, vOff + i, ldv, acc, accOff + i * wide + j, wide);
      }
      for (; i < narrow; i++) {
        tile1x3(rows, w, wOff + j, ldw, v, vOff + i, ldv, acc, accOff + i * wide + j);
      }
    }
    // The last, partial vector is taken as the vector ending at the last column; its lanes that
    // the previous vector already covered are dropped when it is added to acc.
    for (; j < wide; j += L) {
      int at = Math.min(j, wide - L);
      int from = j - at;
      int i = 0;
      for (; i + 5 <= narrow; i += 5) {
        tile5x1(rows, w, wOff + at, ldw, v, vOff + i, ldv, acc, accOff + i * wide + at, wide, from);
      }
      for (; i < narrow; i++) {
        tile1x1(rows, w, wOff + at, ldw, v, vOff + i, ldv, acc, accOff + i * wide + at, from);
      }
    }
  }

  /** Five rows of acc (ld {@code lda}) by three vectors. */
  private static void tile5x3(
      int rows, double[] w, int w0, int ldw, double[] v, int v0, int ldv, double[] acc, int a0,
      int lda) {
    int a1 = a0 + lda;
    int a2 = a1 + lda;
    int a3 = a2 + lda;
    int a4 = a3 + lda;
    DoubleVector x00 = DoubleVector.fromArray(S, acc, a0);
    DoubleVector x01 = DoubleVector.fromArray(S, acc, a0 + L);
    DoubleVector x02 = DoubleVector.fromArray(S, acc, a0 + 2 * L);
    DoubleVector x10 = DoubleVector.fromArray(S, acc, a1);
    DoubleVector x11 = DoubleVector.fromArray(S, acc, a1 + L);
    DoubleVector x12 = DoubleVector.fromArray(S, acc, a1 + 2 * L);
    DoubleVector x20 = DoubleVector.fromArray(S, acc, a2);
    DoubleVector x21 = DoubleVector.fromArray(S, acc, a2 + L);
    DoubleVector x22 = DoubleVector.fromArray(S, acc, a2 + 2 * L);
    DoubleVector x30 = DoubleVector.fromArray(S, acc, a3);
    DoubleVector x31 = DoubleVector.fromArray(S, acc, a3 + L);
    DoubleVector x32 = DoubleVector.fromArray(S, acc, a3 + 2 * L);
    DoubleVector x40 = DoubleVector.fromArray(S, acc, a4);
    DoubleVector x41 = DoubleVector.fromArray(S, acc, a4 + L);
    DoubleVector x42 = DoubleVector.fromArray(S, acc, a4 + 2 * L);
    for (int r = 0; r < rows; r++) {
      int wr = w0 + r * ldw;
      DoubleVector w0v = DoubleVector.fromArray(S, w, wr);
      DoubleVector w1v = DoubleVector.fromArray(S, w, wr + L);
      DoubleVector w2v = DoubleVector.fromArray(S, w, wr + 2 * L);
      int vr = v0 + r * ldv;
      DoubleVector b = DoubleVector.broadcast(S, v[vr]);
      x00 = w0v.fma(b, x00);
      x01 = w1v.fma(b, x01);
      x02 = w2v.fma(b, x02);
      b = DoubleVector.broadcast(S, v[vr + 1]);
      x10 = w0v.fma(b, x10);
      x11 = w1v.fma(b, x11);
      x12 = w2v.fma(b, x12);
      b = DoubleVector.broadcast(S, v[vr + 2]);
      x20 = w0v.fma(b, x20);
      x21 = w1v.fma(b, x21);
      x22 = w2v.fma(b, x22);
      b = DoubleVector.broadcast(S, v[vr + 3]);
      x30 = w0v.fma(b, x30);
      x31 = w1v.fma(b, x31);
      x32 = w2v.fma(b, x32);
      b = DoubleVector.broadcast(S, v[vr + 4]);
      x40 = w0v.fma(b, x40);
      x41 = w1v.fma(b, x41);
      x42 = w2v.fma(b, x42);
    }
    x00.intoArray(acc, a0);
    x01.intoArray(acc, a0 + L);
    x02.intoArray(acc, a0 + 2 * L);
    x10.intoArray(acc, a1);
    x11.intoArray(acc, a1 + L);
    x12.intoArray(acc, a1 + 2 * L);
    x20.intoArray(acc, a2);
    x21.intoArray(acc, a2 + L);
    x22.intoArray(acc, a2 + 2 * L);
    x30.intoArray(acc, a3);
    x31.intoArray(acc, a3 + L);
    x32.intoArray(acc, a3 + 2 * L);
    x40.intoArray(acc, a4);
    x41.intoArray(acc, a4 + L);
    x42.intoArray(acc, a4 + 2 * L);
  }

  /** One row of acc by three vectors. */
  private static void tile1x3(
      int rows, double[] w, int w0, int ldw, double[] v, int v0, int ldv, double[] acc, int a0) {
    DoubleVector x0 = DoubleVector.fromArray(S, acc, a0);
    DoubleVector x1 = DoubleVector.fromArray(S, acc, a0 + L);
    DoubleVector x2 = DoubleVector.fromArray(S, acc, a0 + 2 * L);
    for (int r = 0; r < rows; r++) {
      int wr = w0 + r * ldw;
      DoubleVector b = DoubleVector.broadcast(S, v[v0 + r * ldv]);
      x0 = DoubleVector.fromArray(S, w, wr).fma(b, x0);
      x1 = DoubleVector.fromArray(S, w, wr + L).fma(b, x1);
      x2 = DoubleVector.fromArray(S, w, wr + 2 * L).fma(b, x2);
    }
    x0.intoArray(acc, a0);
    x1.intoArray(acc, a0 + L);
    x2.intoArray(acc, a0 + 2 * L);
  }

  /**
   * Five rows of acc (ld {@code lda}) by one vector, summed from zero and added to acc from lane
   * {@code from} on.
   */
  private static void tile5x1(
      int rows, double[] w, int w0, int ldw, double[] v, int v0, int ldv, double[] acc, int a0,
      int lda, int from) {
    DoubleVector x0 = DoubleVector.zero(S);
    DoubleVector x1 = x0;
    DoubleVector x2 = x0;
    DoubleVector x3 = x0;
    DoubleVector x4 = x0;
    for (int r = 0; r < rows; r++) {
      DoubleVector wv = DoubleVector.fromArray(S, w, w0 + r * ldw);
      int vr = v0 + r * ldv;
      x0 = wv.fma(DoubleVector.broadcast(S, v[vr]), x0);
      x1 = wv.fma(DoubleVector.broadcast(S, v[vr + 1]), x1);
      x2 = wv.fma(DoubleVector.broadcast(S, v[vr + 2]), x2);
      x3 = wv.fma(DoubleVector.broadcast(S, v[vr + 3]), x3);
      x4 = wv.fma(DoubleVector.broadcast(S, v[vr + 4]), x4);
    }
    addLanes(x0, from, acc, a0);
    addLanes(x1, from, acc, a0 + lda);
    addLanes(x2, from, acc, a0 + 2 * lda);
    addLanes(x3, from, acc, a0 + 3 * lda);
    addLanes(x4, from, acc, a0 + 4 * lda);
  }

  /** One row of acc by one vector, as {@link #tile5x1}. */
  private static void tile1x1(
      int rows, double[] w, int w0, int ldw, double[] v, int v0, int ldv, double[] acc, int a0,
      int from) {
    DoubleVector x = DoubleVector.zero(S);
    for (int r = 0; r < rows; r++) {
      x = DoubleVector.fromArray(S, w, w0 + r * ldw).fma(DoubleVector.broadcast(S, v[v0 + r * ldv]), x);
    }
    addLanes(x, from, acc, a0);
  }

  /** {@code acc[a0 + e] += x[e]} for lanes {@code e >= from}. */
  private static void addLanes(DoubleVector x, int from, double[] acc, int a0) {
    if (from == 0) {
      DoubleVector.fromArray(S, acc, a0).add(x).intoArray(acc, a0);
      return;
    }
    for (int e = from; e < L; e++) {
      acc[a0 + e] += x.lane(e);
    }
  }
}
