package org.dtheta.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused curvature products ({@link FusedCurvatureProducts}, taken by {@link TwoLayerNet} for
 * softmax cross-entropy nets on sparse inputs) against the tape's forward-over-reverse sweeps of
 * the same net, and the Hessian product against central differences of the gradient.
 */
class FusedCurvatureProductsTest {

  /** Softmax cross-entropy nets with each activation, with and without an L2 term. */
  static NetworkConfig[] nets() {
    NetworkConfig mnistLike = Presets.mnist().withInputs(30).withHidden(7).withOutputs(4);
    return new NetworkConfig[] {
      mnistLike,
      new NetworkConfig(30, 9, 3, Activation.TANH, true, OutputLayer.SOFTMAX, Loss.CROSS_ENTROPY,
          0.4, 0.1),
      new NetworkConfig(30, 5, 6, Activation.RELU, true, OutputLayer.SOFTMAX, Loss.CROSS_ENTROPY,
          0.0, 0.1),
    };
  }

  /**
   * {@code k} samples of {@code c} whose inputs are 80% zeros (so the net records the sparse
   * first layer and the fused path applies), with some rows alike (pairs in the gathers).
   */
  static Dataset sparseDataset(Random rnd, NetworkConfig c, int k) {
    Dataset d = Fixtures.dataset(rnd, c, k);
    double[] x = d.x();
    for (int i = 0; i < k; i++) {
      for (int j = 0; j < c.inputs(); j++) {
        boolean lit = i % 3 == 2 ? x[(i - 1) * c.inputs() + j] != 0 : rnd.nextDouble() < 0.2;
        x[i * c.inputs() + j] = lit ? 0.05 + rnd.nextDouble() : 0.0;
      }
    }
    return d;
  }

  /**
   * Hessian and Gauss-Newton products with 1, 3 and 11 directions agree with the tape's to
   * 1e-12, for batches shorter than, equal to and not a multiple of a block of samples; twice
   * at the same point (cached factors) and at a second point (refreshed factors).
   */
  @ParameterizedTest
  @MethodSource("nets")
  void agreeWithTheTapeSweeps(NetworkConfig c) {
    Random rnd = new Random(41);
    for (int k : new int[] {5, FusedCurvatureProducts.BLOCK_SAMPLES, 150}) {
      Dataset d = sparseDataset(rnd, c, k);
      // every product fused (the default takes the fused path for one direction only)
      TwoLayerNet fused = new TwoLayerNet(c, d, Integer.MAX_VALUE, Integer.MAX_VALUE);
      TwoLayerNet tape = new TwoLayerNet(c, d, Integer.MAX_VALUE, 0);
      for (int point = 0; point < 2; point++) {
        double[] theta = Fixtures.gaussian(rnd, c.layout().size(), 0.7);
        for (int m : new int[] {1, 3, 11}) {
          double[] v = Fixtures.gaussian(rnd, theta.length * m, 1.0);
          String what = c.activation() + " k=" + k + " m=" + m + " point " + point;
          for (int round = 0; round < 2; round++) {
            assertAgree(fused, tape, theta, v, m, true, what + ": H V");
            assertAgree(fused, tape, theta, v, m, false, what + ": G V");
          }
          assertTrue(fused.usedFusedProducts(), what);
          assertFalse(tape.usedFusedProducts(), what);
        }
      }
    }
  }

  /** The Hessian product equals central differences of the gradient (an independent oracle). */
  @ParameterizedTest
  @MethodSource("nets")
  void hessianProductMatchesDifferencesOfTheGradient(NetworkConfig c) {
    Random rnd = new Random(42);
    Dataset d = sparseDataset(rnd, c, 97);
    TwoLayerNet net = new TwoLayerNet(c, d);
    double[] theta = Fixtures.gaussian(rnd, c.layout().size(), 0.7);
    double[] v = Fixtures.gaussian(rnd, theta.length, 1.0);
    double[] hv = new double[theta.length];
    net.hessianTimes(theta, v, 1, hv);
    assertTrue(net.usedFusedProducts());
    double eps = 1e-5;
    double[] plus = new double[theta.length];
    double[] minus = new double[theta.length];
    double[] at = theta.clone();
    for (int i = 0; i < at.length; i++) {
      at[i] = theta[i] + eps * v[i];
    }
    net.lossAndGradient(at, plus);
    for (int i = 0; i < at.length; i++) {
      at[i] = theta[i] - eps * v[i];
    }
    net.lossAndGradient(at, minus);
    double[] fd = new double[theta.length];
    for (int i = 0; i < fd.length; i++) {
      fd[i] = (plus[i] - minus[i]) / (2 * eps);
    }
    double err = Fixtures.relativeError(hv, fd);
    assertTrue(err < 1e-7, c.activation() + ": relative error " + err);
  }

