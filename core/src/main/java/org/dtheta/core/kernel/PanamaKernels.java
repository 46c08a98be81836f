package org.dtheta.core.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API implementation. The only classes that touch {@code jdk.incubator.vector} are
 * this one, {@link PanamaGemm} and {@link PanamaConstants}; this one is loaded reflectively by
 * {@link KernelProvider} after the module check, so nothing links against the incubator module
 * when it is absent.
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
}
