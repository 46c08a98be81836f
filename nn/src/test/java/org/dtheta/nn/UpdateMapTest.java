package org.dtheta.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dtheta.core.ProgressListener;
import org.dtheta.core.linalg.LinearMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The update map and its Jacobian on tiny nets of every kind: products against central finite
 * differences of f, symmetry, blocks, dense panels and products against each other, and the
 * Gauss-Newton matrix against a dense construction by loops ({@link Reference}).
 */
class UpdateMapTest {

  static NetworkConfig[] nets() {
    return Fixtures.tinyNets();
  }

  private record Setup(UpdateMap map, Dataset data, double[] theta) {
    int p() {
      return map.dimension();
    }
  }

  private static Setup setup(NetworkConfig c, long seed, int directionsPerSweep) {
    Random rnd = new Random(seed);
    Dataset d = Fixtures.dataset(rnd, c, 9);
    double[] theta = Fixtures.gaussian(rnd, c.layout().size(), 0.7);
    return new Setup(new UpdateMap(new TwoLayerNet(c, d), directionsPerSweep), d, theta);
  }

  @ParameterizedTest
  @MethodSource("nets")
  void applyIsAGradientStep(NetworkConfig c) {
    Setup s = setup(c, 1, 4);
    double[] g = new double[s.p()];
    double loss = s.map.net().lossAndGradient(s.theta, g);
    double[] next = new double[s.p()];
    assertEquals(loss, s.map.apply(s.theta, next), 0.0);
    for (int i = 0; i < s.p(); i++) {
      assertEquals(s.theta[i] - c.learningRate() * g[i], next[i], 1e-15 * (1 + Math.abs(next[i])));
    }
  }

  @ParameterizedTest
  @MethodSource("nets")
  void stepIsApplyWithoutTheGradient(NetworkConfig c) {
    Setup s = setup(c, 4, 4);
    double[] g = Fixtures.gaussian(new Random(5), s.p(), 1.0);
    double[] out = new double[s.p()];
    s.map.step(s.theta, g, out);
    for (int i = 0; i < s.p(); i++) {
      assertEquals(s.theta[i] - c.learningRate() * g[i], out[i], 1e-15 * (1 + Math.abs(out[i])));
    }
    double[] inPlace = s.theta.clone();
    s.map.step(inPlace, g, inPlace);
    assertArrayEquals(out, inPlace, 0.0, "in place");
    assertThrows(IllegalArgumentException.class,
        () -> s.map.step(s.theta, new double[s.p() + 1], out), "a gradient of the wrong length");
  }

  @ParameterizedTest
  @MethodSource("nets")
  void jacobianTimesMatchesFiniteDifferencesOfF(NetworkConfig c) {
    Setup s = setup(c, 2, 4);
    Random rnd = new Random(3);
    int m = 3;
    double[] v = Fixtures.gaussian(rnd, s.p() * m, 1.0);
    double[] dfv = new double[s.p() * m];
    s.map.jacobianTimes(s.theta, v, m, dfv);
    for (int d = 0; d < m; d++) {
      double[] fd =
          Fixtures.centralDifference(
              th -> {
                double[] out = new double[th.length];
                s.map.apply(th, out);
                return out;
              },
              s.theta,
              Fixtures.column(v, s.p(), m, d),
              1e-5);
      double err = Fixtures.relativeError(Fixtures.column(dfv, s.p(), m, d), fd);
      assertTrue(err < 1e-8, c + " direction " + d + ": relative error " + err);
    }
  }

