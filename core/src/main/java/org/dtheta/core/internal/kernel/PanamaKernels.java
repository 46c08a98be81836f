package org.dtheta.core.internal.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.dtheta.core.kernel.UnaryFunction;

/**
 * The Vector API implementation. The only classes that touch {@code jdk.incubator.vector} are
 * this one, {@link PanamaGemm} (with {@link PanamaNarrowProducts}), {@link PanamaOuterProducts}
 * and {@link PanamaConstants}; this one is loaded reflectively by {@link KernelProvider} after
 * the module check, so nothing links against the incubator module when it is absent.
 *
 * <p>Loops follow one skeleton: a vector body (unrolled where it pays), then a scalar tail.
 */
final class PanamaKernels extends ScalarKernels {

  private static final VectorSpecies<Double> S = PanamaConstants.SPECIES;
  private static final int L = S.length();

  PanamaKernels() {
    if (L < 2) {
      throw new UnsupportedOperationException("vector width too small: " + L + " doubles");
    }
  }

  @Override
  public String name() {
    return "panama-" + S.vectorBitSize();
  }

  /**
   * Beyond this |x| the exponential in the sigmoid nears the subnormals, where {@link #exp}'s
   * scaling by one power of two would lose bits; vectors with such a lane take the scalar path.
   */
  private static final double SIGMOID_VECTOR_LIMIT = 700.0;

  // exp's constants: 1/ln 2, ln 2 in two parts (fdlibm's: k ln2Hi is exact for |k| < 2^11),
  // and 1.5 * 2^52, which rounds x / ln 2 to an integer held in the low bits.
  private static final double INV_LN2 = 0x1.71547652b82fep0;
  private static final double LN2_HI = 0x1.62e42fee00000p-1;
  private static final double LN2_LO = 0x1.a39ef35793c76p-33;
  private static final double ROUNDER = 0x1.8p52;
  // Taylor coefficients 1/j! of e^r, each correctly rounded (j! is exact in a double).
  private static final double E2 = 1.0 / 2.0;
  private static final double E3 = 1.0 / 6.0;
  private static final double E4 = 1.0 / 24.0;
  private static final double E5 = 1.0 / 120.0;
  private static final double E6 = 1.0 / 720.0;
  private static final double E7 = 1.0 / 5040.0;
  private static final double E8 = 1.0 / 40320.0;
  private static final double E9 = 1.0 / 362880.0;
  private static final double E10 = 1.0 / 3628800.0;
  private static final double E11 = 1.0 / 39916800.0;
  private static final double E12 = 1.0 / 479001600.0;
  private static final double E13 = 1.0 / 6227020800.0;

  /**
   * {@code e^t} per lane for {@code t} in [-{@value #SIGMOID_VECTOR_LIMIT}, 0], within 1 ulp of
   * {@link StrictMath#exp}. Only correctly rounded IEEE operations (fma, add, mul) and bit
   * moves, so the interpreter, C1 and C2 give the same bits; the Vector API's {@code EXP} does
   * not (C2's SVML differs from the per-lane {@link Math#exp} of the Java fallback by about an
   * ulp). Cody-Waite reduction {@code t = k ln 2 + r}, {@code |r| <= ln 2 / 2}, a degree 13
   * Taylor polynomial (next term below 2^-57) by Horner with fma, times {@code 2^k} made from
   * the exponent bits.
   */
  static DoubleVector exp(DoubleVector t) {
    DoubleVector shifted = t.fma(INV_LN2, ROUNDER);
    DoubleVector k = shifted.sub(ROUNDER);
    DoubleVector r = k.fma(DoubleVector.broadcast(S, -LN2_LO),
        k.fma(DoubleVector.broadcast(S, -LN2_HI), t));
    DoubleVector p = r.fma(E13, E12);
    p = p.fma(r, DoubleVector.broadcast(S, E11));
    p = p.fma(r, DoubleVector.broadcast(S, E10));
    p = p.fma(r, DoubleVector.broadcast(S, E9));
    p = p.fma(r, DoubleVector.broadcast(S, E8));
    p = p.fma(r, DoubleVector.broadcast(S, E7));
    p = p.fma(r, DoubleVector.broadcast(S, E6));
    p = p.fma(r, DoubleVector.broadcast(S, E5));
    p = p.fma(r, DoubleVector.broadcast(S, E4));
    p = p.fma(r, DoubleVector.broadcast(S, E3));
    p = p.fma(r, DoubleVector.broadcast(S, E2));
    p = p.fma(r, DoubleVector.broadcast(S, 1.0));
    p = p.fma(r, DoubleVector.broadcast(S, 1.0));
    // k + 1023 sits in the low bits of shifted; moved to the exponent field it is 2^k.
    DoubleVector scale = shifted.reinterpretAsLongs().add(1023L).lanewise(VectorOperators.LSHL, 52)
        .reinterpretAsDoubles();
    return p.mul(scale);
  }

