package org.dtheta.core.internal.kernel;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.Random;
import org.dtheta.core.kernel.UnaryFunction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every non-product kernel: the Vector API implementation against the scalar one at odd sizes
 * and nonzero offsets, to 1e-12 of the magnitude of the terms (for the multilinear kernels the
 * magnitude is the kernel itself applied to absolute values, i.e. the sum of |terms|). Arrays
 * are surrounded by NaN: both implementations must leave those cells alone.
 */
class KernelParityTest {

  private static final int[] SIZES = {1, 3, 7, 8, 9, 13, 50, 63, 64, 65, 207, 784};
  private static final int[] ROWS = {1, 7, 13};
  private static final int[] DIRECTIONS = {1, 3};
  private static final double TOL = 1e-12;

  private KernelSupport scalar;
  private KernelSupport panama;
  private Random rnd;

  /** A kernel call on copies of the arrays; {@code abs} asks for |alpha| (magnitude run). */
  @FunctionalInterface
  interface Call {
    double run(KernelSupport k, double[][] arrays, boolean abs);
  }

  @BeforeEach
  void setUp() {
    scalar = KernelProvider.scalar();
    panama = KernelProvider.panama().orElse(null);
    assumeTrue(panama != null, "the Vector API module is not present in this run");
    rnd = new Random(21);
  }

  /** {@code n} random values in [-1, 1) at {@code off}, NaN before and after. */
  private double[] vector(int off, int n) {
    double[] x = new double[off + n + 2];
    Arrays.fill(x, Double.NaN);
    for (int i = 0; i < n; i++) {
      x[off + i] = 2 * rnd.nextDouble() - 1;
    }
    return x;
  }

  private static double[][] copy(double[][] arrays) {
    double[][] out = new double[arrays.length][];
    for (int i = 0; i < arrays.length; i++) {
      out[i] = arrays[i].clone();
    }
    return out;
  }

  /** Runs {@code call} with both implementations and compares every array and the result. */
  private void check(String what, boolean multilinear, Call call, double[]... arrays) {
    double[][] s = copy(arrays);
    double[][] v = copy(arrays);
    double rs = call.run(scalar, s, false);
    double rv = call.run(panama, v, false);
    double[][] mag = copy(arrays);
    for (double[] m : mag) {
      for (int i = 0; i < m.length; i++) {
        m[i] = Math.abs(m[i]);
      }
    }
    double rm = multilinear ? call.run(scalar, mag, true) : 0.0;
    compare(what + " (returned value)", rs, rv, rm);
    for (int a = 0; a < arrays.length; a++) {
      for (int i = 0; i < arrays[a].length; i++) {
        compare(what + " (array " + a + "[" + i + "])", s[a][i], v[a][i], multilinear ? mag[a][i] : 0);
      }
    }
  }

  private static void compare(String what, double expected, double actual, double magnitude) {
    if (Double.isNaN(expected) || Double.isNaN(actual)) {
      if (Double.isNaN(expected) != Double.isNaN(actual)) {
        fail(what + ": scalar " + expected + ", vector " + actual);
      }
      return;
    }
    double bound = TOL * (Math.abs(expected) + Math.abs(magnitude)) + Double.MIN_NORMAL;
    if (!(Math.abs(expected - actual) <= bound)) {
      fail(what + ": scalar " + expected + ", vector " + actual + " (bound " + bound + ")");
    }
  }

  @Test
  void vectorKernels() {
    for (int n : SIZES) {
      double alpha = -0.6;
      check("fill n=" + n, false, (k, a, abs) -> {
        k.fill(n, 2.5, a[0], 3);
        return 0;
      }, vector(3, n));
      check("axpy n=" + n, true, (k, a, abs) -> {
        k.axpy(n, abs ? -alpha : alpha, a[0], 3, a[1], 5);
        return 0;
      }, vector(3, n), vector(5, n));
      check("scale n=" + n, true, (k, a, abs) -> {
        k.scale(n, abs ? -alpha : alpha, a[0], 2);
        return 0;
      }, vector(2, n));
      check("sum n=" + n, true, (k, a, abs) -> k.sum(n, a[0], 3), vector(3, n));
      check("dot n=" + n, true, (k, a, abs) -> k.dot(n, a[0], 3, a[1], 1), vector(3, n), vector(1, n));
      check("addScaled n=" + n, true, (k, a, abs) -> {
        k.addScaled(n, a[0], 1, abs ? -alpha : alpha, a[1], 4, a[2], 2);
        return 0;
      }, vector(1, n), vector(4, n), vector(2, n));
      for (boolean acc : new boolean[] {false, true}) {
        check("mul acc=" + acc + " n=" + n, true, (k, a, abs) -> {
          k.mul(n, a[0], 1, a[1], 4, a[2], 2, acc);
          return 0;
        }, vector(1, n), vector(4, n), vector(2, n));
      }
      check("div n=" + n, true, (k, a, abs) -> {
        k.div(n, a[0], 3, a[1], 2, a[2], 1);
        return 0;
      }, vector(3, n), vector(2, n), vector(1, n));
      check("addConstant n=" + n, false, (k, a, abs) -> {
        k.addConstant(n, 0.25, a[0], 3);
        return 0;
      }, vector(3, n));
      double[] big = vector(2, n);
      for (int i = 0; i < n; i++) {
        big[2 + i] *= 40; // exp of large logits: the max must be subtracted first
      }
      check("softmaxRow n=" + n, false, (k, a, abs) -> k.softmaxRow(n, a[0], 2, a[1], 3), big, vector(3, n));
    }
  }

