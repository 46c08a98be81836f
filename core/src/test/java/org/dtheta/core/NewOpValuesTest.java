package org.dtheta.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The values of the structural and elementwise ops of issue 22 against values written out by
 * hand (the derivative checks compare derivatives with the op's own values, so a consistently
 * wrong value would pass them), and the edge behaviour their documentation promises.
 */
class NewOpValuesTest {

  /** {@code [[1, 2, 3], [4, 5, 6]]}. */
  private static Var twoByThree(Tape t) {
    return t.variable(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
  }

  @Test
  void structuralOpsMoveTheEntriesTheyName() {
    Tape t = new Tape();
    Var x = twoByThree(t);
    Var y = t.constant(new double[] {7, 8, 9}, 1, 3);
    Var col = t.constant(new double[] {10, 20}, 2, 1);
    Var s = t.constant(new double[] {-2}, 1, 1);
    check(Ops.transpose(x), 3, 2, 1, 4, 2, 5, 3, 6);
    check(Ops.sliceRows(x, 1, 2), 1, 3, 4, 5, 6);
    check(Ops.sliceColumns(x, 1, 3), 2, 2, 2, 3, 5, 6);
    check(Ops.concatRows(x, y, x), 5, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4, 5, 6);
    check(Ops.concatColumns(col, x, col), 2, 5, 10, 1, 2, 3, 10, 20, 4, 5, 6, 20);
    check(Ops.addColumnBroadcast(x, col), 2, 3, 11, 12, 13, 24, 25, 26);
    check(Ops.addScalar(x, s), 2, 3, -1, 0, 1, 2, 3, 4);
    check(Ops.mulScalar(x, s), 2, 3, -2, -4, -6, -8, -10, -12);
    check(Ops.addConstant(x, 0.5), 2, 3, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5);
  }

  @Test
  void elementwiseOpsComputeTheirFunctions() {
    Tape t = new Tape();
    Var x = t.variable(new double[] {4, 0.25, 9, 1}, 2, 2);
    check(Ops.pow(x, 1.5), 2, 2, 8, 0.125, 27, 1);
    check(Ops.pow(x, -1), 2, 2, 0.25, 4, 1.0 / 9, 1);
    check(Ops.sqrt(x), 2, 2, 2, 0.5, 3, 1);
    Var z = t.variable(new double[] {-1.5, 0, 2, -0.0}, 2, 2);
    check(Ops.abs(z), 2, 2, 1.5, 0, 2, 0);
    Var sp = Ops.softplus(t.variable(new double[] {0, 1000, -1000, -40, 40, 1e-20}, 2, 3));
    double[] v = sp.value();
    assertEquals(Math.log(2), v[0], 1e-15);
    assertEquals(1000, v[1], 0.0, "no overflow for large x");
    assertEquals(0, v[2], 0.0);
    assertEquals(Math.exp(-40), v[3], 1e-15 * Math.exp(-40), "small values kept");
    assertEquals(40 + Math.exp(-40), v[4], 1e-14);
    assertEquals(Math.log(2) + 0.5e-20, v[5], 1e-16);
  }

  @Test
  void absHasDerivativeZeroAtZero() {
    Tape t = new Tape();
    Var x = t.variable(3, 1);
    Var f = Ops.sum(Ops.abs(x));
    double[] g = Gradients.gradient(f, new double[] {0.0, -2.0, 3.0});
    assertArrayEquals(new double[] {0.0, -1.0, 1.0}, g, 0.0);
    assertArrayEquals(new double[9], Hessians.hessian(f, new double[] {0.0, -2.0, 3.0}), 0.0);
  }

  @Test
  void powerDerivativesWithAVanishingCoefficientStayFiniteAtZero() {
    // d/dx x^1 = 1 and d2/dx2 x^1 = 0 at x = 0, not 1 * 0^0 and 0 * 0^-1 = NaN
    Tape t = new Tape();
    Var x = t.variable(2, 1);
    Var f = Ops.sum(Ops.square(Ops.pow(x, 1)));
    double[] at = {0.0, 1.5};
    assertArrayEquals(new double[] {0.0, 3.0}, Gradients.gradient(f, at), 0.0);
    assertArrayEquals(new double[] {2, 0, 0, 2}, Hessians.hessian(f, at), 1e-15);
    Var g = Ops.sum(Ops.pow(x, 0));
    assertArrayEquals(new double[] {0.0, 0.0}, Gradients.gradient(g, at), 0.0);
  }

  private static void check(Var v, int rows, int cols, double... expected) {
    assertEquals(rows + "x" + cols, v.shape(), v.label());
    assertArrayEquals(expected, v.value(), 1e-15, v.label());
  }
}
