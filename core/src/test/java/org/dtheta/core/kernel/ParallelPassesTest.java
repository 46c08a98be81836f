package org.dtheta.core.kernel;

import static org.dtheta.core.TestVectors.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.function.Consumer;
import org.dtheta.core.internal.kernel.KernelSupport;
import org.junit.jupiter.api.Test;

/**
 * Passes large enough for the facade to split them over the cores (over a million doubles, at
 * offsets and lengths that are not multiples of a vector) against one call of the selected
 * implementation on the same inputs: the same bits, nothing written outside the range. On one
 * core both sides run unsplit and the test still holds.
 */
class ParallelPassesTest {

  /** Rows x cols x m of the row-repeated kernels: 1.2 M doubles, rows and cols odd. */
  private static final int ROWS = 12007;
  private static final int COLS = 11;
  private static final int M = 9;
  /** Length of the elementwise passes: above the split threshold, not a multiple of 64. */
  private static final int N = (1 << 20) + 4099;
  private static final int OFF = 3;

  private static final KernelSupport ONE_CALL = Kernels.implementation();

  private final Random rnd = new Random(17);

  /** Runs {@code split} and {@code whole} on copies of the same output array; same bits. */
  private void sameBits(String what, double[] output, Consumer<double[]> split,
      Consumer<double[]> whole) {
    double[] a = output.clone();
    double[] b = output.clone();
    split.accept(a);
    whole.accept(b);
    assertArrayEquals(b, a, what);
  }

  @Test
  void elementwisePassesGiveTheBitsOfOneCall() {
    double[] x = gaussian(rnd, N + 2 * OFF);
    double[] y = gaussian(rnd, N + 2 * OFF);
    double[] z = gaussian(rnd, N + 2 * OFF);
    for (int i = 0; i < x.length; i += 97) {
      x[i] = 800.0 * Math.signum(x[i]); // lanes that take the sigmoid's scalar path
    }
    sameBits("fill", z, o -> Kernels.fill(N, 0.5, o, OFF), o -> ONE_CALL.fill(N, 0.5, o, OFF));
    sameBits("axpy", z, o -> Kernels.axpy(N, 0.3, x, OFF, o, OFF + 1),
        o -> ONE_CALL.axpy(N, 0.3, x, OFF, o, OFF + 1));
    sameBits("scale", z, o -> Kernels.scale(N, -1.7, o, OFF), o -> ONE_CALL.scale(N, -1.7, o, OFF));
    sameBits("addScaled", z, o -> Kernels.addScaled(N, x, 1, 0.7, y, 2, o, OFF),
        o -> ONE_CALL.addScaled(N, x, 1, 0.7, y, 2, o, OFF));
    for (boolean accumulate : new boolean[] {false, true}) {
      sameBits("mul", z, o -> Kernels.mul(N, x, 2, y, 1, o, OFF, accumulate),
          o -> ONE_CALL.mul(N, x, 2, y, 1, o, OFF, accumulate));
    }
    sameBits("div", z, o -> Kernels.div(N, x, 2, y, 1, o, OFF),
        o -> ONE_CALL.div(N, x, 2, y, 1, o, OFF));
    // the vector exponential is SVML once compiled and Math.exp per lane before: ulps apart
    double[] split = z.clone();
    double[] whole = z.clone();
    Kernels.map(UnaryFunction.SIGMOID, N, x, 1, split, OFF);
    ONE_CALL.map(UnaryFunction.SIGMOID, N, x, 1, whole, OFF);
    assertArrayEquals(whole, split, 1e-15, "map");
    assertEquals(z[OFF + N], split[OFF + N], "map leaves the cell past the range alone");
    for (int order = 1; order <= 2; order++) {
      int k = order;
      sameBits("mapDerivative " + k, z,
          o -> Kernels.mapDerivative(UnaryFunction.SIGMOID, k, N, x, 1, y, 2, o, OFF),
          o -> ONE_CALL.mapDerivative(UnaryFunction.SIGMOID, k, N, x, 1, y, 2, o, OFF));
    }
    sameBits("addConstant", z, o -> Kernels.addConstant(N, 2.5, o, OFF),
        o -> ONE_CALL.addConstant(N, 2.5, o, OFF));
    sameBits("copy", z, o -> Kernels.copy(N, x, 1, o, OFF),
        o -> System.arraycopy(x, 1, o, OFF, N));
  }

