package org.dtheta.core.internal.kernel;

import static org.junit.jupiter.api.Assertions.fail;

/** The oracle for the matrix products: a naive triple loop, with an error scale per entry. */
final class Reference {

  private Reference() {}

  /**
   * {@code C = beta*C + alpha*op(A)*op(B)} by the definition, into {@code expected}, and into
   * {@code scale} the sum of the absolute terms of each entry: a dot product's rounding error
   * is at most about {@code k * ulp} times that, whatever the summation order.
   */
  static void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, Operand a,
      Operand b, double beta, Operand c, double[] expected, double[] scale) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0.0;
        double abs = 0.0;
        for (int p = 0; p < k; p++) {
          double t = a.op(transA, i, p) * b.op(transB, p, j);
          s += t;
          abs += Math.abs(t);
        }
        double prior = beta == 0.0 ? 0.0 : beta * c.get(i, j);
        expected[i * n + j] = prior + alpha * s;
        scale[i * n + j] = Math.abs(prior) + Math.abs(alpha) * abs;
      }
    }
  }

  /**
   * Asserts {@code |C - expected| <= tol * scale} entry by entry (with a floor of the smallest
   * normal number for entries that are exactly zero in both).
   */
  static void assertClose(Operand c, int m, int n, double[] expected, double[] scale, double tol,
      String what) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double got = c.get(i, j);
        double want = expected[i * n + j];
        double bound = tol * scale[i * n + j] + Double.MIN_NORMAL;
        if (!(Math.abs(got - want) <= bound)) {
          fail(what + ": C[" + i + "," + j + "] = " + got + ", expected " + want + " (bound " + bound + ")");
        }
      }
    }
  }
}
