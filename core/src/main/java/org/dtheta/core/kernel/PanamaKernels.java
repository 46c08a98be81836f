package org.dtheta.core.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

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
   * Beyond this |x| the exponential in the sigmoid is subnormal, where the Vector API's
   * {@code EXP} (SVML on x86) was measured up to 6e-12 relative off {@link Math#exp}; below it,
   * within 1 ulp. Vectors with such a lane take the scalar path, so the two implementations
   * agree to 1e-12 relative everywhere.
   */
  private static final double SIGMOID_VECTOR_LIMIT = 700.0;

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
      DoubleVector e = minusAbs.lanewise(VectorOperators.EXP);
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
      s = acc1.add(acc2).reduceLanes(VectorOperators.ADD);
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
      s = acc1.add(acc2).reduceLanes(VectorOperators.ADD);
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
