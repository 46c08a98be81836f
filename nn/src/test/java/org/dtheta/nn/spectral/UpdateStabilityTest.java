package org.dtheta.nn.spectral;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.dtheta.core.linalg.Lanczos;
import org.dtheta.core.linalg.SpectralFixtures;
import org.dtheta.core.linalg.SpectrumResult;
import org.junit.jupiter.api.Test;

/**
 * The gradient-descent stability reading of a Hessian spectrum (the Lanczos runs themselves are
 * tested against EJML in core's {@code LanczosTest}; the fixtures come from core's test jar).
 */
class UpdateStabilityTest {

  @Test
  void twoLayerNetworkHessianHasThreeNegativeDirectionsAtLeast() {
    SpectralFixtures.TwoLayerHessian net = new SpectralFixtures.TwoLayerHessian(21);
    int p = net.p;
    SpectrumResult s = new Lanczos(net.map()).largest(3).smallest(3).maxKrylovDimension(p)
        .tolerance(1e-8).seed(2).run();
    assertTrue(s.allConverged(), "stop " + s.stop());
    UpdateStability u = UpdateStability.of(s, 0.1);
    assertEquals(3, u.negative());
    assertTrue(u.negativeIsLowerBound());
  }

  @Test
  void updateStabilityReadsTheHessianSpectrum() {
    int n = 50;
    double[] d = new double[n];
    Random rnd = new Random(12);
    for (int i = 0; i < n; i++) {
      d[i] = 1.0 + 10.0 * rnd.nextDouble();
    }
    d[0] = 25.0;
    d[1] = 21.0;
    d[2] = 19.5;
    d[3] = -0.5;
    d[4] = -0.1;
    double[] a = SpectralFixtures.withSpectrum(d, 12);
    SpectrumResult s = new Lanczos(new SpectralFixtures.DenseMap(a, n)).largest(3).smallest(3)
        .maxKrylovDimension(n).tolerance(1e-10).run();
    UpdateStability u = UpdateStability.of(s, 0.1);
    assertEquals(20.0, u.edgeOfStability(), 0.0);
    assertEquals(25.0, u.sharpness(), 1e-9);
    assertTrue(u.sharpnessConverged());
    assertEquals(1.25, u.sharpnessOverEdge(), 1e-9);
    assertEquals(2, u.aboveEdge());
    assertFalse(u.aboveEdgeIsLowerBound());
    assertEquals(2, u.negative());
    assertFalse(u.negativeIsLowerBound());
    assertEquals(1.0 - 0.1 * 25.0, u.largestUpdateEigenvalues()[0], 1e-10);
    assertEquals(1.0 - 0.1 * -0.5, u.smallestUpdateEigenvalues()[0], 1e-10);
    assertEquals(1.5, u.updateNorm(), 1e-10);
    assertTrue(UpdateStability.isExpanding(20.5, 0.1));
    assertTrue(UpdateStability.isExpanding(-1e-3, 0.1));
    assertFalse(UpdateStability.isExpanding(19.9, 0.1));
    assertFalse(UpdateStability.isExpanding(0.0, 0.1));
    assertTrue(u.summary().contains("2 above the edge"), u.summary());

    // The same reading from a run on Df = I - alpha A itself.
    double[] df = new double[n * n];
    for (int i = 0; i < n * n; i++) {
      df[i] = (i % (n + 1) == 0 ? 1.0 : 0.0) - 0.1 * a[i];
    }
    SpectrumResult onDf = new Lanczos(new SpectralFixtures.DenseMap(df, n)).largest(3)
        .smallest(3).maxKrylovDimension(n).tolerance(1e-10).run();
    UpdateStability v = UpdateStability.ofUpdateJacobian(onDf, 0.1);
    assertArrayEquals(u.largestHessianEigenvalues(), v.largestHessianEigenvalues(), 1e-8);
    assertArrayEquals(u.smallestHessianEigenvalues(), v.smallestHessianEigenvalues(), 1e-8);
    assertArrayEquals(onDf.smallest().values(), v.largestUpdateEigenvalues(), 1e-12);
    assertEquals(u.aboveEdge(), v.aboveEdge());
    assertEquals(u.negative(), v.negative());
    assertEquals(u.updateNorm(), v.updateNorm(), 1e-9);
  }
}
