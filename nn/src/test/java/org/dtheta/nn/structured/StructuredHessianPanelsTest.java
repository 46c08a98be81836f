package org.dtheta.nn.structured;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dtheta.core.ProgressListener;
import org.dtheta.nn.Activation;
import org.dtheta.nn.Block;
import org.dtheta.nn.Dataset;
import org.dtheta.nn.HvpHessianPanels;
import org.dtheta.nn.JacobianMethod;
import org.dtheta.nn.Loss;
import org.dtheta.nn.NetworkConfig;
import org.dtheta.nn.OutputLayer;
import org.dtheta.nn.ParamLayout;
import org.dtheta.nn.Presets;
import org.dtheta.nn.TwoLayerNet;
import org.dtheta.nn.UpdateMap;
import org.junit.jupiter.api.Test;

/**
 * The structured Hessian against the engine's column-by-column Hessian products on the full
 * loss (HvpHessianPanels, dense X, no structure used), block by block.
 */
class StructuredHessianPanelsTest {

  /** Inputs in [0, 1), about 70% zeros, and columns 0 and 5 zero in every sample. */
  static Dataset sparseData(Random rnd, NetworkConfig c, int k, double density) {
    double[] x = new double[k * c.inputs()];
    for (int i = 0; i < k; i++) {
      for (int j = 0; j < c.inputs(); j++) {
        if (j != 0 && j != 5 && rnd.nextDouble() < density) {
          x[i * c.inputs() + j] = rnd.nextDouble();
        }
      }
    }
    double[] t = new double[k * c.outputs()];
    for (int i = 0; i < k; i++) {
      for (int r = 0; r < c.outputs(); r++) {
        switch (c.output()) {
          case SOFTMAX -> t[i * c.outputs() + r] = r == i % c.outputs() ? 1 : 0;
          case SIGMOID -> t[i * c.outputs() + r] = rnd.nextBoolean() ? 1 : 0;
          case IDENTITY -> t[i * c.outputs() + r] = rnd.nextGaussian();
        }
      }
    }
    return new Dataset(x, t, k, c.inputs(), c.outputs());
  }

  static double[] randomTheta(Random rnd, ParamLayout layout, double scale) {
    double[] theta = new double[layout.size()];
    for (int i = 0; i < theta.length; i++) {
      theta[i] = scale * rnd.nextGaussian();
    }
    return theta;
  }

  /** All rows of a panel writer, checking panel order, sizes and progress on the way. */
  static double[] collect(int p, int panelRows, Writer writer) throws IOException {
    double[] all = new double[p * p];
    int[] next = {0};
    long[] reported = {0};
    ProgressListener progress = (done, total) -> {
      assertEquals(p, total);
      assertTrue(done > reported[0], "progress grows");
      reported[0] = done;
    };
    writer.write((first, rows, panel) -> {
      assertEquals(next[0], first, "panels in increasing order");
      assertEquals(Math.min(panelRows, p - first), rows, "panel size");
      System.arraycopy(panel, 0, all, first * p, rows * p);
      next[0] += rows;
    }, panelRows, progress);
    assertEquals(p, next[0]);
    assertEquals(p, reported[0]);
    return all;
  }

  interface Writer {
    void write(org.dtheta.nn.PanelSink sink, int panelRows, ProgressListener progress) throws IOException;
  }

  static double[] reference(TwoLayerNet net, double[] theta) throws IOException {
    int p = net.parameterCount();
    return collect(p, 64, (s, r, pr) -> new HvpHessianPanels(net).write(theta, s, r, pr));
  }

  /** Every one of the 16 blocks to 1e-10 of its own largest entry; the whole to 1e-12 symmetric. */
  static void assertBlocksMatch(ParamLayout layout, double[] got, double[] want, String what) {
    int p = layout.size();
    double global = 0;
    for (double v : want) {
      global = Math.max(global, Math.abs(v));
    }
    for (Block rb : Block.values()) {
      for (Block cb : Block.values()) {
        double diff = 0;
        double scale = 0;
        for (int r = layout.offset(rb); r < layout.offset(rb) + layout.length(rb); r++) {
          for (int c = layout.offset(cb); c < layout.offset(cb) + layout.length(cb); c++) {
            diff = Math.max(diff, Math.abs(got[r * p + c] - want[r * p + c]));
            scale = Math.max(scale, Math.abs(want[r * p + c]));
          }
        }
        double bound = scale > 0 ? 1e-10 * scale : 1e-14 * global;
        assertTrue(diff <= bound, what + ": block (" + rb.label() + ", " + cb.label() + ") differs by "
            + diff + ", its largest entry is " + scale);
      }
    }
    for (int r = 0; r < p; r++) {
      for (int c = 0; c < r; c++) {
        assertEquals(got[r * p + c], got[c * p + r], 1e-12 * global, what + ": symmetry at " + r + "," + c);
      }
    }
  }

