package org.dtheta.core.kernel;

import static org.dtheta.core.TestVectors.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.dtheta.core.internal.kernel.KernelSupport;
import org.junit.jupiter.api.Test;

/**
 * The kernels of the batched tangent rules through the {@link Kernels} facade (whichever
 * implementation this run selected) against their index definitions, entry by entry.
 */
class BatchedTangentKernelsTest {

  private final Random rnd = new Random(5);

  @Test
  void transposeBlocksSwapsTheOuterAxes() {
    int rows = 3;
    int cols = 5;
    int width = 7;
    int xOff = 2;
    int yOff = 4;
    double[] x = gaussian(rnd, xOff + rows * cols * width);
    for (boolean accumulate : new boolean[] {false, true}) {
      double[] y = gaussian(rnd, yOff + rows * cols * width + 1);
      double[] before = y.clone();
      Kernels.transposeBlocks(rows, cols, width, x, xOff, y, yOff, accumulate);
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
          for (int w = 0; w < width; w++) {
            int to = yOff + (j * rows + i) * width + w;
            double expected = x[xOff + (i * cols + j) * width + w] + (accumulate ? before[to] : 0);
            assertEquals(expected, y[to], 1e-15, "block (" + i + "," + j + ") entry " + w);
          }
        }
      }
      assertEquals(before[y.length - 1], y[y.length - 1], "the cell past the end is left alone");
      assertEquals(before[0], y[0], "the cells before the offset are left alone");
    }
  }

  @Test
  void mulAddRepeatedAddsBothProductsPerDirection() {
    int rows = 3;
    int cols = 11;
    int m = 4;
    double[] f = gaussian(rnd, rows * cols);
    double[] g = gaussian(rnd, rows * cols);
    double[] x = gaussian(rnd, rows * cols * m);
    double[] y = gaussian(rnd, rows * cols * m);
    for (boolean accumulate : new boolean[] {false, true}) {
      double[] z = gaussian(rnd, rows * cols * m);
      double[] before = z.clone();
      Kernels.mulAddRepeated(rows, cols, m, f, 0, x, 0, g, 0, y, 0, z, 0, accumulate);
      for (int i = 0; i < rows; i++) {
        for (int d = 0; d < m; d++) {
          for (int j = 0; j < cols; j++) {
            int at = (i * m + d) * cols + j;
            double expected = f[i * cols + j] * x[at] + g[i * cols + j] * y[at]
                + (accumulate ? before[at] : 0);
            assertEquals(expected, z[at], 1e-14, "row " + i + ", direction " + d + ", col " + j);
          }
        }
      }
    }
  }

  @Test
  void activationAdjointTangentAddsBothNarrowProductsThroughTheActivation() {
    int rows = 5;
    int cols = 19;
    int m = 3;
    int n = 4;
    int w = cols * m;
    double[] a = gaussian(rnd, 1 + rows * m * n);
    double[] b = gaussian(rnd, 2 + n * cols);
    double[] c = gaussian(rnd, 3 + rows * n);
    double[] e = gaussian(rnd, 4 + n * w);
    double[] f = gaussian(rnd, 5 + rows * cols);
    double[] g = gaussian(rnd, 6 + rows * cols);
    double[] x = gaussian(rnd, 7 + rows * w);
    for (boolean accumulate : new boolean[] {false, true}) {
      for (boolean both : new boolean[] {false, true}) {
        double[] z = gaussian(rnd, 8 + rows * w + 1);
        double[] u = gaussian(rnd, 9 + rows * w + 1);
        double[] zBefore = z.clone();
        double[] uBefore = u.clone();
        Kernels.activationAdjointTangent(rows, cols, m, n, a, 1, b, 2, c, 3, both ? e : null, 4,
            f, 5, g, 6, x, 7, z, 8, accumulate, both ? u : null, 9);
        for (int i = 0; i < rows; i++) {
          for (int d = 0; d < m; d++) {
            for (int j = 0; j < cols; j++) {
              double s = 0.0;
              for (int t = 0; t < n; t++) {
                s += a[1 + (i * m + d) * n + t] * b[2 + t * cols + j];
                if (both) {
                  s += c[3 + i * n + t] * e[4 + t * w + d * cols + j];
                }
              }
              int at = (i * m + d) * cols + j;
              double fx = f[5 + i * cols + j] * x[7 + at];
              double expected = f[5 + i * cols + j] * s + g[6 + i * cols + j] * x[7 + at]
                  + (accumulate ? zBefore[8 + at] : 0.0);
              String where = "row " + i + ", direction " + d + ", col " + j + ", accumulate "
                  + accumulate + ", both " + both;
              assertEquals(expected, z[8 + at], 1e-13, where);
              assertEquals(both ? fx : uBefore[9 + at], u[9 + at], 1e-15, "u at " + where);
            }
          }
        }
        assertEquals(zBefore[z.length - 1], z[z.length - 1], "the cell past z's end is left alone");
        assertEquals(zBefore[7], z[7], "the cell before z's offset is left alone");
      }
    }
  }

  @Test
  void activationTangentIsTheNarrowProductOfTheScaledTangent() {
    int rows = 5;
    int cols = 19;
    // n around the vector widths (one and two vectors, with and without a moved-back last one)
    // and m with and without a whole last tile of four directions
    for (int n : new int[] {1, 4, 8, 10, 13, 16, 21}) {
      for (int m : new int[] {1, 3, 4, 6}) {
        double[] f = gaussian(rnd, 1 + rows * cols);
        double[] x = gaussian(rnd, 2 + rows * m * cols);
        double[] b = gaussian(rnd, 3 + cols * n);
        double[] y = gaussian(rnd, 4 + rows * m * n + 1);
        double[] yBefore = y.clone();
        Kernels.activationTangent(rows, cols, m, n, f, 1, x, 2, b, 3, y, 4);
        for (int i = 0; i < rows; i++) {
          for (int d = 0; d < m; d++) {
            for (int t = 0; t < n; t++) {
              double s = 0.0;
              for (int j = 0; j < cols; j++) {
                s += f[1 + i * cols + j] * x[2 + (i * m + d) * cols + j] * b[3 + j * n + t];
              }
              assertEquals(s, y[4 + (i * m + d) * n + t], 1e-13,
                  "row " + i + ", direction " + d + ", column " + t + ", n " + n + ", m " + m);
            }
          }
        }
        assertEquals(yBefore[y.length - 1], y[y.length - 1], "the cell past y's end is left alone");
        assertEquals(yBefore[3], y[3], "the cell before y's offset is left alone");
      }
    }
  }

  @Test
  void addRowVectorOutOfPlaceAddsEachDirectionsRow() {
    int rows = 4;
    int cols = 9;
    int m = 3;
    double[] x = gaussian(rnd, rows * cols * m);
    double[] bias = gaussian(rnd, cols * m);
    double[] y = new double[rows * cols * m];
    Kernels.addRowVector(rows, cols, m, x, 0, bias, 0, y, 0);
    for (int i = 0; i < rows; i++) {
      for (int k = 0; k < cols * m; k++) {
        assertEquals(x[i * cols * m + k] + bias[k], y[i * cols * m + k], 1e-15);
      }
    }
  }

  /**
   * Passes large enough to be split over the cores by the facade (about 1.1 M doubles written,
   * odd row count and offsets) give exactly the bits of the one-thread implementation.
   */
  @Test
  void rowSplitPassesMatchTheUnsplitKernelBitForBit() {
    KernelSupport one = Kernels.implementation();
    int rows = 1103;
    int cols = 50;
    int m = 21;
    int n = rows * cols * m;
    double[] f = gaussian(rnd, 3 + rows * cols);
    double[] g = gaussian(rnd, 1 + rows * cols);
    double[] x = gaussian(rnd, 5 + n);
    double[] y = gaussian(rnd, 2 + n);
    double[] bias = gaussian(rnd, 7 + cols * m);
    for (boolean accumulate : new boolean[] {false, true}) {
      double[] start = gaussian(rnd, 4 + n);
      double[] split = start.clone();
      double[] whole = start.clone();
      Kernels.mulRepeated(rows, cols, m, f, 3, x, 5, split, 4, accumulate);
      one.mulRepeated(rows, cols, m, f, 3, x, 5, whole, 4, accumulate);
      assertArrayEquals(whole, split, "mulRepeated, accumulate " + accumulate);
      Kernels.mulAddRepeated(rows, cols, m, f, 3, x, 5, g, 1, y, 2, split, 4, accumulate);
      one.mulAddRepeated(rows, cols, m, f, 3, x, 5, g, 1, y, 2, whole, 4, accumulate);
      assertArrayEquals(whole, split, "mulAddRepeated, accumulate " + accumulate);
    }
    int classes = 10;
    double[] a = gaussian(rnd, 1 + rows * m * classes);
    double[] b = gaussian(rnd, 2 + classes * cols);
    double[] c = gaussian(rnd, 3 + rows * classes);
    double[] e = gaussian(rnd, 4 + classes * cols * m);
    double[] splitU = new double[6 + n];
    double[] wholeU = new double[6 + n];
    for (boolean accumulate : new boolean[] {false, true}) {
      double[] start = gaussian(rnd, 4 + n);
      double[] split = start.clone();
      double[] whole = start.clone();
      Kernels.activationAdjointTangent(rows, cols, m, classes, a, 1, b, 2, c, 3, e, 4, f, 3, g, 1,
          x, 5, split, 4, accumulate, splitU, 6);
      one.activationAdjointTangent(rows, cols, m, classes, a, 1, b, 2, c, 3, e, 4, f, 3, g, 1,
          x, 5, whole, 4, accumulate, wholeU, 6);
      assertArrayEquals(whole, split, "activationAdjointTangent, accumulate " + accumulate);
      assertArrayEquals(wholeU, splitU, "activationAdjointTangent's u, accumulate " + accumulate);
    }
    double[] splitY = new double[4 + rows * m * classes];
    double[] wholeY = new double[4 + rows * m * classes];
    Kernels.activationTangent(rows, cols, m, classes, f, 3, x, 5, b, 2, splitY, 4);
    one.activationTangent(rows, cols, m, classes, f, 3, x, 5, b, 2, wholeY, 4);
    assertArrayEquals(wholeY, splitY, "activationTangent");
    double[] split = gaussian(rnd, 4 + n);
    double[] whole = split.clone();
    Kernels.addRowVector(rows, cols, m, bias, 7, split, 4);
    one.addRowVector(rows, cols, m, bias, 7, whole, 4);
    assertArrayEquals(whole, split, "addRowVector in place");
    Kernels.addRowVector(rows, cols, m, x, 5, bias, 7, split, 4);
    one.addRowVector(rows, cols, m, x, 5, bias, 7, whole, 4);
    assertArrayEquals(whole, split, "addRowVector out of place");
  }
}
