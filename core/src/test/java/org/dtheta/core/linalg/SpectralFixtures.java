package org.dtheta.core.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.dtheta.core.Hessians;
import org.dtheta.core.Ops;
import org.dtheta.core.Tape;
import org.dtheta.core.Var;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.RandomMatrices_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * Test matrices and the EJML oracle (EJML is used only here, never by the code under test).
 * Public, and shipped in core's test jar, for the tests of nn's Lyapunov and stability code.
 */
public final class SpectralFixtures {

  private SpectralFixtures() {}

  /** A dense row-major matrix as a LinearMap, applied with plain loops (no Kernels). */
  public static final class DenseMap implements LinearMap {
    public final double[] a;
    public final int n;

    public DenseMap(double[] a, int n) {
      this.a = a;
      this.n = n;
    }

    @Override
    public int dimension() {
      return n;
    }

    @Override
    public void apply(double[] v, int m, double[] out) {
      Arrays.fill(out, 0, n * m, 0.0);
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < n; k++) {
          double aik = a[i * n + k];
          for (int d = 0; d < m; d++) {
            out[i * m + d] += aik * v[k * m + d];
          }
        }
      }
    }

    /** A v for one plain vector. */
    public double[] times(double[] v) {
      double[] out = new double[n];
      apply(v, 1, out);
      return out;
    }
  }

  /** A broken map of dimension n whose every output entry is {@code value} (NaN, infinity). */
  public static LinearMap filledMap(int n, double value) {
    return new LinearMap() {
      @Override
      public int dimension() {
        return n;
      }

      @Override
      public void apply(double[] v, int m, double[] out) {
        Arrays.fill(out, 0, n * m, value);
      }
    };
  }

  /** {@code Q diag(d) Q^T} with Q a random orthogonal matrix from EJML. */
  public static double[] withSpectrum(double[] d, long seed) {
    int n = d.length;
    DMatrixRMaj q = RandomMatrices_DDRM.orthogonal(n, n, new Random(seed));
    DMatrixRMaj qd = q.copy();
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        qd.set(i, j, q.get(i, j) * d[j]);
      }
    }
    DMatrixRMaj a = new DMatrixRMaj(n, n);
    CommonOps_DDRM.multTransB(qd, q, a);
    return symmetrized(a.data, n);
  }

  /** A random symmetric matrix with independent N(0,1) entries (GOE-like). */
  public static double[] randomSymmetric(int n, long seed) {
    Random rnd = new Random(seed);
    double[] a = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        double x = rnd.nextGaussian();
        a[i * n + j] = x;
        a[j * n + i] = x;
      }
    }
    return a;
  }

  public static double[] symmetrized(double[] a, int n) {
    double[] s = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        s[i * n + j] = 0.5 * (a[i * n + j] + a[j * n + i]);
      }
    }
    return s;
  }

  /** EJML's eigenvalues of a symmetric matrix, ascending. */
  public static double[] ejmlEigenvalues(double[] a, int n) {
    EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, false, true);
    if (!eig.decompose(DMatrixRMaj.wrap(n, n, a.clone()))) {
      throw new AssertionError("EJML eigendecomposition failed");
    }
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = eig.getEigenvalue(i).getReal();
    }
    Arrays.sort(values);
    return values;
  }

  /** EJML's eigenvalues of a general matrix: (real, imaginary) pairs, unsorted. */
  public static double[][] ejmlGeneralEigenvalues(double[] a, int n) {
    EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, false, false);
    if (!eig.decompose(DMatrixRMaj.wrap(n, n, a.clone()))) {
      throw new AssertionError("EJML eigendecomposition failed");
    }
    double[][] values = new double[n][];
    for (int i = 0; i < n; i++) {
      values[i] =
          new double[] {eig.getEigenvalue(i).getReal(), eig.getEigenvalue(i).getImaginary()};
    }
    return values;
  }

  /** EJML's unit eigenvector of a general matrix for its eigenvalue of largest modulus. */
  public static double[] ejmlDominantEigenvector(double[] a, int n) {
    EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, true, false);
    if (!eig.decompose(DMatrixRMaj.wrap(n, n, a.clone()))) {
      throw new AssertionError("EJML eigendecomposition failed");
    }
    int best = 0;
    for (int i = 1; i < n; i++) {
      if (eig.getEigenvalue(i).getMagnitude() > eig.getEigenvalue(best).getMagnitude()) {
        best = i;
      }
    }
    DMatrixRMaj v = eig.getEigenVector(best);
    if (v == null) {
      throw new AssertionError("dominant eigenvalue is complex");
    }
    double[] out = v.data.clone();
    double norm = Math.sqrt(dot(out, out));
    for (int i = 0; i < n; i++) {
      out[i] /= norm;
    }
    return out;
  }

  /** C = A B for square row-major matrices, plain loops. */
  public static double[] multiply(double[] a, double[] b, int n) {
    double[] c = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < n; k++) {
        for (int j = 0; j < n; j++) {
          c[i * n + j] += a[i * n + k] * b[k * n + j];
        }
      }
    }
    return c;
  }

  public static double[] transpose(double[] a, int n) {
    double[] t = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        t[j * n + i] = a[i * n + j];
      }
    }
    return t;
  }

  public static double dot(double[] x, double[] y) {
    double s = 0.0;
    for (int i = 0; i < x.length; i++) {
      s += x[i] * y[i];
    }
    return s;
  }

  public static double maxAbs(double[] x) {
    double m = 0.0;
    for (double v : x) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }

  /** Columns of the n x m row-major q are orthonormal. */
  public static void assertOrthonormalColumns(double[] q, int n, int m, double tolerance) {
    for (int a = 0; a < m; a++) {
      for (int b = 0; b <= a; b++) {
        double s = 0.0;
        for (int i = 0; i < n; i++) {
          s += q[i * m + a] * q[i * m + b];
        }
        assertEquals(a == b ? 1.0 : 0.0, s, tolerance, "Q^T Q at " + a + "," + b);
      }
    }
  }

  /**
   * A small real loss: softmax cross-entropy of sigmoid(X W1 + b1) W2 + b2 (the networks'
   * shape, built directly with core), at a random point, with its Hessian as a map and dense.
   */
  public static final class TwoLayerHessian {
    static final int SAMPLES = 9;
    static final int INPUTS = 6;
    static final int HIDDEN = 5;
    static final int OUTPUTS = 3;

    public final Var loss;
    public final double[] theta;
    public final int p;

    public TwoLayerHessian(long seed) {
      Random rnd = new Random(seed);
      Tape tape = new Tape();
      double[] x = new double[SAMPLES * INPUTS];
      for (int i = 0; i < x.length; i++) {
        x[i] = rnd.nextDouble();
      }
      double[] labels = new double[SAMPLES * OUTPUTS];
      for (int i = 0; i < SAMPLES; i++) {
        labels[i * OUTPUTS + rnd.nextInt(OUTPUTS)] = 1.0;
      }
      Var xv = tape.constant(x, SAMPLES, INPUTS);
      Var tv = tape.constant(labels, SAMPLES, OUTPUTS);
      Var w1 = tape.variable(INPUTS, HIDDEN);
      Var b1 = tape.variable(1, HIDDEN);
      Var w2 = tape.variable(HIDDEN, OUTPUTS);
      Var b2 = tape.variable(1, OUTPUTS);
      Var z1 = Ops.sigmoid(Ops.addRowBroadcast(Ops.matmul(xv, w1), b1));
      Var a2 = Ops.addRowBroadcast(Ops.matmul(z1, w2), b2);
      loss = Ops.softmaxCrossEntropy(a2, tv);
      p = tape.parameterCount();
      theta = new double[p];
      // Large weights put the sigmoid in its curved range, which makes the Hessian indefinite.
      for (int i = 0; i < p; i++) {
        theta[i] = 2.0 * rnd.nextGaussian();
      }
    }

    /** The Hessian as a map, through the adapter under test ({@link HessianMap}). */
    public LinearMap map() {
      return HessianMap.of(loss, theta);
    }

    public double[] dense() {
      return symmetrized(Hessians.hessian(loss, theta), p);
    }
  }
}