  @Test
  void rowRepeatedPassesGiveTheBitsOfOneCall() {
    int w = COLS * M;
    double[] p = gaussian(rnd, ROWS * COLS + OFF);
    double[] f = gaussian(rnd, ROWS * COLS + OFF);
    double[] s = gaussian(rnd, ROWS * M + OFF);
    double[] u = gaussian(rnd, ROWS * w + OFF);
    double[] z = gaussian(rnd, ROWS * w + 2 * OFF);
    sameBits("addScaledRepeated", z,
        o -> Kernels.addScaledRepeated(ROWS, COLS, M, s, 1, f, 2, o, OFF),
        o -> ONE_CALL.addScaledRepeated(ROWS, COLS, M, s, 1, f, 2, o, OFF));
    for (boolean accumulate : new boolean[] {false, true}) {
      sameBits("scaleRowsRepeated", z,
          o -> Kernels.scaleRowsRepeated(ROWS, COLS, M, s, 1, f, 2, o, OFF, accumulate),
          o -> ONE_CALL.scaleRowsRepeated(ROWS, COLS, M, s, 1, f, 2, o, OFF, accumulate));
      sameBits("centredMulRepeated", z,
          o -> Kernels.centredMulRepeated(ROWS, COLS, M, p, 1, f, 2, u, 3, o, OFF, accumulate),
          o -> ONE_CALL.centredMulRepeated(ROWS, COLS, M, p, 1, f, 2, u, 3, o, OFF, accumulate));
    }
    double[] dots = gaussian(rnd, ROWS * M + 2 * OFF);
    sameBits("rowDotsRepeated", dots,
        o -> Kernels.rowDotsRepeated(ROWS, COLS, M, p, 1, u, 2, o, OFF),
        o -> ONE_CALL.rowDotsRepeated(ROWS, COLS, M, p, 1, u, 2, o, OFF));
    double[] sums = gaussian(rnd, ROWS * M + 2 * OFF);
    sameBits("sumRowsInto", sums,
        o -> Kernels.sumRowsInto(ROWS * M, COLS, u, 1, COLS, o, OFF),
        o -> ONE_CALL.sumRowsInto(ROWS * M, COLS, u, 1, COLS, o, OFF));
  }

  @Test
  void blockTransposesGiveTheBitsOfOneCallEach() {
    int count = 797;
    int rows = 37;
    int cols = 41; // 1.2 M doubles
    double[] a = gaussian(rnd, OFF + count * rows * cols);
    double[] b = gaussian(rnd, count * rows * cols + 2 * OFF);
    sameBits("transposeEach", b, o -> Kernels.transposeEach(count, rows, cols, a, OFF, o, OFF),
        o -> {
          for (int t = 0; t < count; t++) {
            ONE_CALL.transpose(rows, cols, a, OFF + t * rows * cols, cols, o,
                OFF + t * rows * cols, rows);
          }
        });
  }

  /**
   * Large column sums run over fixed groups of rows, so their bits differ from one running sum:
   * checked against an exact sum (of rounded-to-integer data, which doubles add exactly) and
   * against a sum with rounding to within the bound of the running sum.
   */
  @Test
  void largeColumnSumsAddEveryRowOnce() {
    int rows = 9001;
    int cols = 131;
    int ld = cols + 2;
    double[] x = new double[OFF + rows * ld];
    for (int i = 0; i < x.length; i++) {
      x[i] = rnd.nextInt(2001) - 1000; // integers: every partial sum is exact
    }
    double[] out = gaussian(rnd, cols + 2 * OFF);
    double[] exact = out.clone();
    for (int j = 0; j < cols; j++) {
      double s = 0;
      for (int i = 0; i < rows; i++) {
        s += x[OFF + i * ld + j];
      }
      exact[OFF + j] = out[OFF + j] + s;
    }
    Kernels.sumColumnsInto(rows, cols, x, OFF, ld, out, OFF);
    // exact integer sums added to out once: equal to the exact result rounded once
    assertArrayEquals(exact, out, "column sums of integers");

    double[] g = gaussian(rnd, OFF + rows * ld);
    double[] got = new double[cols + OFF];
    Kernels.sumColumnsInto(rows, cols, g, OFF, ld, got, OFF);
    for (int j = 0; j < cols; j++) {
      double s = 0;
      double abs = 0;
      for (int i = 0; i < rows; i++) {
        s += g[OFF + i * ld + j];
        abs += Math.abs(g[OFF + i * ld + j]);
      }
      assertEquals(s, got[OFF + j], rows * Math.ulp(abs), "column " + j);
    }
    assertEquals(0.0, got[0], "the cells before the offset are left alone");
  }
}