  /** {@link #exp} over whole vectors of {@code x} into {@code y}, the rest by Math.exp (for tests). */
  static void exp(int n, double[] x, int xOff, double[] y, int yOff) {
    int i = 0;
    for (; i + L <= n; i += L) {
      exp(DoubleVector.fromArray(S, x, xOff + i)).intoArray(y, yOff + i);
    }
    for (; i < n; i++) {
      y[yOff + i] = Math.exp(x[xOff + i]);
    }
  }

  /** The sigmoid (the hidden activation of the networks) runs on vectors; others scalar. */
  @Override
  public void map(UnaryFunction f, int n, double[] x, int xOff, double[] y, int yOff) {
    if (f != UnaryFunction.SIGMOID) {
      super.map(f, n, x, xOff, y, yOff);
      return;
    }
    int i = 0;
    for (; i + L <= n; i += L) {
      DoubleVector v = DoubleVector.fromArray(S, x, xOff + i);
      DoubleVector minusAbs = v.abs().neg();
      if (minusAbs.compare(VectorOperators.LT, -SIGMOID_VECTOR_LIMIT).anyTrue()) {
        super.map(f, L, x, xOff + i, y, yOff + i);
        continue;
      }
      // The scalar form: e = exp(-|x|), then 1 / (1 + e) for x >= 0 and e / (1 + e) below.
      DoubleVector e = exp(minusAbs);
      e.blend(DoubleVector.broadcast(S, 1.0), v.compare(VectorOperators.GE, 0.0))
          .div(e.add(1.0)).intoArray(y, yOff + i);
    }
    super.map(f, n - i, x, xOff + i, y, yOff + i);
  }

  /** The sigmoid's derivatives on vectors (the same arithmetic as the scalar forms); others scalar. */
  @Override
  public void mapDerivative(
      UnaryFunction f, int order, int n, double[] x, int xOff, double[] y, int yOff, double[] out,
      int outOff) {
    if (f != UnaryFunction.SIGMOID) {
      super.mapDerivative(f, order, n, x, xOff, y, yOff, out, outOff);
      return;
    }
    int i = 0;
    for (; i + L <= n; i += L) {
      DoubleVector v = DoubleVector.fromArray(S, y, yOff + i);
      DoubleVector first = v.mul(v.neg().add(1.0));
      (order == 1 ? first : first.mul(v.mul(-2.0).add(1.0))).intoArray(out, outOff + i);
    }
    super.mapDerivative(f, order, n - i, x, xOff + i, y, yOff + i, out, outOff + i);
  }