  @ParameterizedTest
  @MethodSource("nets")
  void offDiagonalBlocksAreTransposesOfEachOther(NetworkConfig c) {
    Setup s = setup(c, 4, 3);
    ParamLayout l = c.layout();
    for (Block row : Block.values()) {
      for (Block col : Block.values()) {
        if (l.length(row) == 0 || l.length(col) == 0) {
          continue;
        }
        double[] a = s.map.block(s.theta, row, col);
        double[] b = s.map.block(s.theta, col, row);
        assertEquals(l.length(row) * l.length(col), a.length);
        double[] bt = transpose(b, l.length(col), l.length(row));
        double err = Fixtures.relativeError(a, bt);
        assertTrue(err < 1e-13, row.label() + "," + col.label() + ": " + err);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("nets")
  void denseIsSymmetricAndAgreesWithBlocksAndProducts(NetworkConfig c) {
    Setup s = setup(c, 5, 4);
    int p = s.p();
    ParamLayout l = c.layout();
    double[] dense = s.map.dense(s.theta);
    double err = Fixtures.relativeError(dense, transpose(dense, p, p));
    assertTrue(err < 1e-13, "dense Df symmetric: " + err);
    for (Block row : Block.values()) {
      for (Block col : Block.values()) {
        double[] block = s.map.block(s.theta, row, col);
        for (int r = 0; r < l.length(row); r++) {
          for (int q = 0; q < l.length(col); q++) {
            assertEquals(dense[(l.offset(row) + r) * p + l.offset(col) + q],
                block[r * l.length(col) + q], 1e-13, row.label() + "," + col.label());
          }
        }
      }
    }
    Random rnd = new Random(6);
    int m = 5;
    double[] v = Fixtures.gaussian(rnd, p * m, 1.0);
    double[] product = new double[p * m];
    s.map.jacobianTimes(s.theta, v, m, product);
    err = Fixtures.relativeError(product, Fixtures.multiply(dense, v, p, p, m));
    assertTrue(err < 1e-13, "Df V vs dense Df times V: " + err);
  }

  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> netsAndMethods() {
    return java.util.Arrays.stream(nets())
        .flatMap(c -> java.util.Arrays.stream(JacobianMethod.values())
            .map(m -> org.junit.jupiter.params.provider.Arguments.of(c, m)));
  }

  @ParameterizedTest
  @MethodSource("netsAndMethods")
  void writeDenseStreamsTheDenseMatrixInOrderedPanels(NetworkConfig c, JacobianMethod method)
      throws IOException {
    Setup s = setup(c, 7, 2);
    int p = s.p();
    if (method == JacobianMethod.STRUCTURED && !c.denseFirstLayer()) {
      // no X W1 product, so no Kronecker structure: the message must point to the other method
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> s.map.writeDense(s.theta, method, (a, b, x) -> {}, 4, ProgressListener.NONE));
      assertTrue(e.getMessage().contains("Hvp"), e.getMessage());
      return;
    }
    double[] dense = s.map.dense(s.theta);
    double[] streamed = new double[p * p];
    List<Integer> starts = new ArrayList<>();
    List<Long> progress = new ArrayList<>();
    int panelRows = 5;
    s.map.writeDense(s.theta, method, (first, rows, panel) -> {
      assertEquals(Math.min(panelRows, p - first), rows, "panel height");
      starts.add(first);
      System.arraycopy(panel, 0, streamed, first * p, rows * p);
    }, panelRows, (done, total) -> {
      assertEquals(p, total);
      progress.add(done);
    });
    // the reference is the HVP path; the structured assembly sums in another order
    double tolerance = method == JacobianMethod.HVP ? 1e-14 : 1e-12;
    assertArrayEquals(dense, streamed, tolerance);
    assertEquals(p, progress.get(progress.size() - 1));
    for (int i = 0; i < starts.size(); i++) {
      assertEquals(i * panelRows, starts.get(i));
    }
    if (method == JacobianMethod.HVP) {
      for (int i = 0; i < starts.size(); i++) {
        assertEquals(Math.min(p, (i + 1) * panelRows), progress.get(i));
      }
    }
  }

  @ParameterizedTest
  @MethodSource("nets")
  void gaussNewtonMatchesADenseConstructionByLoops(NetworkConfig c) throws IOException {
    Setup s = setup(c, 8, 3);
    int p = s.p();
    double alpha = c.learningRate();
    double[] g = new Reference(c, s.data, s.theta).gaussNewton();
    double[] expected = new double[p * p];
    for (int i = 0; i < p * p; i++) {
      expected[i] = (i % (p + 1) == 0 ? 1 : 0) - alpha * g[i];
    }
    double err = Fixtures.relativeError(s.map.dense(Curvature.GAUSS_NEWTON, s.theta), expected);
    assertTrue(err < 1e-12, "dense I - alpha G vs loops: " + err);

    double[] streamed = new double[p * p];
    s.map.writeDenseGaussNewton(s.theta,
        (first, rows, panel) -> System.arraycopy(panel, 0, streamed, first * p, rows * p), 4,
        ProgressListener.NONE);
    assertTrue(Fixtures.relativeError(streamed, expected) < 1e-12, "streamed Gauss-Newton");

    double[] block = s.map.block(Curvature.GAUSS_NEWTON, s.theta, Block.W2, Block.B1);
    ParamLayout l = c.layout();
    for (int r = 0; r < l.length(Block.W2); r++) {
      for (int q = 0; q < l.length(Block.B1); q++) {
        assertEquals(expected[(l.offset(Block.W2) + r) * p + l.offset(Block.B1) + q],
            block[r * l.length(Block.B1) + q], 1e-12);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("nets")
  void gaussNewtonDiffersFromTheHessianAwayFromAMinimum(NetworkConfig c) {
    Setup s = setup(c, 9, 4);
    double[] gn = s.map.dense(Curvature.GAUSS_NEWTON, s.theta);
    double err = Fixtures.relativeError(gn, s.map.dense(s.theta));
    assertTrue(err > 1e-6, "the Hessian has terms Gauss-Newton drops: " + err);
  }

  @ParameterizedTest
  @MethodSource("nets")
  void linearMapsAgreeWithProductsAndCopyTheta(NetworkConfig c) {
    Setup s = setup(c, 10, 4);
    int p = s.p();
    Random rnd = new Random(11);
    int m = 2;
    double[] v = Fixtures.gaussian(rnd, p * m, 1.0);
    LinearMap df = s.map.asLinearMap(s.theta);
    LinearMap hess = s.map.hessianMap(s.theta);
    LinearMap gn = s.map.asLinearMap(Curvature.GAUSS_NEWTON, s.theta);
    double[] theta0 = s.theta.clone();
    s.theta[0] += 1.0; // the maps keep their own copy
    assertEquals(p, df.dimension());
    double[] a = new double[p * m];
    double[] b = new double[p * m];
    df.apply(v, m, a);
    s.map.jacobianTimes(theta0, v, m, b);
    assertArrayEquals(b, a, 0.0);
    hess.apply(v, m, a);
    s.map.net().hessianTimes(theta0, v, m, b);
    assertArrayEquals(b, a, 0.0);
    gn.apply(v, m, a);
    s.map.gaussNewtonTimes(theta0, v, m, b);
    assertArrayEquals(b, a, 0.0);
    s.map.curvatureMap(Curvature.GAUSS_NEWTON, theta0).apply(v, m, a);
    for (int i = 0; i < p * m; i++) {
      assertEquals(v[i] - c.learningRate() * a[i], b[i], 1e-14 * (1 + Math.abs(b[i])));
    }
  }

  @Test
  void productsAreIndependentOfCallOrderAndBatching() {
    Setup s = setup(Fixtures.tinyNets()[0], 12, 4);
    TwoLayerNet net = s.map.net();
    int p = s.p();
    Random rnd = new Random(13);
    int m = 3;
    double[] v = Fixtures.gaussian(rnd, p * m, 1.0);
    double[] gnFresh = new double[p * m];
    new TwoLayerNet(net.config(), net.data()).gaussNewtonTimes(s.theta, v, m, gnFresh);
    double[] first = new double[p * m];
    net.hessianTimes(s.theta, v, m, first);
    // after a Hessian product the tape holds the gradient's adjoints, which a Gauss-Newton
    // product must not see
    double[] gn = new double[p * m];
    net.gaussNewtonTimes(s.theta, v, m, gn);
    assertArrayEquals(gnFresh, gn, 0.0);
    // and it leaves the adjoints zeroed: the next Hessian product must notice
    double[] again = new double[p * m];
    net.hessianTimes(s.theta, v, m, again);
    assertArrayEquals(first, again, 0.0);
    for (int d = 0; d < m; d++) {
      double[] single = new double[p];
      net.hessianTimes(s.theta, Fixtures.column(v, p, m, d), 1, single);
      assertTrue(Fixtures.relativeError(single, Fixtures.column(first, p, m, d)) < 1e-14);
    }
  }

  @Test
  void rejectsWrongShapes() {
    Setup s = setup(Fixtures.tinyNets()[0], 14, 4);
    int p = s.p();
    assertThrows(IllegalArgumentException.class,
        () -> s.map.jacobianTimes(s.theta, new double[p * 2 + 1], 2, new double[p * 2 + 1]));
    assertThrows(IllegalArgumentException.class,
        () -> s.map.apply(new double[p - 1], new double[p - 1]));
  }

  @Test
  void twoLayerNetKeepsTheStructuredMethodAndTheObjectiveFactoryAgrees() {
    NetworkConfig c = Fixtures.tinyNets()[0];
    Setup s = setup(c, 15, 4);
    assertTrue(s.map.hessianPanels(JacobianMethod.STRUCTURED)
        instanceof org.dtheta.nn.structured.StructuredHessianPanels);
    assertTrue(s.map.hessianPanels(JacobianMethod.HVP) instanceof HvpHessianPanels);
    assertTrue(s.map.objective() == s.map.net());
    UpdateMap viaObjective = UpdateMap.of(s.map.net(), c.learningRate(), 4);
    assertArrayEquals(s.map.dense(s.theta), viaObjective.dense(s.theta), 0.0);
  }

  @Test
  void theOneEntryPerOutputChoosesTheMethodAndCurvature() throws java.io.IOException {
    Setup s = setup(Fixtures.tinyNets()[0], 16, 4);
    UpdateMap map = s.map;
    int p = s.p();
    assertTrue(map.fastestMethod() == JacobianMethod.STRUCTURED);
    assertTrue(map.supports(JacobianMethod.STRUCTURED) && map.supports(JacobianMethod.HVP));
    ParamLayout layout = map.net().layout();
    // Whole named blocks take the structured route by default, and agree with the products.
    for (Block row : Block.values()) {
      for (Block col : Block.values()) {
        int r0 = layout.offset(row);
        int c0 = layout.offset(col);
        int r = layout.length(row);
        int c = layout.length(col);
        if (r == 0 || c == 0) {
          continue;
        }
        double[] fast = map.block(Curvature.HESSIAN, null, s.theta, r0, r, c0, c);
        double[] products = map.block(Curvature.HESSIAN, JacobianMethod.HVP, s.theta, r0, r, c0, c);
        double[] structured = new org.dtheta.nn.structured.StructuredHessianPanels(map.net())
            .block(s.theta, row, col);
        map.toUpdateJacobian(structured, r, c, r0, c0);
        assertArrayEquals(structured, fast, 0.0, row + "," + col + ": the structured route");
        assertArrayEquals(products, fast, 1e-12, row + "," + col + ": structured against products");
      }
    }
    // A range that is no named block falls back to products.
    assertArrayEquals(map.block(Curvature.HESSIAN, s.theta, 3, 5, 7, 4),
        map.block(Curvature.HESSIAN, null, s.theta, 3, 5, 7, 4), 0.0);
    // Whole matrices: Gauss-Newton by products, the Hessian by the fastest method.
    double[] all = new double[p * p];
    PanelSink keep = (first, rows, panel) -> System.arraycopy(panel, 0, all, first * p, rows * p);
    map.writeDense(Curvature.GAUSS_NEWTON, null, s.theta, keep, 7, ProgressListener.NONE, 0);
    assertArrayEquals(map.dense(Curvature.GAUSS_NEWTON, s.theta), all, 0.0, "Gauss-Newton");
    map.writeDense(Curvature.HESSIAN, null, s.theta, keep, 7, ProgressListener.NONE, 0);
    double[] structuredAll = new double[p * p];
    map.writeDense(s.theta, JacobianMethod.STRUCTURED,
        (first, rows, panel) -> System.arraycopy(panel, 0, structuredAll, first * p, rows * p), 7,
        ProgressListener.NONE);
    assertArrayEquals(structuredAll, all, 0.0, "the Hessian by the structured method");
  }

  /**
   * A sink that keeps every panel and gives back a fresh buffer of NaNs: every route writes each
   * entry of the buffer it is given (none relies on an earlier panel's entries or on zeros) and
   * never touches a panel after handing it over, so the matrix is the one a copying sink gets.
   */
  @ParameterizedTest
  @MethodSource("nets")
  void aSinkThatKeepsItsPanelsGetsTheSameMatrix(NetworkConfig c) throws java.io.IOException {
    Setup s = setup(c, 18, 4);
    int p = s.p();
    int hidden = c.hidden();
    for (Curvature curvature : Curvature.values()) {
      for (JacobianMethod method : JacobianMethod.values()) {
        if (method == JacobianMethod.STRUCTURED && !c.denseFirstLayer()) {
          continue; // the structured route needs X W1
        }
        for (int panelRows : new int[] {7, hidden, 2 * hidden, p}) {
          double[] copied = new double[p * p];
          s.map.writeDense(curvature, method, s.theta,
              (first, rows, panel) -> System.arraycopy(panel, 0, copied, first * p, rows * p),
              panelRows, ProgressListener.NONE, 0);
          java.util.List<double[]> kept = new java.util.ArrayList<>();
          java.util.List<Integer> firsts = new java.util.ArrayList<>();
          PanelSink keeping = new PanelSink() {
            @Override
            public void accept(int first, int rows, double[] panel) {
              throw new AssertionError("panels go by exchange");
            }

            @Override
            public double[] exchange(int first, int rows, double[] panel) {
              kept.add(panel);
              firsts.add(first);
              double[] next = new double[panel.length];
              java.util.Arrays.fill(next, Double.NaN);
              return next;
            }
          };
          s.map.writeDense(curvature, method, s.theta, keeping, panelRows, ProgressListener.NONE, 0);
          double[] swapped = new double[p * p];
          for (int i = 0; i < kept.size(); i++) {
            int first = firsts.get(i);
            int rows = Math.min(Math.min(panelRows, p), p - first);
            System.arraycopy(kept.get(i), 0, swapped, first * p, rows * p);
          }
          assertArrayEquals(copied, swapped, 0.0, curvature + ", " + method + ", panels of " + panelRows);
        }
      }
    }
  }

  @Test
  void aSinkMustGiveBackABufferAsLongAsThePanel() {
    Setup s = setup(Fixtures.tinyNets()[0], 19, 4);
    for (JacobianMethod method : JacobianMethod.values()) {
      PanelSink shrinking = new PanelSink() {
        @Override
        public void accept(int first, int rows, double[] panel) {}

        @Override
        public double[] exchange(int first, int rows, double[] panel) {
          return new double[panel.length - 1];
        }
      };
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> s.map.writeDense(Curvature.HESSIAN, method, s.theta, shrinking, 5,
              ProgressListener.NONE, 0));
      assertTrue(e.getMessage().contains("gave back a buffer of"), e.getMessage());
    }
  }

  @Test
  void otherObjectivesDefaultToProductsAndRefuseStructured() {
    Setup s = setup(Fixtures.tinyNets()[0], 17, 4);
    Mlp mlp = new Mlp(new int[] {s.data.inputs(), 3, 2, s.data.outputs()}, Activation.TANH, 0.0,
        s.data);
    UpdateMap map = UpdateMap.of(mlp, 0.1);
    assertTrue(map.fastestMethod() == JacobianMethod.HVP);
    assertTrue(map.supports(JacobianMethod.HVP) && !map.supports(JacobianMethod.STRUCTURED));
  }

  private static double[] transpose(double[] a, int rows, int cols) {
    double[] t = new double[a.length];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        t[j * rows + i] = a[i * cols + j];
      }
    }
    return t;
  }
}