  /**
   * By default one direction takes the fused path and several the tape's batched sweep; dense
   * inputs never take it.
   */
  @Test
  void defaultNetFusesSingleDirectionsOnSparseInputsOnly() {
    NetworkConfig c = nets()[0];
    Random rnd = new Random(43);
    double[] theta = Fixtures.gaussian(rnd, c.layout().size(), 0.7);
    double[] two = Fixtures.gaussian(rnd, 2 * theta.length, 1.0);
    double[] out = new double[two.length];
    TwoLayerNet sparse = new TwoLayerNet(c, sparseDataset(rnd, c, 70));
    sparse.hessianTimes(theta, two, 2, out);
    assertFalse(sparse.usedFusedProducts());
    sparse.hessianTimes(theta, new double[theta.length], 1, new double[theta.length]);
    assertTrue(sparse.usedFusedProducts());
    TwoLayerNet dense = new TwoLayerNet(c, Fixtures.dataset(rnd, c, 70));
    dense.hessianTimes(theta, new double[theta.length], 1, new double[theta.length]);
    assertFalse(dense.usedFusedProducts());
  }

  /** The fused path is taken only where it applies: other losses use the tape. */
  @Test
  void preparedFusedProductsGiveTheBitsOfProductsThatBuildThemOnFirstUse() {
    NetworkConfig c = nets()[0];
    Random rnd = new Random(47);
    double[] theta = Fixtures.gaussian(rnd, c.layout().size(), 0.7);
    double[] v = Fixtures.gaussian(rnd, theta.length, 1.0);
    Dataset data = sparseDataset(rnd, c, 70);
    TwoLayerNet prepared = new TwoLayerNet(c, data);
    prepared.prepareCurvatureProducts(1);
    TwoLayerNet lazy = new TwoLayerNet(c, data);
    double[] a = new double[theta.length];
    double[] b = new double[theta.length];
    prepared.hessianTimes(theta, v, 1, a);
    lazy.hessianTimes(theta, v, 1, b);
    assertTrue(prepared.usedFusedProducts() && lazy.usedFusedProducts());
    for (int i = 0; i < a.length; i++) {
      assertEquals(Double.doubleToRawLongBits(b[i]), Double.doubleToRawLongBits(a[i]), "entry " + i);
    }
  }

  /**
   * Batched sweeps over a batch split in parts, prepared ahead (parts recorded at no point, their
   * sparse inputs' product structures built) and at a point, have the bits of sweeps that record
   * the parts at that point and build the structures on first use.
   */
  @Test
  void preparedBatchedSweepsGiveTheBitsOfSweepsThatRecordAndBuildOnFirstUse() {
    NetworkConfig c = nets()[0];
    Random rnd = new Random(48);
    int m = 3;
    double[] theta = Fixtures.gaussian(rnd, c.layout().size(), 0.7);
    double[] v = Fixtures.gaussian(rnd, theta.length * m, 1.0);
    Dataset data = sparseDataset(rnd, c, 70);
    TwoLayerNet prepared = new TwoLayerNet(c, data, 25, TwoLayerNet.FUSED_MAX_DIRECTIONS);
    prepared.prepareCurvatureProducts(m);
    TwoLayerNet lazy = new TwoLayerNet(c, data, 25, TwoLayerNet.FUSED_MAX_DIRECTIONS);
    double[] a = new double[v.length];
    double[] b = new double[v.length];
    prepared.hessianTimes(theta, v, m, a);
    lazy.hessianTimes(theta, v, m, b);
    assertFalse(prepared.usedFusedProducts() || lazy.usedFusedProducts());
    for (int i = 0; i < a.length; i++) {
      assertEquals(Double.doubleToRawLongBits(b[i]), Double.doubleToRawLongBits(a[i]), "entry " + i);
    }
  }

  @Test
  void appliesToSoftmaxCrossEntropyWithADenseFirstLayerOnly() {
    assertTrue(FusedCurvatureProducts.supports(Presets.mnist()));
    for (NetworkConfig c : Fixtures.tinyNets()) {
      boolean expected = c.loss() == Loss.CROSS_ENTROPY && c.denseFirstLayer();
      assertTrue(FusedCurvatureProducts.supports(c) == expected, c.toString());
    }
    assertFalse(FusedCurvatureProducts.supports(Presets.seed002(5, 3)));
  }

  private static void assertAgree(TwoLayerNet fused, TwoLayerNet tape, double[] theta,
      double[] v, int m, boolean hessian, String what) {
    double[] a = new double[v.length];
    double[] b = new double[v.length];
    fused.curvatureTimes(hessian ? Curvature.HESSIAN : Curvature.GAUSS_NEWTON, theta, v, m, a);
    tape.curvatureTimes(hessian ? Curvature.HESSIAN : Curvature.GAUSS_NEWTON, theta, v, m, b);
    double err = Fixtures.relativeError(a, b);
    assertTrue(err < 1e-12, what + ": relative error " + err);
  }
}