  @Test
  void elementwiseFunctionsAndDerivatives() {
    for (int n : SIZES) {
      for (UnaryFunction f : UnaryFunction.values()) {
        double[] x = vector(3, n);
        if (f == UnaryFunction.LOG || f == UnaryFunction.SQRT) {
          for (int i = 0; i < n; i++) {
            x[3 + i] = Math.abs(x[3 + i]) + 0.1;
          }
        }
        double[] y = x.clone();
        scalar.map(f, n, x, 3, y, 3);
        check("map " + f + " n=" + n, false, (k, a, abs) -> {
          k.map(f, n, a[0], 3, a[1], 2);
          return 0;
        }, x, vector(2, n));
        for (int order = 1; order <= 2; order++) {
          int o = order;
          check("mapDerivative " + f + " order " + o + " n=" + n, false, (k, a, abs) -> {
            k.mapDerivative(f, o, n, a[0], 3, a[1], 3, a[2], 1);
            return 0;
          }, x, y, vector(1, n));
        }
      }
    }
  }

  /**
   * The vectorised sigmoid over its whole range, including the tails where {@code exp(-|x|)}
   * is tiny or subnormal: every output within 1e-12 relative of the scalar reference.
   */
  @Test
  void sigmoidOverItsWholeRange() {
    for (double scale : new double[] {1, 40, 750}) {
      int n = 4099;
      double[] x = vector(5, n);
      for (int i = 0; i < n; i++) {
        x[5 + i] *= scale;
      }
      x[5] = 0.0;
      x[6] = -0.0;
      x[7] = -745.0;
      x[8] = 710.0;
      double[] y = x.clone();
      scalar.map(UnaryFunction.SIGMOID, n, x, 5, y, 5);
      // Run the vector loop hot first: only C2-compiled code uses the SVML exponential (the
      // interpreter falls back to Math.exp lane by lane), and that is what must agree.
      double[] hot = x.clone();
      for (int rep = 0; rep < 2000; rep++) {
        panama.map(UnaryFunction.SIGMOID, n, x, 5, hot, 5);
      }
      check("map SIGMOID |x| < " + scale, false, (k, a, abs) -> {
        k.map(UnaryFunction.SIGMOID, n, a[0], 5, a[1], 5);
        return 0;
      }, x, vector(5, n));
      for (int order = 1; order <= 2; order++) {
        int o = order;
        check("mapDerivative SIGMOID order " + o + " |x| < " + scale, false, (k, a, abs) -> {
          k.mapDerivative(UnaryFunction.SIGMOID, o, n, a[0], 5, a[1], 5, a[2], 2);
          return 0;
        }, x, y, vector(2, n));
      }
    }
  }