  static void check(NetworkConfig config, Dataset data, double thetaScale, int chunkRows, int dirs,
      long seed) throws IOException {
    Random rnd = new Random(seed);
    TwoLayerNet net = new TwoLayerNet(config, data);
    double[] theta = randomTheta(rnd, config.layout(), thetaScale);
    double[] want = reference(net, theta);
    StructuredHessianPanels structured = new StructuredHessianPanels(config, data, chunkRows, dirs);
    int p = config.layout().size();
    double[] got = collect(p, 13, (s, r, pr) -> structured.write(theta, s, r, pr));
    assertBlocksMatch(config.layout(), got, want, config.toString());
  }

  @Test
  void panelRowsAreWholePixelsThatFitTheBytes() {
    int p = 785 * 50 + 510; // MNIST's 784-50-10
    assertEquals(421, org.dtheta.nn.HessianPanels.panelRows(p, 128L << 20));
    assertEquals(400, StructuredHessianPanels.panelRows(50, p, 128L << 20));
    for (long bytes : new long[] {1, 8L * p * 49, 8L * p * 50, 8L * p * 99, 8L * p * 100 - 1,
        1L << 40}) {
      int rows = StructuredHessianPanels.panelRows(50, p, bytes);
      int plain = org.dtheta.nn.HessianPanels.panelRows(p, bytes);
      assertTrue(rows >= 1 && rows <= plain, bytes + " bytes: " + rows + " rows");
      assertTrue(plain < 50 ? rows == plain : rows % 50 == 0 && plain - rows < 50,
          bytes + " bytes: " + rows + " rows of " + plain);
    }
    assertEquals(p, org.dtheta.nn.HessianPanels.panelRows(p, 1L << 40));
    assertEquals(1, org.dtheta.nn.HessianPanels.panelRows(p, 1));
  }

  @Test
  void mnistTopOnSmallSparseNetMatchesHessianProductsInEveryBlock() throws IOException {
    NetworkConfig c = Presets.mnist().withInputs(30).withHidden(7).withOutputs(4);
    Random rnd = new Random(21);
    Dataset d = sparseData(rnd, c, 25, 0.3);
    // Chunks of 6 samples (a short last one) and 5 second-layer directions per sweep.
    check(c, d, 0.8, 6, 5, 22);
    check(c, d, 0.8, 0, 0, 23);
  }

  @Test
  void everyLossActivationAndL2MatchHessianProducts() throws IOException {
    NetworkConfig[] nets = {
      Presets.seed003(0.7).withInputs(12).withHidden(5).withOutputs(3),
      Presets.seed004().withInputs(9).withHidden(6),
      new NetworkConfig(11, 4, 2, Activation.TANH, true, OutputLayer.IDENTITY, Loss.SQUARED_ERROR, 0.3, 0.05),
      new NetworkConfig(10, 3, 3, Activation.SIGMOID, true, OutputLayer.SOFTMAX, Loss.SQUARED_ERROR, 0.0, 0.1),
      Presets.mnist().withInputs(8).withHidden(4).withOutputs(3).withL2(0.9),
    };
    long seed = 30;
    for (NetworkConfig c : nets) {
      Dataset d = sparseData(new Random(seed), c, 17, 0.4);
      check(c, d, 0.7, 4, 3, seed++);
    }
  }

  @Test
  void mnistWidthInputsMatchHessianProducts() throws IOException {
    NetworkConfig c = Presets.mnist().withHidden(3).withOutputs(4);
    Dataset d = sparseData(new Random(40), c, 12, 0.19);
    check(c, d, 0.3, 5, 4, 41);
  }

  /** 4 x 4 images: the Gram's columns in 2 x 2 squares (permuted), rows back in pixel order. */
  @Test
  void squareImageInputsInTwoByTwoSquaresMatchHessianProducts() throws IOException {
    NetworkConfig c = Presets.mnist().withInputs(16).withHidden(3).withOutputs(3);
    Dataset d = sparseData(new Random(42), c, 12, 0.5);
    check(c, d, 0.3, 5, 4, 43);
  }

