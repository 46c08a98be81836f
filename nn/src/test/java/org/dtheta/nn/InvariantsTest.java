package org.dtheta.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The checks researchers make on the MNIST-shaped net (DESIGN.md section 8), on 784-pixel
 * images whose border pixels are dark in every sample: the softmax-shift directions and the
 * W1 rows of always-dark pixels are fixed by Df (eigenvalue 1), and the matching combinations
 * of parameters stay constant along gradient descent.
 */
class InvariantsTest {

  private static final int SIDE = 28;
  private static final int K = 30;

  /** Images lit only inside the central 20 x 20 square (some interior pixels dark too). */
  private static Dataset images(Random rnd) {
    double[] x = new double[K * SIDE * SIDE];
    int[] labels = new int[K];
    for (int i = 0; i < K; i++) {
      labels[i] = rnd.nextInt(10);
      for (int r = 4; r < 24; r++) {
        for (int c = 4; c < 24; c++) {
          x[i * SIDE * SIDE + r * SIDE + c] = rnd.nextDouble() < 0.4 ? rnd.nextInt(256) / 255.0 : 0;
        }
      }
    }
    return Dataset.ofLabels(x, labels, SIDE * SIDE, 10);
  }

  private static List<Integer> darkPixels(Dataset d) {
    List<Integer> dark = new ArrayList<>();
    for (int j = 0; j < d.inputs(); j++) {
      boolean lit = false;
      for (int i = 0; i < d.k() && !lit; i++) {
        lit = d.x()[i * d.inputs() + j] != 0;
      }
      if (!lit) {
        dark.add(j);
      }
    }
    return dark;
  }

  /**
   * The null directions of the loss, each given by its support (entries equal to 1): b2 along
   * ones, each row of W2 along ones, then each W1 entry of each dark pixel. The supports are
   * disjoint, so the directions are linearly independent.
   */
  private static List<int[]> nullDirections(ParamLayout l, List<Integer> dark) {
    int h = l.cols(Block.B1);
    int o = l.cols(Block.B2);
    List<int[]> directions = new ArrayList<>();
    int[] b2 = new int[o];
    for (int r = 0; r < o; r++) {
      b2[r] = l.index(Block.B2, 0, r);
    }
    directions.add(b2);
    for (int q = 0; q < h; q++) {
      int[] row = new int[o];
      for (int r = 0; r < o; r++) {
        row[r] = l.index(Block.W2, q, r);
      }
      directions.add(row);
    }
    for (int j : dark) {
      for (int q = 0; q < h; q++) {
        directions.add(new int[] {l.index(Block.W1, j, q)});
      }
    }
    return directions;
  }

  /** Checks {@code (I - alpha C) v = v} for every direction, 64 per sweep. */
  private static void assertFixed(
      UpdateMap map, Curvature curvature, double[] theta, List<int[]> directions) {
    int p = map.dimension();
    double worst = 0;
    for (int first = 0; first < directions.size(); first += 64) {
      int m = Math.min(64, directions.size() - first);
      double[] v = new double[p * m];
      for (int d = 0; d < m; d++) {
        for (int i : directions.get(first + d)) {
          v[i * m + d] = 1;
        }
      }
      double[] out = new double[p * m];
      map.jacobianTimes(curvature, theta, v, m, out);
      for (int i = 0; i < out.length; i++) {
        worst = Math.max(worst, Math.abs(out[i] - v[i]));
      }
    }
    assertTrue(worst < 1e-13,
        curvature + ": |Df v - v| = " + worst + " over " + directions.size() + " directions");
  }