  @Test
  void matrixKernels() {
    for (int rows : ROWS) {
      for (int cols : SIZES) {
        int r = rows;
        int c = cols;
        String shape = " " + rows + "x" + cols;
        int ld = cols + 3;
        check("sumColumnsInto" + shape, true, (k, a, abs) -> {
          k.sumColumnsInto(r, c, a[0], 2, ld, a[1], 1);
          return 0;
        }, vector(2, rows * ld), vector(1, cols));
        check("sumRowsInto" + shape, true, (k, a, abs) -> {
          k.sumRowsInto(r, c, a[0], 2, ld, a[1], 1);
          return 0;
        }, vector(2, rows * ld), vector(1, rows));
        check("transpose" + shape, false, (k, a, abs) -> {
          k.transpose(r, c, a[0], 1, ld, a[1], 2, r + 1);
          return 0;
        }, vector(1, rows * ld), vector(2, cols * (rows + 1)));
        for (int m : DIRECTIONS) {
          String rep = shape + " m=" + m;
          int w = rows * cols * m;
          for (boolean acc : new boolean[] {false, true}) {
            check("mulRepeated acc=" + acc + rep, true, (k, a, abs) -> {
              k.mulRepeated(r, c, m, a[0], 1, a[1], 2, a[2], 3, acc);
              return 0;
            }, vector(1, rows * cols), vector(2, w), vector(3, w));
            check("scaleRowsRepeated acc=" + acc + rep, true, (k, a, abs) -> {
              k.scaleRowsRepeated(r, c, m, a[0], 1, a[1], 2, a[2], 3, acc);
              return 0;
            }, vector(1, rows * m), vector(2, rows * cols), vector(3, w));
          }
          check("addRowVector" + rep, true, (k, a, abs) -> {
            k.addRowVector(r, c, m, a[0], 1, a[1], 2);
            return 0;
          }, vector(1, cols * m), vector(2, w));
          check("rowDotsRepeated" + rep, true, (k, a, abs) -> {
            k.rowDotsRepeated(r, c, m, a[0], 1, a[1], 2, a[2], 3);
            return 0;
          }, vector(1, rows * cols), vector(2, w), vector(3, rows * m));
        }
      }
    }
  }

  /** The kernels of the batched tangent rules, at odd sizes and offsets, both write modes. */
  @Test
  void batchedTangentKernels() {
    for (int rows : ROWS) {
      for (int cols : SIZES) {
        int r = rows;
        int c = cols;
        for (int m : DIRECTIONS) {
          String shape = " " + rows + "x" + cols + " m=" + m;
          int w = rows * cols * m;
          for (boolean acc : new boolean[] {false, true}) {
            check("transposeBlocks acc=" + acc + shape, true, (k, a, abs) -> {
              k.transposeBlocks(r, m, c, a[0], 3, a[1], 2, acc);
              return 0;
            }, vector(3, w), vector(2, w));
            check("mulAddRepeated acc=" + acc + shape, true, (k, a, abs) -> {
              k.mulAddRepeated(r, c, m, a[0], 1, a[1], 2, a[2], 3, a[3], 4, a[4], 5, acc);
              return 0;
            }, vector(1, rows * cols), vector(2, w), vector(3, rows * cols), vector(4, w),
                vector(5, w));
          }
          for (boolean acc : new boolean[] {false, true}) {
            // u appears twice with opposite signs: the magnitude run negates |p| so that it
            // computes |f| (|u| + <|p|, |u|>), the size of the terms
            check("centredMulRepeated acc=" + acc + shape, true, (k, a, abs) -> {
              if (abs) {
                k.scale(a[0].length, -1.0, a[0], 0);
              }
              k.centredMulRepeated(r, c, m, a[0], 1, a[1], 2, a[2], 3, a[3], 4, acc);
              return 0;
            }, vector(1, rows * cols), vector(2, rows * cols), vector(3, w), vector(4, w));
          }
          for (boolean acc : new boolean[] {false, true}) {
            for (int n : new int[] {1, 10}) {
              for (boolean both : new boolean[] {false, true}) {
                // both: the second sum (e) and the tangent of f(X) (u); else neither
                String what = "activationAdjointTangent acc=" + acc + " n=" + n + " both=" + both
                    + shape;
                check(what, true, (k, a, abs) -> {
                  k.activationAdjointTangent(r, c, m, n, a[0], 1, a[1], 2, a[2], 3,
                      both ? a[3] : null, 4, a[4], 5, a[5], 1, a[6], 2, a[7], 3, acc,
                      both ? a[8] : null, 4);
                  return 0;
                }, vector(1, rows * m * n), vector(2, n * cols), vector(3, rows * n),
                    vector(4, n * w), vector(5, rows * cols), vector(1, rows * cols),
                    vector(2, w), vector(3, w), vector(4, w));
              }
            }
          }
          for (int n : new int[] {1, 10, 17}) {
            check("activationTangent n=" + n + shape, true, (k, a, abs) -> {
              k.activationTangent(r, c, m, n, a[0], 1, a[1], 2, a[2], 3, a[3], 4);
              return 0;
            }, vector(1, rows * cols), vector(2, w), vector(3, cols * n), vector(4, rows * m * n));
          }
          check("addScaledRepeated" + shape, true, (k, a, abs) -> {
            k.addScaledRepeated(r, c, m, a[0], 1, a[1], 2, a[2], 3);
            return 0;
          }, vector(1, m), vector(2, rows * cols), vector(3, w));
          check("addRowVector out of place" + shape, true, (k, a, abs) -> {
            k.addRowVector(r, c, m, a[0], 2, a[1], 1, a[2], 3);
            return 0;
          }, vector(2, w), vector(1, cols * m), vector(3, w));
        }
      }
    }
  }
}