  /**
   * Pixel-pair symmetry changes no bit: every first-layer block of the panels, whether its pixel
   * pair was computed by the row's pixel or kept from the column's, and from any first row, is
   * the block read off the whole Gram column of the row's pixel (no rows skipped). With several
   * panels per pixel block and pixels split across panels; zero blocks (pixels never lit
   * together) included.
   */
  @Test
  void firstLayerBlocksHaveTheBitsOfWholeGramColumns() throws IOException {
    NetworkConfig c = Presets.mnist().withInputs(16).withHidden(3).withOutputs(3).withL2(0.01);
    Dataset d = sparseData(new Random(44), c, 40, 0.3);
    double[] theta = randomTheta(new Random(45), c.layout(), 0.3);
    int h = c.hidden();
    int pixels = c.inputs() + 1;
    int p = c.layout().size();
    StructuredHessianPanels structured = new StructuredHessianPanels(c, d, 7, 4);
    // The reference: the same packed curvatures, whole columns.
    org.dtheta.core.sparse.CsrMatrix xAug =
        org.dtheta.core.sparse.CsrMatrix.fromDense(d.x(), d.k(), d.inputs()).withConstantColumn(1.0);
    TopCurvature top = new TopCurvature(c, d, xAug, 7, 4);
    int width = TopCurvature.packedWidth(h);
    double[] packed = new double[d.k() * width];
    top.compute(theta.clone(), new double[p * top.tailWidth()], packed);
    int[] column = StructuredHessianPanels.gramOrder(c.inputs());
    org.dtheta.core.sparse.SparseGram gram = new org.dtheta.core.sparse.SparseGram(
        StructuredHessianPanels.permuteColumns(xAug, column), packed, width);
    org.dtheta.core.sparse.SparseGram.Workspace ws = gram.newWorkspace();
    double l2 = c.l2() / d.k();
    int zeroBlocks = 0;
    for (int panelRows : new int[] {2, 13, 200}) {
      double[] got = collect(p, panelRows, (sink, rows, progress) ->
          structured.write(theta, sink, rows, progress, 0));
      for (int first = 0; first < pixels * h; first += panelRows) {
        double[] from = new double[(p - first) * p];
        int start = first;
        structured.write(theta, (r, n, panel) -> System.arraycopy(panel, 0, from, (r - start) * p, n * p),
            panelRows, ProgressListener.NONE, first);
        double[] slice = new double[pixels * width];
        for (int j = 0; j < pixels; j++) {
          gram.column(column[j], ws, slice);
          for (int r = 0; r < h; r++) {
            int row = j * h + r;
            for (int l = 0; l < pixels; l++) {
              boolean zero = true;
              for (int q = 0; q < h; q++) {
                int at = row * p + l * h + q;
                double want = slice[column[l] * width + packedOffset(h, r, q)];
                zero &= want == 0.0;
                if (l == j && r == q && j < pixels - 1) {
                  want += l2;
                }
                assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(got[at]),
                    "row " + row + ", column " + (l * h + q) + ", panels of " + panelRows);
                if (row >= first) {
                  assertEquals(Double.doubleToRawLongBits(want),
                      Double.doubleToRawLongBits(from[(row - first) * p + l * h + q]),
                      "row " + row + " written from row " + first + ", panels of " + panelRows);
                }
              }
              zeroBlocks += zero && r == 0 ? 1 : 0;
            }
          }
        }
      }
    }
    assertTrue(zeroBlocks > 0, "the data leave some pixel pairs never lit together");
  }

  /** Where {@code M[r, q]} sits in a packed upper triangle of an {@code h x h} matrix. */
  private static int packedOffset(int h, int r, int q) {
    int a = Math.min(r, q);
    int b = Math.max(r, q);
    return a * h - a * (a - 1) / 2 + (b - a);
  }

  /** MNIST's pixels in 2 x 2 squares of consecutive Gram columns, the bias last; odd sides not. */
  @Test
  void gramOrderIsAPermutationOfTwoByTwoSquares() {
    int[] column = StructuredHessianPanels.gramOrder(784);
    boolean[] taken = new boolean[785];
    for (int j = 0; j < 785; j++) {
      assertTrue(!taken[column[j]], "column " + column[j] + " taken twice");
      taken[column[j]] = true;
    }
    assertEquals(784, column[784]);
    for (int j : new int[] {0, 1, 28, 29}) {
      assertEquals(j % 2 + 2 * (j / 28), column[j], "pixel " + j);
    }
    assertEquals(4 * 14, column[56]);
    int[] odd = StructuredHessianPanels.gramOrder(9);
    for (int j = 0; j < 10; j++) {
      assertEquals(j, odd[j]);
    }
  }

  @Test
  void updateJacobianAndBlocksAgreeWithTheHessianRows() throws IOException {
    NetworkConfig c = Presets.mnist().withInputs(9).withHidden(4).withOutputs(3).withL2(0.2);
    Dataset d = sparseData(new Random(50), c, 11, 0.35);
    ParamLayout layout = c.layout();
    int p = layout.size();
    double[] theta = randomTheta(new Random(51), layout, 0.6);
    StructuredHessianPanels s = new StructuredHessianPanels(c, d);
    double[] hess = collect(p, p, (sink, r, pr) -> s.write(theta, sink, r, pr));
    UpdateMap map = UpdateMap.of(new TwoLayerNet(c, d), c.learningRate());
    double[] df = collect(p, 5,
        (sink, r, pr) -> map.writeDense(theta, JacobianMethod.STRUCTURED, sink, r, pr));
    double alpha = c.learningRate();
    for (int r = 0; r < p; r++) {
      for (int col = 0; col < p; col++) {
        double want = (r == col ? 1 : 0) - alpha * hess[r * p + col];
        assertEquals(want, df[r * p + col], 1e-15, "Df at " + r + "," + col);
      }
    }
    for (Block rb : Block.values()) {
      for (Block cb : Block.values()) {
        double[] block = s.block(theta, rb, cb);
        int cols = layout.length(cb);
        for (int r = 0; r < layout.length(rb); r++) {
          for (int col = 0; col < cols; col++) {
            assertEquals(hess[(layout.offset(rb) + r) * p + layout.offset(cb) + col],
                block[r * cols + col], 0.0, rb.label() + "," + cb.label());
          }
        }
      }
    }
  }

  /**
   * The structured route's own {@code scale H + shift I} (folded into how its rows are written)
   * has, entry by entry and sign of zero included, the bits of the interface's per-panel map
   * ({@link org.dtheta.nn.HessianPanels#affine} on each panel of {@code write}): on data with
   * pixels never lit (zero blocks), the L2 term on the diagonal, panels that split pixels and
   * the tail, and a write resumed from a panel boundary.
   */
  @Test
  void affineRowsHaveTheBitsOfTheHessianPanelsMappedOneByOne() throws IOException {
    NetworkConfig c = Presets.mnist().withInputs(9).withHidden(4).withOutputs(3).withL2(0.2);
    Dataset d = sparseData(new Random(52), c, 11, 0.35);
    int p = c.layout().size();
    double[] theta = randomTheta(new Random(53), c.layout(), 0.6);
    StructuredHessianPanels s = new StructuredHessianPanels(c, d);
    double[][] maps = {{-0.1, 1.0}, {2.5, 0.0}, {-1.0, -3.0}};
    for (double[] map : maps) {
      double scale = map[0];
      double shift = map[1];
      for (int panelRows : new int[] {5, 13, p}) {
        String what = "scale " + scale + ", shift " + shift + ", panels of " + panelRows;
        double[] want = collect(p, panelRows, (sink, r, pr) -> s.write(theta, (first, rows, panel) -> {
          org.dtheta.nn.HessianPanels.affine(panel, rows, p, first, 0, scale, shift);
          sink.accept(first, rows, panel);
        }, r, pr));
        double[] got = collect(p, panelRows,
            (sink, r, pr) -> s.writeAffine(theta, scale, shift, sink, r, pr, 0));
        assertArrayEquals(want, got, what);
        int firstRow = panelRows * (p / panelRows / 2);
        double[] resumed = new double[p * p];
        s.writeAffine(theta, scale, shift,
            (first, rows, panel) -> System.arraycopy(panel, 0, resumed, first * p, rows * p),
            panelRows, ProgressListener.NONE, firstRow);
        assertArrayEquals(java.util.Arrays.copyOfRange(want, firstRow * p, p * p),
            java.util.Arrays.copyOfRange(resumed, firstRow * p, p * p), what + ", from row " + firstRow);
      }
    }
  }

  @Test
  void biasOnlyFirstLayerIsRefusedWithTheReason() {
    NetworkConfig c = Presets.seed002(5, 3);
    Dataset d = sparseData(new Random(60), c, 4, 0.5);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new StructuredHessianPanels(c, d));
    assertTrue(e.getMessage().contains("bias-only"), e.getMessage());
    StructuredHessianPanels ok = new StructuredHessianPanels(Presets.mnist().withInputs(5).withHidden(2)
        .withOutputs(2), sparseData(new Random(61), Presets.mnist().withInputs(5).withHidden(2).withOutputs(2), 3, 0.5));
    List<Integer> none = new ArrayList<>();
    assertThrows(IllegalArgumentException.class,
        () -> ok.write(new double[3], (f, r, panel) -> none.add(f), 4, ProgressListener.NONE));
    assertThrows(IllegalArgumentException.class,
        () -> ok.write(new double[18], (f, r, panel) -> none.add(f), 0, ProgressListener.NONE));
    assertTrue(none.isEmpty());
  }
}