  @Test
  void eigenvalueOneHasTheMultiplicityOfShiftsAndDarkPixels() {
    Random rnd = new Random(21);
    Dataset d = images(rnd);
    List<Integer> dark = darkPixels(d);
    assertTrue(dark.size() >= 784 - 400, "the border is dark: " + dark.size());
    NetworkConfig c = Presets.mnist().withHidden(12);
    double[] theta = Initializer.gaussian(3, 0.3).initialize(c);
    for (int i = c.layout().offset(Block.B1); i < theta.length; i++) {
      theta[i] += 0.2 * rnd.nextGaussian(); // no special symmetric point
    }
    UpdateMap map = new UpdateMap(new TwoLayerNet(c, d));
    List<int[]> directions = nullDirections(c.layout(), dark);
    assertEquals(1 + 12 + 12 * dark.size(), directions.size());
    assertFixed(map, Curvature.HESSIAN, theta, directions);
    assertFixed(map, Curvature.GAUSS_NEWTON, theta, directions);

    // not vacuous: a lit pixel's W1 row and a plain b2 coordinate do move
    int p = map.dimension();
    double[] probe = new double[p * 2];
    int lit = 14 * SIDE + 14;
    assertTrue(!dark.contains(lit));
    probe[c.layout().index(Block.W1, lit, 0) * 2] = 1;
    probe[c.layout().index(Block.B2, 0, 3) * 2 + 1] = 1;
    double[] out = new double[p * 2];
    map.jacobianTimes(theta, probe, 2, out);
    for (int d2 = 0; d2 < 2; d2++) {
      double moved = 0;
      for (int i = 0; i < p; i++) {
        moved = Math.max(moved, Math.abs(out[i * 2 + d2] - probe[i * 2 + d2]));
      }
      assertTrue(moved > 1e-6, "probe " + d2 + " is not fixed: " + moved);
    }
  }

  @Test
  void fullWidthNetHasTheFiftyOneSoftmaxShiftDirections() {
    Random rnd = new Random(22);
    Dataset d = images(rnd);
    NetworkConfig c = Presets.mnist();
    double[] theta = Initializer.fanIn(4).initialize(c);
    UpdateMap map = new UpdateMap(new TwoLayerNet(c, d));
    List<int[]> shifts = nullDirections(c.layout(), List.of());
    assertEquals(51, shifts.size());
    assertFixed(map, Curvature.HESSIAN, theta, shifts);
  }

  @Test
  void shiftSumsAndDarkPixelRowsStayConstantAlongGradientDescent() {
    Random rnd = new Random(23);
    Dataset d = images(rnd);
    List<Integer> dark = darkPixels(d);
    NetworkConfig c = Presets.mnist().withHidden(12).withLearningRate(0.5);
    ParamLayout l = c.layout();
    double[] theta = Initializer.gaussian(5, 0.5).initialize(c);
    for (int i = 0; i < theta.length; i++) {
      theta[i] += 0.05 * rnd.nextGaussian();
    }
    double[] start = theta.clone();
    double[] before = invariants(l, dark, theta);
    List<Trainer.Step> steps = new Trainer(new UpdateMap(new TwoLayerNet(c, d))).run(theta, 6, null);
    assertEquals(6, steps.size());
    assertTrue(steps.get(5).loss() < steps.get(0).loss(), "descends: " + steps);
    double[] after = invariants(l, dark, theta);
    for (int i = 0; i < before.length; i++) {
      assertEquals(before[i], after[i], 1e-13, "invariant " + i);
    }
    double moved = 0;
    for (int i = 0; i < theta.length; i++) {
      moved = Math.max(moved, Math.abs(theta[i] - start[i]));
    }
    assertTrue(moved > 1e-3, "the other parameters moved: " + moved);
  }

  /** Sum of b2, the row sums of W2, and every W1 entry of every dark pixel. */
  private static double[] invariants(ParamLayout l, List<Integer> dark, double[] theta) {
    int h = l.cols(Block.B1);
    int o = l.cols(Block.B2);
    double[] inv = new double[1 + h + dark.size() * h];
    for (int r = 0; r < o; r++) {
      inv[0] += l.get(theta, Block.B2, 0, r);
      for (int q = 0; q < h; q++) {
        inv[1 + q] += l.get(theta, Block.W2, q, r);
      }
    }
    int at = 1 + h;
    for (int j : dark) {
      for (int q = 0; q < h; q++) {
        inv[at++] = l.get(theta, Block.W1, j, q);
      }
    }
    return inv;
  }
}
