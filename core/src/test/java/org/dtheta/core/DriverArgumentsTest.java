package org.dtheta.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every driver method refuses arrays of any length but the exact one (P, P*m, output.size()*m;
 * longer ones too) and counts below 1, naming the method, the argument, the expected and the
 * actual value.
 */
class DriverArgumentsTest {

  /** P = 6: w (2x2) and b (1x2); {@code rows} is a 2x2 output, {@code loss} a scalar. */
  private final Tape tape = new Tape();
  private final Var w = tape.variable(new double[] {0.1, 0.2, -0.3, 0.4}, 2, 2);
  private final Var b = tape.variable(new double[] {0.5, -0.6}, 1, 2);
  private final Var rows = Ops.tanh(Ops.addRowBroadcast(w, b));
  private final Var loss = Ops.sum(Ops.square(rows));
  private static final int P = 6;

  @Test
  void gradientsValueAndGradient() {
    assertRefused("Gradients.valueAndGradient: x has length 7, expected P = 6",
        () -> Gradients.valueAndGradient(loss, new double[7], new double[P]));
    assertRefused("Gradients.valueAndGradient: x has length 5, expected P = 6",
        () -> Gradients.valueAndGradient(loss, new double[5], new double[P]));
    assertRefused("Gradients.valueAndGradient: gradient has length 7, expected P = 6",
        () -> Gradients.valueAndGradient(loss, new double[P], new double[7]));
    assertRefused("Gradients.valueAndGradient: output Var#",
        () -> Gradients.valueAndGradient(rows, new double[P], new double[P]));
  }

  @Test
  void gradientsGradient() {
    assertRefused("Gradients.gradient: x has length 7, expected P = 6",
        () -> Gradients.gradient(loss, new double[7]));
  }

  @Test
  void gradientsVectorJacobianProduct() {
    assertRefused("Gradients.vectorJacobianProduct: x has length 7, expected P = 6",
        () -> Gradients.vectorJacobianProduct(rows, new double[7], new double[4],
            new double[P]));
    assertRefused("Gradients.vectorJacobianProduct: u has length 5, expected output.size() = 4",
        () -> Gradients.vectorJacobianProduct(rows, new double[P], new double[5],
            new double[P]));
    assertRefused("Gradients.vectorJacobianProduct: result has length 7, expected P = 6",
        () -> Gradients.vectorJacobianProduct(rows, new double[P], new double[4],
            new double[7]));
  }

  @Test
  void gradientsJacobianVectorProducts() {
    assertRefused("Gradients.jacobianVectorProducts: m = 0, expected at least 1",
        () -> Gradients.jacobianVectorProducts(rows, new double[P], new double[P], 0,
            new double[4]));
    assertRefused("Gradients.jacobianVectorProducts: m = -1, expected at least 1",
        () -> Gradients.jacobianVectorProducts(rows, new double[P], new double[P], -1,
            new double[4]));
    assertRefused("Gradients.jacobianVectorProducts: x has length 7, expected P = 6",
        () -> Gradients.jacobianVectorProducts(rows, new double[7], new double[12], 2,
            new double[8]));
    assertRefused(
        "Gradients.jacobianVectorProducts: directions has length 13, expected P*m = 6*2 = 12",
        () -> Gradients.jacobianVectorProducts(rows, new double[P], new double[13], 2,
            new double[8]));
    assertRefused(
        "Gradients.jacobianVectorProducts: result has length 9, expected output.size()*m = 4*2 = 8",
        () -> Gradients.jacobianVectorProducts(rows, new double[P], new double[12], 2,
            new double[9]));
  }

  @Test
  void gradientsJacobianVectorProduct() {
    assertRefused("Gradients.jacobianVectorProduct: x has length 7, expected P = 6",
        () -> Gradients.jacobianVectorProduct(rows, new double[7], new double[P],
            new double[4]));
    assertRefused("Gradients.jacobianVectorProduct: v has length 7, expected P = 6",
        () -> Gradients.jacobianVectorProduct(rows, new double[P], new double[7],
            new double[4]));
    assertRefused("Gradients.jacobianVectorProduct: result has length 5, expected output.size() = 4",
        () -> Gradients.jacobianVectorProduct(rows, new double[P], new double[P],
            new double[5]));
  }

  @Test
  void hessiansHessianVectorProduct() {
    assertRefused("Hessians.hessianVectorProduct: x has length 7, expected P = 6",
        () -> Hessians.hessianVectorProduct(loss, new double[7], new double[P], null,
            new double[P]));
    assertRefused("Hessians.hessianVectorProduct: v has length 7, expected P = 6",
        () -> Hessians.hessianVectorProduct(loss, new double[P], new double[7], null,
            new double[P]));
    assertRefused("Hessians.hessianVectorProduct: v has length 12, expected P = 6",
        () -> Hessians.hessianVectorProduct(loss, new double[P], new double[12], null,
            new double[P]));
    assertRefused("Hessians.hessianVectorProduct: hv has length 7, expected P = 6",
        () -> Hessians.hessianVectorProduct(loss, new double[P], new double[P], null,
            new double[7]));
    assertRefused("Hessians.hessianVectorProduct: gradient has length 7, expected P = 6",
        () -> Hessians.hessianVectorProduct(loss, new double[P], new double[P], new double[7],
            new double[P]));
    assertRefused("Hessians.hessianVectorProduct: loss Var#",
        () -> Hessians.hessianVectorProduct(rows, new double[P], new double[P], null,
            new double[P]));
  }

