package org.dtheta.core.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.dtheta.core.Hessians;
import org.dtheta.core.Ops;
import org.dtheta.core.ShapeException;
import org.dtheta.core.Tape;
import org.dtheta.core.Var;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Hessian of a function recorded on a tape, as a {@link HessianMap}, gets the same extreme
 * eigenvalues from {@link Lanczos} as the dense Hessian ({@link Hessians#hessian}) gets from
 * {@link SymmetricEigensolver} and from EJML, and for a quadratic as its known matrix has.
 */
class HessianMapTest {

  /** {@code f(w) = 1/2 w^T A w}, whose Hessian is {@code A}. */
  private static Var quadratic(Tape tape, double[] a, int n) {
    Var am = tape.constant(a, n, n);
    Var w = tape.variable(n, 1);
    return Ops.scale(Ops.sum(Ops.mul(w, Ops.matmul(am, w))), 0.5);
  }

  @ParameterizedTest(name = "n={0} block={1}")
  @CsvSource({"12, 1", "40, 1", "40, 4"})
  void quadraticWithKnownSpectrum(int n, int block) {
    Random rnd = new Random(n);
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = -2.0 + 6.0 * rnd.nextDouble();
    }
    d[0] = 9.5;
    d[1] = -4.25;
    double[] a = SpectralFixtures.withSpectrum(d, 7 + n);
    Tape tape = new Tape();
    Var f = quadratic(tape, a, n);
    double[] theta = new double[n];
    for (int i = 0; i < n; i++) {
      theta[i] = rnd.nextGaussian();
    }
    double[] known = d.clone();
    Arrays.sort(known);

    HessianMap h = HessianMap.of(f, theta);
    assertEquals(n, h.dimension());
    SpectrumResult s = new Lanczos(h).largest(2).smallest(2).blockSize(block)
        .maxKrylovDimension(n).tolerance(1e-12).seed(5).run();
    assertTrue(s.allConverged(), "stop " + s.stop());
    assertEnds(known, s, 1e-8);
    assertEnds(denseEigenvalues(f, theta), s, 1e-8);
  }

  /** The README's function: {@code sum_i (tanh(x_i . w) - y_i)^2 + (0.1 / 2) |w|^2}. */
  private static Var tanhRegression(Tape tape, double[] x, double[] y, int samples, int features) {
    Var xs = tape.constant(x, samples, features);
    Var ys = tape.constant(y, samples, 1);
    Var w = tape.variable(features, 1);
    return Ops.add(Ops.squaredError(Ops.tanh(Ops.matmul(xs, w)), ys), Ops.l2Penalty(w, 0.1));
  }

  @Test
  void readmeTanhRegressionAtItsPoint() {
    Tape tape = new Tape();
    Var f = tanhRegression(tape, new double[] {1, 2, 0, 1, -1, 0.5},
        new double[] {0.5, 0, -0.5}, 3, 2);
    double[] theta = {0.3, -0.4};
    SpectrumResult s = new Lanczos(HessianMap.of(f, theta)).largest(1).smallest(1).run();
    assertEnds(denseEigenvalues(f, theta), s, 1e-8);
  }

  @ParameterizedTest(name = "{0} samples, {1} features, block {2}")
  @CsvSource({"50, 30, 1", "50, 30, 3", "20, 45, 5"})
  void largerTanhRegressionWithNegativeCurvature(int samples, int features, int block) {
    Random rnd = new Random(samples * 100 + features);
    double[] x = new double[samples * features];
    for (int i = 0; i < x.length; i++) {
      x[i] = rnd.nextGaussian();
    }
    double[] y = new double[samples];
    for (int i = 0; i < samples; i++) {
      y[i] = 2.0 * rnd.nextDouble() - 1.0;
    }
    Tape tape = new Tape();
    Var f = tanhRegression(tape, x, y, samples, features);
    double[] theta = new double[features];
    for (int i = 0; i < features; i++) {
      theta[i] = 0.5 * rnd.nextGaussian();
    }
    double[] dense = denseEigenvalues(f, theta);
    assertTrue(dense[0] < 0.0, "the fixture should have negative curvature: " + dense[0]);
    assertArrayEquals(SpectralFixtures.ejmlEigenvalues(denseHessian(f, theta), features), dense,
        1e-10 * Math.max(1.0, SpectralFixtures.maxAbs(dense)), "SymmetricEigensolver vs EJML");
    SpectrumResult s = new Lanczos(HessianMap.of(f, theta)).largest(3).smallest(3)
        .blockSize(block).maxKrylovDimension(features / block * block).tolerance(1e-12).seed(3)
        .run();
    assertTrue(s.allConverged(), "stop " + s.stop());
    assertEnds(dense, s, 1e-8);
  }

  @Test
  void theMapIsTheHessianProductAtACopyOfThePoint() {
    Tape tape = new Tape();
    Var f = tanhRegression(tape, new double[] {1, 2, 0, 1, -1, 0.5},
        new double[] {0.5, 0, -0.5}, 3, 2);
    double[] theta = {0.3, -0.4};
    HessianMap h = HessianMap.of(f, theta);
    theta[0] = 7.0; // the map keeps its own copy
    assertArrayEquals(new double[] {0.3, -0.4}, h.point(), 0.0);
    double[] hv = new double[2];
    h.apply(new double[] {1, -1}, 1, hv);
    double[] expected = new double[2];
    Hessians.hessianVectorProduct(f, new double[] {0.3, -0.4}, new double[] {1, -1}, null,
        expected);
    assertArrayEquals(expected, hv, 0.0);
  }

  @Test
  void rejectsAWrongPointOrANonScalarOutput() {
    Tape tape = new Tape();
    Var w = tape.variable(3, 1);
    Var f = Ops.sum(Ops.mul(w, w));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> HessianMap.of(f, new double[2]));
    assertTrue(e.getMessage().contains("3 parameters"), e.getMessage());
    assertThrows(ShapeException.class, () -> HessianMap.of(Ops.mul(w, w), new double[3]));
    assertThrows(IllegalArgumentException.class, () -> HessianMap.of(null, new double[3]));
  }

  private static double[] denseHessian(Var f, double[] theta) {
    return SpectralFixtures.symmetrized(Hessians.hessian(f, theta), theta.length);
  }

  /** Ascending eigenvalues of the dense Hessian, by this package's dense solver. */
  private static double[] denseEigenvalues(Var f, double[] theta) {
    return SymmetricEigensolver.decompose(denseHessian(f, theta), theta.length, false).values();
  }

  /** The requested ends of {@code s} match the ascending {@code expected}, relative to scale. */
  private static void assertEnds(double[] expected, SpectrumResult s, double relative) {
    int n = expected.length;
    double tolerance = relative * Math.max(1.0, SpectralFixtures.maxAbs(expected));
    double[] top = s.largest().values();
    for (int j = 0; j < top.length; j++) {
      assertEquals(expected[n - 1 - j], top[j], tolerance, "largest #" + j);
    }
    double[] bottom = s.smallest().values();
    for (int j = 0; j < bottom.length; j++) {
      assertEquals(expected[j], bottom[j], tolerance, "smallest #" + j);
    }
  }
}