  /**
   * Register tiles over the block after one read-ahead pass: see {@link PanamaOuterProducts}.
   * Rows shorter than a vector take the scalar loop.
   */
  @Override
  public void addOuterProducts(
      int rows, int wide, int narrow, double[] w, int wOff, int ldw, double[] v, int vOff, int ldv,
      double[] acc, int accOff) {
    if (wide < L) {
      super.addOuterProducts(rows, wide, narrow, w, wOff, ldw, v, vOff, ldv, acc, accOff);
      return;
    }
    PanamaOuterProducts.add(rows, wide, narrow, w, wOff, ldw, v, vOff, ldv, acc, accOff);
  }

  /** Register-blocked and packed, with zero skipping for sparse {@code A}: see {@link PanamaGemm}. */
  @Override
  public void gemm(
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      double alpha,
      double[] a,
      int aOff,
      int lda,
      double[] b,
      int bOff,
      int ldb,
      double beta,
      double[] c,
      int cOff,
      int ldc) {
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0 || alpha == 0.0) {
      applyBeta(m, n, beta, c, cOff, ldc);
      return;
    }
    PanamaGemm.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
  }

  @Override
  public void axpy(int n, double alpha, double[] x, int xOff, double[] y, int yOff) {
    DoubleVector va = DoubleVector.broadcast(S, alpha);
    int i = 0;
    int upper = S.loopBound(n);
    for (; i < upper; i += L) {
      DoubleVector vx = DoubleVector.fromArray(S, x, xOff + i);
      DoubleVector vy = DoubleVector.fromArray(S, y, yOff + i);
      vx.fma(va, vy).intoArray(y, yOff + i);
    }
    for (; i < n; i++) {
      y[yOff + i] = Math.fma(alpha, x[xOff + i], y[yOff + i]);
    }
  }

  @Override
  public void scale(int n, double alpha, double[] x, int xOff) {
    int i = 0;
    int upper = S.loopBound(n);
    for (; i < upper; i += L) {
      DoubleVector.fromArray(S, x, xOff + i).mul(alpha).intoArray(x, xOff + i);
    }
    for (; i < n; i++) {
      x[xOff + i] *= alpha;
    }
  }

  /**
   * The lanes' sum from lane 0 up: {@code reduceLanes(ADD)} leaves the order open, so the
   * Java fallback (interpreter, C1) and a C2 intrinsic may add them differently.
   */
  private static double sumLanes(DoubleVector v) {
    double s = 0.0;
    for (int j = 0; j < L; j++) {
      s += v.lane(j);
    }
    return s;
  }

  @Override
  public double sum(int n, double[] x, int xOff) {
    int i = 0;
    double s = 0.0;
    if (n >= 2 * L) {
      DoubleVector acc1 = DoubleVector.zero(S);
      DoubleVector acc2 = DoubleVector.zero(S);
      int upper2 = n - n % (2 * L);
      for (; i < upper2; i += 2 * L) {
        acc1 = acc1.add(DoubleVector.fromArray(S, x, xOff + i));
        acc2 = acc2.add(DoubleVector.fromArray(S, x, xOff + i + L));
      }
      s = sumLanes(acc1.add(acc2));
    }
    for (; i < n; i++) {
      s += x[xOff + i];
    }
    return s;
  }

  @Override
  public double dot(int n, double[] x, int xOff, double[] y, int yOff) {
    int i = 0;
    double s = 0.0;
    if (n >= 2 * L) {
      // Two independent accumulators hide the FMA latency.
      DoubleVector acc1 = DoubleVector.zero(S);
      DoubleVector acc2 = DoubleVector.zero(S);
      int upper2 = n - n % (2 * L);
      for (; i < upper2; i += 2 * L) {
        acc1 = DoubleVector.fromArray(S, x, xOff + i).fma(DoubleVector.fromArray(S, y, yOff + i), acc1);
        acc2 =
            DoubleVector.fromArray(S, x, xOff + i + L)
                .fma(DoubleVector.fromArray(S, y, yOff + i + L), acc2);
      }
      s = sumLanes(acc1.add(acc2));
    }
    for (; i < n; i++) {
      s = Math.fma(x[xOff + i], y[yOff + i], s);
    }
    return s;
  }

  @Override
  public void mul(
      int n, double[] x, int xOff, double[] y, int yOff, double[] z, int zOff, boolean accumulate) {
    int i = 0;
    int upper = S.loopBound(n);
    if (accumulate) {
      for (; i < upper; i += L) {
        DoubleVector vx = DoubleVector.fromArray(S, x, xOff + i);
        DoubleVector vy = DoubleVector.fromArray(S, y, yOff + i);
        vx.fma(vy, DoubleVector.fromArray(S, z, zOff + i)).intoArray(z, zOff + i);
      }
      for (; i < n; i++) {
        z[zOff + i] = Math.fma(x[xOff + i], y[yOff + i], z[zOff + i]);
      }
    } else {
      for (; i < upper; i += L) {
        DoubleVector.fromArray(S, x, xOff + i)
            .mul(DoubleVector.fromArray(S, y, yOff + i))
            .intoArray(z, zOff + i);
      }
      for (; i < n; i++) {
        z[zOff + i] = x[xOff + i] * y[yOff + i];
      }
    }
  }

  @Override
  public void addScaled(
      int n, double[] x, int xOff, double alpha, double[] y, int yOff, double[] z, int zOff) {
    DoubleVector va = DoubleVector.broadcast(S, alpha);
    int i = 0;
    int upper = S.loopBound(n);
    for (; i < upper; i += L) {
      DoubleVector vy = DoubleVector.fromArray(S, y, yOff + i);
      vy.fma(va, DoubleVector.fromArray(S, x, xOff + i)).intoArray(z, zOff + i);
    }
    for (; i < n; i++) {
      z[zOff + i] = Math.fma(alpha, y[yOff + i], x[xOff + i]);
    }
  }

  /**
   * Register tiles of four rows by four vectors of columns for one direction at a time: the
   * rows of {@code b} and of {@code e}'s direction slice (4 KB each at 50 hidden units and 10
   * classes) stay in L1 over the block's rows, and each load or broadcast feeds four
   * multiply-adds (sixteen independent chains). The sums go to {@code z} first and a second
   * pass per row finishes them ({@link #activationAdjointTangentFinish}); one row and direction
   * at a time would feed each load to one multiply-add, not four. Where tiles meet at the last
   * vector or row the same value is computed and stored twice, which is safe only when {@code
   * z} is overwritten: the accumulating form (which the networks here never use) runs the
   * scalar loop.
   */
  @Override
  public void activationAdjointTangent(int rows, int cols, int m, int n, double[] a, int aOff,
      double[] b, int bOff, double[] c, int cOff, double[] e, int eOff, double[] f, int fOff,
      double[] g, int gOff, double[] x, int xOff, double[] z, int zOff, boolean accumulate,
      double[] u, int uOff) {
    if (accumulate || cols < L) {
      super.activationAdjointTangent(rows, cols, m, n, a, aOff, b, bOff, c, cOff, e, eOff, f,
          fOff, g, gOff, x, xOff, z, zOff, accumulate, u, uOff);
      return;
    }
    int last = cols - L;
    int lastRow = rows - 1;
    for (int d = 0; d < m; d++) {
      for (int i = 0; i < rows; i += 4) {
        for (int j = 0; j < cols; j += 4 * L) {
          int o0 = Math.min(j, last);
          int o1 = Math.min(j + L, last);
          int o2 = Math.min(j + 2 * L, last);
          int o3 = Math.min(j + 3 * L, last);
          int i1 = Math.min(i + 1, lastRow);
          int i2 = Math.min(i + 2, lastRow);
          int i3 = Math.min(i + 3, lastRow);
          // Without e no term reads the stand-in b passed for it.
          activationAdjointTangentTile(o0, o1, o2, o3, i, i1, i2, i3, d, cols, m, n,
              e == null ? 0 : n, a, aOff, b, bOff, c, cOff, e == null ? b : e, eOff, z, zOff);
        }
      }
    }
    activationAdjointTangentFinish(rows, cols, m, f, fOff, g, gOff, x, xOff, z, zOff, u, uOff);
  }

  /**
   * The sums of rows {@code i0..i3} at column offsets {@code o0..o3} of direction {@code d},
   * into {@code z}: the {@code n} terms of {@code a} on the rows of {@code b}, then the {@code
   * ne} terms of {@code c} on the rows of {@code e}, in the scalar kernel's order, in one loop
   * that picks its arrays per term: with a loop for each, C2 now and then failed to inline the
   * last stores' intrinsics and boxed those sums (benchmarks/README).
   */
  private static void activationAdjointTangentTile(int o0, int o1, int o2, int o3, int i0,
      int i1, int i2, int i3, int d, int cols, int m, int n, int ne, double[] a, int aOff,
      double[] b, int bOff, double[] c, int cOff, double[] e, int eOff, double[] z, int zOff) {
    // Term t's weight for row i0 is a[a0 + t] (t < n) or c[c0 + t]; rows i1..i3 lie da or dc on.
    int a0 = aOff + (i0 * m + d) * n;
    int c0 = cOff + i0 * n - n;
    int da1 = (i1 - i0) * m * n;
    int da2 = (i2 - i0) * m * n;
    int da3 = (i3 - i0) * m * n;
    int dc1 = (i1 - i0) * n;
    int dc2 = (i2 - i0) * n;
    int dc3 = (i3 - i0) * n;
    DoubleVector s00 = DoubleVector.zero(S);
    DoubleVector s01 = s00;
    DoubleVector s02 = s00;
    DoubleVector s03 = s00;
    DoubleVector s10 = s00;
    DoubleVector s11 = s00;
    DoubleVector s12 = s00;
    DoubleVector s13 = s00;
    DoubleVector s20 = s00;
    DoubleVector s21 = s00;
    DoubleVector s22 = s00;
    DoubleVector s23 = s00;
    DoubleVector s30 = s00;
    DoubleVector s31 = s00;
    DoubleVector s32 = s00;
    DoubleVector s33 = s00;
    int terms = n + ne;
    for (int t = 0; t < terms; t++) {
      boolean first = t < n;
      double[] src = first ? b : e;
      int row = first ? bOff + t * cols : eOff + d * cols + (t - n) * m * cols;
      double[] w = first ? a : c;
      int w0 = first ? a0 + t : c0 + t;
      int w1 = w0 + (first ? da1 : dc1);
      int w2 = w0 + (first ? da2 : dc2);
      int w3 = w0 + (first ? da3 : dc3);
      DoubleVector v0 = DoubleVector.fromArray(S, src, row + o0);
      DoubleVector v1 = DoubleVector.fromArray(S, src, row + o1);
      DoubleVector v2 = DoubleVector.fromArray(S, src, row + o2);
      DoubleVector v3 = DoubleVector.fromArray(S, src, row + o3);
      DoubleVector x0 = DoubleVector.broadcast(S, w[w0]);
      s00 = v0.fma(x0, s00);
      s01 = v1.fma(x0, s01);
      s02 = v2.fma(x0, s02);
      s03 = v3.fma(x0, s03);
      DoubleVector x1 = DoubleVector.broadcast(S, w[w1]);
      s10 = v0.fma(x1, s10);
      s11 = v1.fma(x1, s11);
      s12 = v2.fma(x1, s12);
      s13 = v3.fma(x1, s13);
      DoubleVector x2 = DoubleVector.broadcast(S, w[w2]);
      s20 = v0.fma(x2, s20);
      s21 = v1.fma(x2, s21);
      s22 = v2.fma(x2, s22);
      s23 = v3.fma(x2, s23);
      DoubleVector x3 = DoubleVector.broadcast(S, w[w3]);
      s30 = v0.fma(x3, s30);
      s31 = v1.fma(x3, s31);
      s32 = v2.fma(x3, s32);
      s33 = v3.fma(x3, s33);
    }
    int z0 = zOff + (i0 * m + d) * cols;
    int z1 = zOff + (i1 * m + d) * cols;
    int z2 = zOff + (i2 * m + d) * cols;
    int z3 = zOff + (i3 * m + d) * cols;
    s00.intoArray(z, z0 + o0);
    s01.intoArray(z, z0 + o1);
    s02.intoArray(z, z0 + o2);
    s03.intoArray(z, z0 + o3);
    s10.intoArray(z, z1 + o0);
    s11.intoArray(z, z1 + o1);
    s12.intoArray(z, z1 + o2);
    s13.intoArray(z, z1 + o3);
    s20.intoArray(z, z2 + o0);
    s21.intoArray(z, z2 + o1);
    s22.intoArray(z, z2 + o2);
    s23.intoArray(z, z2 + o3);
    s30.intoArray(z, z3 + o0);
    s31.intoArray(z, z3 + o1);
    s32.intoArray(z, z3 + o2);
    s33.intoArray(z, z3 + o3);
  }

  /**
   * Register tiles of four directions by two vectors of the {@code n} columns for one row:
   * {@code b}'s rows scaled by {@code f[i,j]} feed four multiply-adds per load (eight chains),
   * {@code x} is read once, and no {@code f x} buffer or narrow product is made. Columns go two
   * vectors at a time from the left, the last ones moved back to end at {@code n}, and
   * directions four at a time, the last tile moved back to end at {@code m}: where tiles
   * overlap the same value is computed and stored twice (so {@code n = 10} is one tile width of
   * columns 0-7 and 2-9 on 8-lane vectors). Fewer columns than one vector run the scalar loop.
   */
  @Override
  public void activationTangent(int rows, int cols, int m, int n, double[] f, int fOff,
      double[] x, int xOff, double[] b, int bOff, double[] y, int yOff) {
    if (n < L) {
      super.activationTangent(rows, cols, m, n, f, fOff, x, xOff, b, bOff, y, yOff);
      return;
    }
    int lastColumn = n - L;
    int lastDirection = m - 1;
    for (int i = 0; i < rows; i++) {
      for (int d = 0; d < m; d += 4) {
        int d0 = Math.min(d, Math.max(0, m - 4));
        for (int t = 0; t < n; t += 2 * L) {
          activationTangentTile(i, d0, Math.min(d0 + 1, lastDirection),
              Math.min(d0 + 2, lastDirection), Math.min(d0 + 3, lastDirection),
              Math.min(t, lastColumn), Math.min(t + L, lastColumn), cols, m, n, f, fOff, x,
              xOff, b, bOff, y, yOff);
        }
      }
    }
  }

  /** Directions {@code d0..d3} of row {@code i} at column offsets {@code o0, o1}, into y. */
  private static void activationTangentTile(int i, int d0, int d1, int d2, int d3, int o0,
      int o1, int cols, int m, int n, double[] f, int fOff, double[] x, int xOff, double[] b,
      int bOff, double[] y, int yOff) {
    int x0 = xOff + (i * m + d0) * cols;
    int x1 = xOff + (i * m + d1) * cols;
    int x2 = xOff + (i * m + d2) * cols;
    int x3 = xOff + (i * m + d3) * cols;
    int fRow = fOff + i * cols;
    DoubleVector s00 = DoubleVector.zero(S);
    DoubleVector s01 = s00;
    DoubleVector s10 = s00;
    DoubleVector s11 = s00;
    DoubleVector s20 = s00;
    DoubleVector s21 = s00;
    DoubleVector s30 = s00;
    DoubleVector s31 = s00;
    for (int j = 0; j < cols; j++) {
      int row = bOff + j * n;
      DoubleVector fj = DoubleVector.broadcast(S, f[fRow + j]);
      DoubleVector v0 = DoubleVector.fromArray(S, b, row + o0).mul(fj);
      DoubleVector v1 = DoubleVector.fromArray(S, b, row + o1).mul(fj);
      DoubleVector e0 = DoubleVector.broadcast(S, x[x0 + j]);
      s00 = v0.fma(e0, s00);
      s01 = v1.fma(e0, s01);
      DoubleVector e1 = DoubleVector.broadcast(S, x[x1 + j]);
      s10 = v0.fma(e1, s10);
      s11 = v1.fma(e1, s11);
      DoubleVector e2 = DoubleVector.broadcast(S, x[x2 + j]);
      s20 = v0.fma(e2, s20);
      s21 = v1.fma(e2, s21);
      DoubleVector e3 = DoubleVector.broadcast(S, x[x3 + j]);
      s30 = v0.fma(e3, s30);
      s31 = v1.fma(e3, s31);
    }
    int y0 = yOff + (i * m + d0) * n;
    s00.intoArray(y, y0 + o0);
    s01.intoArray(y, y0 + o1);
    int y1 = yOff + (i * m + d1) * n;
    s10.intoArray(y, y1 + o0);
    s11.intoArray(y, y1 + o1);
    int y2 = yOff + (i * m + d2) * n;
    s20.intoArray(y, y2 + o0);
    s21.intoArray(y, y2 + o1);
    int y3 = yOff + (i * m + d3) * n;
    s30.intoArray(y, y3 + o0);
    s31.intoArray(y, y3 + o1);
  }

  /**
   * The elementwise end of {@link #activationAdjointTangent} on rows holding the sums {@code s}
   * in {@code z}: {@code z = f s + g x} and {@code u = f x}, in place per direction. What {@link
   * #mulAddRepeated} then {@link #mulRepeated} compute, in one pass over {@code x} instead of
   * the two calls' two passes over these memory-bound arrays.
   */
  private static void activationAdjointTangentFinish(int rows, int cols, int m, double[] f,
      int fOff, double[] g, int gOff, double[] x, int xOff, double[] z, int zOff, double[] u,
      int uOff) {
    int upper = S.loopBound(cols);
    for (int i = 0; i < rows; i++) {
      int fRow = fOff + i * cols;
      int gRow = gOff + i * cols;
      for (int d = 0; d < m; d++) {
        int at = (i * m + d) * cols;
        int xo = xOff + at;
        int zo = zOff + at;
        int j = 0;
        for (; j < upper; j += L) {
          DoubleVector fv = DoubleVector.fromArray(S, f, fRow + j);
          DoubleVector xv = DoubleVector.fromArray(S, x, xo + j);
          fv.mul(DoubleVector.fromArray(S, z, zo + j))
              .add(DoubleVector.fromArray(S, g, gRow + j).mul(xv)).intoArray(z, zo + j);
          if (u != null) {
            fv.mul(xv).intoArray(u, uOff + at + j);
          }
        }
        for (; j < cols; j++) {
          double fj = f[fRow + j];
          double xj = x[xo + j];
          z[zo + j] = fj * z[zo + j] + g[gRow + j] * xj;
          if (u != null) {
            u[uOff + at + j] = fj * xj;
          }
        }
      }
    }
  }

  /** One pass: both products and the sum per vector, the factors re-read per direction from L1. */
  @Override
  public void mulAddRepeated(int rows, int cols, int m, double[] f, int fOff, double[] x,
      int xOff, double[] g, int gOff, double[] y, int yOff, double[] z, int zOff,
      boolean accumulate) {
    int stride = m * cols;
    int upper = S.loopBound(cols);
    for (int i = 0; i < rows; i++) {
      int fRow = fOff + i * cols;
      int gRow = gOff + i * cols;
      for (int d = 0; d < m; d++) {
        int off = i * stride + d * cols;
        int xo = xOff + off;
        int yo = yOff + off;
        int zo = zOff + off;
        int j = 0;
        // two loops rather than a conditional add: a vector assigned in a branch may be boxed
        if (accumulate) {
          for (; j < upper; j += L) {
            DoubleVector.fromArray(S, f, fRow + j).mul(DoubleVector.fromArray(S, x, xo + j))
                .add(DoubleVector.fromArray(S, g, gRow + j).mul(DoubleVector.fromArray(S, y, yo + j)))
                .add(DoubleVector.fromArray(S, z, zo + j))
                .intoArray(z, zo + j);
          }
        } else {
          for (; j < upper; j += L) {
            DoubleVector.fromArray(S, f, fRow + j).mul(DoubleVector.fromArray(S, x, xo + j))
                .add(DoubleVector.fromArray(S, g, gRow + j).mul(DoubleVector.fromArray(S, y, yo + j)))
                .intoArray(z, zo + j);
          }
        }
        for (; j < cols; j++) {
          double sum = f[fRow + j] * x[xo + j] + g[gRow + j] * y[yo + j];
          z[zo + j] = accumulate ? z[zo + j] + sum : sum;
        }
      }
    }
  }

  /** The centring and product on vectors, per direction (the row dot stays {@link #dot}). */
  @Override
  public void centredMulRepeated(int rows, int cols, int m, double[] p, int pOff, double[] f,
      int fOff, double[] u, int uOff, double[] z, int zOff, boolean accumulate) {
    int stride = m * cols;
    int upper = S.loopBound(cols);
    for (int i = 0; i < rows; i++) {
      int pRow = pOff + i * cols;
      int fRow = fOff + i * cols;
      for (int d = 0; d < m; d++) {
        int uo = uOff + i * stride + d * cols;
        int zo = zOff + i * stride + d * cols;
        double centre = dot(cols, p, pRow, u, uo);
        DoubleVector vc = DoubleVector.broadcast(S, centre);
        int j = 0;
        if (accumulate) { // two loops, as in mulAddRepeated
          for (; j < upper; j += L) {
            DoubleVector.fromArray(S, f, fRow + j).mul(DoubleVector.fromArray(S, u, uo + j).sub(vc))
                .add(DoubleVector.fromArray(S, z, zo + j))
                .intoArray(z, zo + j);
          }
        } else {
          for (; j < upper; j += L) {
            DoubleVector.fromArray(S, f, fRow + j).mul(DoubleVector.fromArray(S, u, uo + j).sub(vc))
                .intoArray(z, zo + j);
          }
        }
        for (; j < cols; j++) {
          double term = f[fRow + j] * (u[uo + j] - centre);
          z[zo + j] = accumulate ? z[zo + j] + term : term;
        }
      }
    }
  }

  /**
   * A loss's seed term on vectors, one pass (as {@link #axpy} per direction row, without a call
   * per ten-element row).
   */
  @Override
  public void addScaledRepeated(
      int rows, int cols, int m, double[] s, int sOff, double[] f, int fOff, double[] y, int yOff) {
    int stride = m * cols;
    int upper = S.loopBound(cols);
    for (int i = 0; i < rows; i++) {
      int fRow = fOff + i * cols;
      for (int d = 0; d < m; d++) {
        double alpha = s[sOff + d];
        DoubleVector va = DoubleVector.broadcast(S, alpha);
        int yo = yOff + i * stride + d * cols;
        int j = 0;
        for (; j < upper; j += L) {
          DoubleVector.fromArray(S, f, fRow + j)
              .fma(va, DoubleVector.fromArray(S, y, yo + j))
              .intoArray(y, yo + j);
        }
        for (; j < cols; j++) {
          y[yo + j] = Math.fma(alpha, f[fRow + j], y[yo + j]);
        }
      }
    }
  }
}