  @Test
  void hessiansHessianMatrixProduct() {
    assertRefused("Hessians.hessianMatrixProduct: m = 0, expected at least 1",
        () -> Hessians.hessianMatrixProduct(loss, new double[P], new double[0], 0, null,
            new double[0]));
    assertRefused("Hessians.hessianMatrixProduct: x has length 5, expected P = 6",
        () -> Hessians.hessianMatrixProduct(loss, new double[5], new double[18], 3, null,
            new double[18]));
    assertRefused(
        "Hessians.hessianMatrixProduct: directions has length 19, expected P*m = 6*3 = 18",
        () -> Hessians.hessianMatrixProduct(loss, new double[P], new double[19], 3, null,
            new double[18]));
    assertRefused("Hessians.hessianMatrixProduct: result has length 24, expected P*m = 6*3 = 18",
        () -> Hessians.hessianMatrixProduct(loss, new double[P], new double[18], 3, null,
            new double[24]));
    assertRefused("Hessians.hessianMatrixProduct: gradient has length 18, expected P = 6",
        () -> Hessians.hessianMatrixProduct(loss, new double[P], new double[18], 3,
            new double[18], new double[18]));
  }

  @Test
  void hessiansHessian() {
    assertRefused("Hessians.hessian: batch = 0, expected at least 1",
        () -> Hessians.hessian(loss, new double[P], 0));
    assertRefused("Hessians.hessian: batch = -2, expected at least 1",
        () -> Hessians.hessian(loss, new double[P], -2));
    assertRefused("Hessians.hessian: x has length 7, expected P = 6",
        () -> Hessians.hessian(loss, new double[7], 2));
    assertRefused("Hessians.hessian: x has length 7, expected P = 6",
        () -> Hessians.hessian(loss, new double[7]));
  }

  @Test
  void jacobiansJacobian() {
    assertRefused("Jacobians.jacobian: batch = 0, expected at least 1",
        () -> Jacobians.jacobian(rows, new double[P], 0));
    assertRefused("Jacobians.jacobian: x has length 7, expected P = 6",
        () -> Jacobians.jacobian(rows, new double[7], 2));
    assertRefused("Jacobians.jacobian: x has length 5, expected P = 6",
        () -> Jacobians.jacobian(rows, new double[5]));
  }

  @Test
  void nullArraysAreNamed() {
    NullPointerException e = assertThrows(NullPointerException.class,
        () -> Hessians.hessianVectorProduct(loss, new double[P], null, null, new double[P]));
    assertEquals("Hessians.hessianVectorProduct: v is null", e.getMessage());
  }

  @Test
  void exactLengthsStillWork() {
    double[] x = {0.3, -0.1, 0.2, 0.7, -0.4, 0.05};
    double[] h = Hessians.hessian(loss, x, 4);
    double[] hv = new double[P];
    double[] e2 = new double[P];
    e2[2] = 1.0;
    Hessians.hessianVectorProduct(loss, x, e2, new double[P], hv);
    for (int i = 0; i < P; i++) {
      assertEquals(h[2 * P + i], hv[i], 1e-12);
    }
    double[] jac = Jacobians.jacobian(rows, x, 4);
    double[] jv = new double[4];
    Gradients.jacobianVectorProduct(rows, x, e2, jv);
    for (int r = 0; r < 4; r++) {
      assertEquals(jac[r * P + 2], jv[r], 1e-12);
    }
  }

  /** The tape's own tangent methods take exact lengths too (longer arrays were once let through). */
  @Test
  void tapeTangentMethods() {
    tape.setVariables(new double[P]);
    tape.forward();
    assertRefused("directions has length 13, expected 6 x 2", () -> tape.setTangents(new double[13], 2));
    assertRefused("directions has length 11, expected 6 x 2", () -> tape.setTangents(new double[11], 2));
    assertRefused("direction count must be >= 1, not 0", () -> tape.setTangents(new double[0], 0));
    tape.setTangents(new double[2 * P], 2);
    tape.forwardTangents(2);
    tape.reverseTangents(loss, null, 2);
    assertRefused("out has length 13, expected 6 x 2", () -> tape.getAdjointTangents(new double[13], 2));
    assertRefused("out has length 9, expected 4 x 2", () -> tape.getTangents(rows, new double[9], 2));
    assertRefused("out has length 7, expected 4 x 2", () -> tape.getTangents(rows, new double[7], 2));
  }

  /** Unit-direction batches that do not divide P: the last, smaller batch takes exact arrays. */
  @Test
  void driversWithAShortLastBatch() {
    double[] x = {0.1, 0.2, -0.3, 0.4, 0.5, -0.6};
    double[] h4 = Hessians.hessian(loss, x, 4);
    double[] h1 = Hessians.hessian(loss, x, 1);
    org.junit.jupiter.api.Assertions.assertArrayEquals(h1, h4, 1e-15);
    double[] j4 = Jacobians.jacobian(rows, x, 4);
    double[] j1 = Jacobians.jacobian(rows, x, 1);
    org.junit.jupiter.api.Assertions.assertArrayEquals(j1, j4, 1e-15);
  }

  private static void assertRefused(String expectedStart, Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertEquals(expectedStart, e.getMessage().substring(0,
        Math.min(expectedStart.length(), e.getMessage().length())), "message was: " + e.getMessage());
  }
}
