package org.dtheta.core;

import static org.dtheta.core.TestVectors.gaussian;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

/**
 * The checks every op must pass, on an {@link OpCase.Built} instance. Each compares an exact
 * derivative with an independent computation: central finite differences, or the other exact
 * path (transposes, batched against single directions, symmetry).
 */
final class DerivativeChecks {

  /** Relative tolerance against central differences. */
  static final double FD_TOLERANCE = 1e-6;
  /** Relative tolerance between two exact computations. */
  static final double EXACT_TOLERANCE = 1e-12;
  /** Below this magnitude errors are measured absolutely (relative to the floor). */
  static final double FLOOR = 1e-2;

  private DerivativeChecks() {}

  /** The gradient of the scalar equals central differences of its value. */
  static void gradient(OpCase.Built b) {
    double[] g = Gradients.gradient(b.loss, b.theta);
    double[] fd = FiniteDifferences.gradient(th -> lossAt(b, th), b.theta, 1e-6);
    assertSmall(FiniteDifferences.relativeError(g, fd, FLOOR), FD_TOLERANCE, "gradient vs central differences");
  }

  /** {@code J v} of the op's output equals central differences of its values along {@code v}. */
  static void jacobianVectorProduct(OpCase.Built b, Random rnd) {
    double[] v = gaussian(rnd, b.theta.length);
    double[] jv = jvp(b, v);
    double[] fd = FiniteDifferences.directional(th -> opValuesAt(b, th), b.theta, v, 1e-6);
    assertSmall(FiniteDifferences.relativeError(jv, fd, FLOOR), FD_TOLERANCE, "JVP vs central differences");
  }

  /** The dot-product identity {@code <u, J v> = <J^T u, v>} on the op's output. */
  static void vectorJacobianProduct(OpCase.Built b, Random rnd) {
    double[] v = gaussian(rnd, b.theta.length);
    double[] u = gaussian(rnd, b.opOutput.size());
    double[] jv = jvp(b, v);
    double[] jtu = new double[b.theta.length];
    Gradients.vectorJacobianProduct(b.opOutput, b.theta, u, jtu);
    double left = dot(u, jv);
    double right = dot(jtu, v);
    double scale = norm(u) * norm(jv) + norm(jtu) * norm(v) + 1e-300;
    assertSmall(Math.abs(left - right) / scale, EXACT_TOLERANCE,
        "<u, Jv> = " + left + " but <J^T u, v> = " + right);
  }

  /** {@code H v} equals central differences of the (exact) gradient along {@code v}. */
  static void hessianVectorProduct(OpCase.Built b, Random rnd) {
    double[] v = gaussian(rnd, b.theta.length);
    double[] hv = new double[b.theta.length];
    double[] g = new double[b.theta.length];
    double value = Hessians.hessianVectorProduct(b.loss, b.theta, v, g, hv);
    assertEquals(lossAt(b, b.theta), value, 0.0, "value returned with the HVP");
    assertSmall(FiniteDifferences.relativeError(g, Gradients.gradient(b.loss, b.theta), FLOOR),
        EXACT_TOLERANCE, "gradient returned with the HVP");
    double[] fd =
        FiniteDifferences.directional(th -> Gradients.gradient(b.loss, th), b.theta, v, 1e-5);
    assertSmall(FiniteDifferences.relativeError(hv, fd, FLOOR), FD_TOLERANCE, "HVP vs differences of the gradient");
  }

  /** {@code H V} for {@code m} directions in one sweep equals {@code m} single products. */
  static void batchedEqualsSingle(OpCase.Built b, Random rnd, int m) {
    int p = b.theta.length;
    double[] directions = gaussian(rnd, p * m);
    double[] batched = new double[p * m];
    Hessians.hessianMatrixProduct(b.loss, b.theta, directions, m, null, batched);
    double[] v = new double[p];
    double[] hv = new double[p];
    for (int d = 0; d < m; d++) {
      for (int i = 0; i < p; i++) {
        v[i] = directions[i * m + d];
      }
      Hessians.hessianVectorProduct(b.loss, b.theta, v, null, hv);
      for (int i = 0; i < p; i++) {
        assertEquals(hv[i], batched[i * m + d], EXACT_TOLERANCE * (1 + Math.abs(hv[i])),
            "direction " + d + ", component " + i + " of the batched product");
      }
    }
  }

