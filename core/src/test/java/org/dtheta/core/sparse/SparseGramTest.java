package org.dtheta.core.sparse;

import static org.dtheta.core.TestVectors.gaussian;
import static org.dtheta.core.sparse.SparseTestData.relativeError;
import static org.dtheta.core.sparse.SparseTestData.sparseDense;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SparseGramTest {

  @Test
  void everyColumnEqualsTheTripleSum() {
    Random rnd = new Random(8);
    // More samples per column than one group holds (width 700 gives groups of 93 samples; a
    // column has about 300 here), so the groups of a column add up.
    int k = 900;
    int n = 17;
    int width = 700;
    double[] x = sparseDense(rnd, k, n, 0.35);
    double[] f = gaussian(rnd, k * width);
    SparseGram gram = new SparseGram(CsrMatrix.fromDense(x, k, n), f, width);
    SparseGram.Workspace ws = gram.newWorkspace();
    double[] out = new double[n * width];
    for (int j = 0; j < n; j++) {
      Arrays.fill(out, Double.NaN); // every row is written, lit or not
      gram.column(j, ws, out);
      double[] want = new double[n * width];
      long work = 0;
      for (int i = 0; i < k; i++) {
        double xij = x[i * n + j];
        if (xij == 0) {
          continue;
        }
        for (int l = 0; l < n; l++) {
          double xil = x[i * n + l];
          if (xil != 0) {
            work += width;
          }
          for (int c = 0; c < width; c++) {
            want[l * width + c] += xij * xil * f[i * width + c];
          }
        }
      }
      assertTrue(relativeError(out, want) < 1e-13, "column " + j);
      assertEquals(work, gram.columnWork(j), "work of column " + j);
    }
    // Column 1 of the test data is all zero: its slice is zero, and it is zero in every slice.
    gram.column(1, ws, out);
    assertTrue(Arrays.stream(out).allMatch(v -> v == 0.0));
    assertEquals(0, gram.columnCount(1));
  }

  /**
   * {@link SparseGram#workspaceBytes}, the bound memory checks take before the data is read,
   * holds every array of a workspace: exactly when a row lights every column and the nonzeros
   * fill a chunk (each size at its largest), and from above on sparse data.
   */
  @Test
  void workspaceBytesBoundsTheWorkspace() {
    Random rnd = new Random(5);
    int cols = 40;
    int width = 50;
    int dense = 6600; // 264000 nonzeros: more than a chunk's entries
    double[] full = new double[dense * cols];
    Arrays.fill(full, 1.0);
    SparseGram whole = new SparseGram(CsrMatrix.fromDense(full, dense, cols),
        new double[dense * width], width);
    assertEquals(SparseGram.workspaceBytes(dense, cols, width), bytes(whole.newWorkspace()));
    int k = 900;
    for (int w : new int[] {7, 50, 700}) {
      SparseGram sparse = new SparseGram(CsrMatrix.fromDense(sparseDense(rnd, k, cols, 0.2), k, cols),
          new double[k * w], w);
      long used = bytes(sparse.newWorkspace());
      long bound = SparseGram.workspaceBytes(k, cols, w);
      assertTrue(used <= bound && used > 0, "width " + w + ": " + used + " > " + bound);
    }
  }

  /** The bytes of a workspace's arrays. */
  private static long bytes(SparseGram.Workspace ws) {
    long ints = (long) ws.active.length + ws.start.length + ws.next.length + ws.sample.length
        + ws.count.length + ws.entries.length + ws.lastSample.length + ws.touched.length
        + ws.seen.length + ws.tileMask.length + ws.tileSample.length + ws.rowSample.length
        + ws.callRow.length + ws.callStart.length + ws.callCount.length;
    long doubles = (long) ws.weight.length + ws.panel.length + ws.strip.length
        + ws.tileWeight.length + ws.rowWeight.length + ws.tilePanel.length;
    return 4 * ints + 8 * doubles + ws.callQuad.length + ws.callAccumulate.length;
  }

  /**
   * Every row of every slice has the bits of one {@link SparseKernels#gatherRows} over the
   * samples lit at both pixels, in sample order: whether its tile of four pixels was gathered as
   * one (zero weights where a sample's pixel is dark) or row by row, over one group of samples
   * or several. Sparse, mid and dense data (sparse tiles, mixed, full), pixel counts that leave
   * a partial last tile, odd widths and single-sample columns; a reused workspace, every call.
   */
  @Test
  void everyRowHasTheBitsOfItsSingleGather() {
    Random rnd = new Random(21);
    int[][] shapes = {{900, 17, 700}, {300, 30, 37}, {200, 9, 1}, {40, 8, 129}, {3, 6, 13}};
    for (int[] shape : shapes) {
      for (double density : new double[] {0.05, 0.35, 0.9}) {
        int k = shape[0];
        int n = shape[1];
        int width = shape[2];
        double[] x = sparseDense(rnd, k, n, density);
        double[] f = gaussian(rnd, k * width);
        SparseGram gram = new SparseGram(CsrMatrix.fromDense(x, k, n), f, width);
        SparseGram.Workspace ws = gram.newWorkspace();
        double[] out = new double[n * width];
        for (int pass = 0; pass < 2; pass++) {
          for (int j = 0; j < n; j++) {
            Arrays.fill(out, Double.NaN);
            gram.column(j, ws, out);
            double[] want = singleGathers(x, k, n, f, width, j);
            assertArrayEquals(want, out,
                "k " + k + ", n " + n + ", width " + width + ", density " + density + ", column " + j);
          }
        }
      }
    }
  }

  /**
   * The symmetry the structured Hessian relies on: row {@code l} of slice {@code j} has the bits
   * of row {@code j} of slice {@code l}; and a column computed with rows skipped (by a shuffled
   * rank, a range of it) has the bits of the whole column in every row it computes.
   */
  @Test
  void slicesAreBitSymmetricAndSkippingKeepsTheOtherRows() {
    Random rnd = new Random(34);
    int[][] shapes = {{900, 17, 700}, {300, 30, 37}, {40, 8, 129}};
    for (int[] shape : shapes) {
      for (double density : new double[] {0.05, 0.35, 0.9}) {
        int k = shape[0];
        int n = shape[1];
        int width = shape[2];
        double[] x = sparseDense(rnd, k, n, density);
        double[] f = gaussian(rnd, k * width);
        SparseGram gram = new SparseGram(CsrMatrix.fromDense(x, k, n), f, width);
        SparseGram.Workspace ws = gram.newWorkspace();
        double[][] whole = new double[n][n * width];
        for (int j = 0; j < n; j++) {
          gram.column(j, ws, whole[j]);
        }
        int[] rank = new int[n];
        for (int l = 0; l < n; l++) {
          rank[l] = l;
        }
        for (int l = n - 1; l > 0; l--) {
          int r = rnd.nextInt(l + 1);
          int t = rank[l];
          rank[l] = rank[r];
          rank[r] = t;
        }
        double[] out = new double[n * width];
        for (int j = 0; j < n; j++) {
          for (int l = 0; l < n; l++) {
            assertArrayEquals(Arrays.copyOfRange(whole[l], j * width, (j + 1) * width),
                Arrays.copyOfRange(whole[j], l * width, (l + 1) * width),
                "G_" + j + "[" + l + "] and G_" + l + "[" + j + "], density " + density);
          }
          int skipFrom = rnd.nextInt(n);
          int skipTo = skipFrom + rnd.nextInt(n - skipFrom + 1);
          long work = 0;
          for (int i = 0; i < k; i++) {
            for (int l = 0; l < n; l++) {
              boolean computed = rank[l] < skipFrom || rank[l] >= skipTo;
              work += x[i * n + j] != 0 && x[i * n + l] != 0 && computed ? width : 0;
            }
          }
          assertEquals(work, gram.columnWork(j, rank, skipFrom, skipTo),
              "work of column " + j + " skipping ranks [" + skipFrom + ", " + skipTo + ")");
          Arrays.fill(out, Double.NaN);
          gram.column(j, ws, out, rank, skipFrom, skipTo);
          for (int l = 0; l < n; l++) {
            if (rank[l] < skipFrom || rank[l] >= skipTo) {
              assertArrayEquals(Arrays.copyOfRange(whole[j], l * width, (l + 1) * width),
                  Arrays.copyOfRange(out, l * width, (l + 1) * width),
                  "row " + l + " of column " + j + " skipping ranks [" + skipFrom + ", " + skipTo + ")");
            }
          }
        }
      }
    }
  }

  /**
   * Columns split into chunks (bucketed one after the other, the output read back between
   * them) have the bits of the whole column in one chunk, whole or with rows skipped.
   */
  @Test
  void chunksKeepTheBits() {
    Random rnd = new Random(55);
    int k = 1500;
    int n = 23;
    int width = 45;
    double[] x = sparseDense(rnd, k, n, 0.3);
    double[] f = gaussian(rnd, k * width);
    CsrMatrix a = CsrMatrix.fromDense(x, k, n);
    SparseGram whole = new SparseGram(a, f, width);
    SparseGram.Workspace wholeWs = whole.newWorkspace();
    int[] rank = new int[n];
    for (int l = 0; l < n; l++) {
      rank[l] = (l * 7) % n;
    }
    for (int entries : new int[] {1, 500, 3000}) {
      SparseGram chunked = new SparseGram(a, f, width, entries);
      SparseGram.Workspace ws = chunked.newWorkspace();
      for (int j = 0; j < n; j++) {
        double[] want = new double[n * width];
        whole.column(j, wholeWs, want);
        double[] out = new double[n * width];
        Arrays.fill(out, Double.NaN);
        chunked.column(j, ws, out);
        assertArrayEquals(want, out, "column " + j + ", chunks of " + entries + " entries");
        Arrays.fill(out, Double.NaN);
        chunked.column(j, ws, out, rank, j / 2, j);
        for (int l = 0; l < n; l++) {
          if (rank[l] < j / 2 || rank[l] >= j) {
            assertArrayEquals(Arrays.copyOfRange(want, l * width, (l + 1) * width),
                Arrays.copyOfRange(out, l * width, (l + 1) * width),
                "row " + l + " of column " + j + ", chunks of " + entries + " entries, skipping");
          }
        }
      }
    }
  }

  /**
   * The tile path in narrow strips and small groups (many groups per column, a last strip
   * narrower than the others, strips narrower than a register block, groups of one sample) has
   * the bits of one {@link SparseKernels#gatherRows} over the whole row, whole or with rows
   * skipped.
   */
  @Test
  void tileStripsAndGroupsKeepTheBits() {
    Random rnd = new Random(89);
    int k = 700;
    int n = 21;
    int width = 203;
    int[] rank = new int[n];
    for (int l = 0; l < n; l++) {
      rank[l] = (l * 5) % n;
    }
    for (double density : new double[] {0.5, 0.9}) {
      double[] x = sparseDense(rnd, k, n, density);
      double[] f = gaussian(rnd, k * width);
      CsrMatrix a = CsrMatrix.fromDense(x, k, n);
      for (int[] strips : new int[][] {{8, 8}, {24, 24 * 37}, {96, 96 * 5}, {48, 48 * 100}}) {
        SparseGram gram = new SparseGram(a, f, width, 1 << 18, strips[0], strips[1]);
        SparseGram.Workspace ws = gram.newWorkspace();
        for (int j = 0; j < n; j++) {
          double[] want = singleGathers(x, k, n, f, width, j);
          String where = "density " + density + ", strips of " + strips[0] + ", panel "
              + strips[1] + ", column " + j;
          double[] out = new double[n * width];
          Arrays.fill(out, Double.NaN);
          gram.column(j, ws, out);
          assertArrayEquals(want, out, where);
          Arrays.fill(out, Double.NaN);
          gram.column(j, ws, out, rank, j / 3, j);
          for (int l = 0; l < n; l++) {
            if (rank[l] < j / 3 || rank[l] >= j) {
              assertArrayEquals(Arrays.copyOfRange(want, l * width, (l + 1) * width),
                  Arrays.copyOfRange(out, l * width, (l + 1) * width), where + ", row " + l);
            }
          }
        }
      }
    }
  }

  /**
   * Slice {@code j} of the dense {@code k x n} data {@code x} with features {@code f}, each row
   * one {@link SparseKernels#gatherRows} over the samples lit at both pixels, in sample order.
   */
  private static double[] singleGathers(double[] x, int k, int n, double[] f, int width, int j) {
    int[] index = new int[k];
    double[] weight = new double[k];
    double[] want = new double[n * width];
    for (int l = 0; l < n; l++) {
      int count = 0;
      for (int i = 0; i < k; i++) {
        if (x[i * n + j] != 0 && x[i * n + l] != 0) {
          index[count] = i;
          weight[count++] = x[i * n + j] * x[i * n + l];
        }
      }
      SparseKernels.selected().gatherRows(width, count, index, 0, weight, 0, f, 0, width, want,
          l * width, false);
    }
    return want;
  }
}