  /**
   * The dense Hessian (assembled in batches of 2, which need not divide P) is symmetric and
   * agrees with the Hessian-vector product along a random direction.
   */
  static void denseHessian(OpCase.Built b, Random rnd) {
    int p = b.theta.length;
    double[] h = Hessians.hessian(b.loss, b.theta, 2);
    for (int i = 0; i < p; i++) {
      for (int j = 0; j < i; j++) {
        assertEquals(h[i * p + j], h[j * p + i], EXACT_TOLERANCE * (1 + Math.abs(h[i * p + j])),
            "H[" + i + "," + j + "] vs H[" + j + "," + i + "]");
      }
    }
    double[] v = gaussian(rnd, p);
    double[] hv = new double[p];
    Hessians.hessianVectorProduct(b.loss, b.theta, v, null, hv);
    assertSmall(FiniteDifferences.relativeError(multiply(h, p, p, v), hv, FLOOR), EXACT_TOLERANCE,
        "dense Hessian times v vs the Hessian-vector product");
  }

  /**
   * The dense Jacobian of the op's output (in batches of 2) times {@code v} equals the JVP, and
   * its transpose times {@code u} the VJP.
   */
  static void denseJacobian(OpCase.Built b, Random rnd) {
    int p = b.theta.length;
    int n = b.opOutput.size();
    double[] jac = Jacobians.jacobian(b.opOutput, b.theta, 2);
    double[] v = gaussian(rnd, p);
    assertSmall(FiniteDifferences.relativeError(multiply(jac, n, p, v), jvp(b, v), FLOOR),
        EXACT_TOLERANCE, "dense Jacobian times v vs the JVP");
    double[] u = gaussian(rnd, n);
    double[] jtu = new double[p];
    Gradients.vectorJacobianProduct(b.opOutput, b.theta, u, jtu);
    double[] transposed = new double[p * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < p; j++) {
        transposed[j * n + i] = jac[i * p + j];
      }
    }
    assertSmall(FiniteDifferences.relativeError(multiply(transposed, p, n, u), jtu, FLOOR),
        EXACT_TOLERANCE, "dense Jacobian transposed times u vs the VJP");
  }

  /** All of the above, with {@code m} directions in the batched product. */
  static void all(OpCase.Built b, Random rnd, int m) {
    gradient(b);
    jacobianVectorProduct(b, rnd);
    vectorJacobianProduct(b, rnd);
    hessianVectorProduct(b, rnd);
    batchedEqualsSingle(b, rnd, m);
    denseHessian(b, rnd);
    denseJacobian(b, rnd);
  }

  static double lossAt(OpCase.Built b, double[] theta) {
    b.tape.setVariables(theta);
    b.tape.forward();
    return b.loss.scalar();
  }

  static double[] opValuesAt(OpCase.Built b, double[] theta) {
    b.tape.setVariables(theta);
    b.tape.forward();
    return b.opOutput.value().clone();
  }

  static double[] jvp(OpCase.Built b, double[] v) {
    double[] jv = new double[b.opOutput.size()];
    Gradients.jacobianVectorProduct(b.opOutput, b.theta, v, jv);
    return jv;
  }

  /** {@code A x} for a row-major {@code rows x cols} matrix {@code A}. */
  static double[] multiply(double[] a, int rows, int cols, double[] x) {
    double[] y = new double[rows];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        y[i] += a[i * cols + j] * x[j];
      }
    }
    return y;
  }

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  static double norm(double[] a) {
    return Math.sqrt(dot(a, a));
  }

  private static void assertSmall(double error, double tolerance, String what) {
    assertTrue(error <= tolerance, what + ": error " + error + " above " + tolerance);
  }
}
