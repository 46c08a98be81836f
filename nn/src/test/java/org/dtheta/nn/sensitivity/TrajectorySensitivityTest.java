package org.dtheta.nn.sensitivity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.dtheta.nn.Activation;
import org.dtheta.nn.Dataset;
import org.dtheta.nn.Mlp;
import org.dtheta.nn.Objective;
import org.dtheta.nn.Presets;
import org.dtheta.nn.TwoLayerNet;
import org.dtheta.nn.UpdateMap;
import org.junit.jupiter.api.Test;

/**
 * Sensitivities of whole gradient-descent runs against central differences of whole runs
 * (retrained from {@code alpha +- eps} and from {@code theta^0 +- eps e_i}), which use only
 * losses and gradients, never a Hessian product; and the tangent against the adjoint.
 */
class TrajectorySensitivityTest {

  /** {@code k} samples of {@code inputs} features in [0, 1) (a third exactly 0) with random labels. */
  static Dataset data(long seed, int k, int inputs, int classes) {
    Random rnd = new Random(seed);
    double[] x = new double[k * inputs];
    for (int i = 0; i < x.length; i++) {
      x[i] = rnd.nextDouble() < 0.3 ? 0.0 : rnd.nextDouble();
    }
    int[] labels = new int[k];
    for (int i = 0; i < k; i++) {
      labels[i] = rnd.nextInt(classes);
    }
    return Dataset.ofLabels(x, labels, inputs, classes);
  }

  static double[] initial(long seed, int p, double std) {
    Random rnd = new Random(seed);
    double[] theta = new double[p];
    for (int i = 0; i < p; i++) {
      theta[i] = std * rnd.nextGaussian();
    }
    return theta;
  }

  /** theta^0..theta^T of gradient descent on {@code loss} with step {@code alpha}. */
  static double[][] train(Objective loss, double alpha, double[] theta0, int steps) {
    UpdateMap map = UpdateMap.of(loss, alpha);
    double[][] thetas = new double[steps + 1][];
    thetas[0] = theta0.clone();
    for (int t = 0; t < steps; t++) {
      thetas[t + 1] = new double[theta0.length];
      map.apply(thetas[t], thetas[t + 1]);
    }
    return thetas;
  }

  /** {@code L_obs(theta^T)} of a whole run retrained from scratch. */
  static double finalLoss(Objective loss, Objective observable, double alpha, double[] theta0,
      int steps) {
    return observable.loss(train(loss, alpha, theta0, steps)[steps]);
  }

  /**
   * Checks every derivative of a {@code steps}-step run of {@code loss} at {@code alpha} from
   * {@code theta0}, observing {@code observable}, against central differences of whole runs.
   */
  static void checkAgainstRetraining(Objective loss, Objective observable, double alpha,
      double[] theta0, int steps) {
    double[][] thetas = train(loss, alpha, theta0, steps);
    TrajectorySensitivity sensitivity = new TrajectorySensitivity(UpdateMap.of(loss, alpha));
    if (observable != loss) {
      sensitivity.observable(observable);
    }
    Sensitivities s = sensitivity.run(t -> thetas[t], steps);
    assertEquals(steps, s.steps());
    assertEquals(observable.loss(thetas[steps]), s.lossFinal(), 1e-15);
    assertEquals(0.0, s.replayError(), "the run is this map's own");

    // dL_T/d alpha: tangent and adjoint agree to rounding, and both match retraining
    assertTrue(s.relativeDifference() < 1e-10, s.dlossDalphaTangent() + " vs "
        + s.dlossDalphaAdjoint() + " (" + s.relativeDifference() + ")");
    double eps = 1e-5 * alpha;
    double fd = (finalLoss(loss, observable, alpha + eps, theta0, steps)
        - finalLoss(loss, observable, alpha - eps, theta0, steps)) / (2 * eps);
    assertEquals(fd, s.dlossDalphaTangent(), 1e-7 * Math.abs(fd), "dL_T/d alpha");
    assertTrue(Math.abs(fd) > 1e-3, "the run depends on alpha: " + fd);

    // d theta^T / d alpha, the whole vector
    double[] up = train(loss, alpha + eps, theta0, steps)[steps];
    double[] down = train(loss, alpha - eps, theta0, steps)[steps];
    double[] fdTheta = new double[up.length];
    double scale = 0;
    for (int i = 0; i < up.length; i++) {
      fdTheta[i] = (up[i] - down[i]) / (2 * eps);
      scale = Math.max(scale, Math.abs(fdTheta[i]));
    }
    assertArrayEquals(fdTheta, s.dthetaDalpha(), 1e-6 * scale, "d theta^T / d alpha");

    // grad_(theta^0) L_T at sampled components (every P-th / 7, and the largest)
    int p = theta0.length;
    double gradScale = 0;
    int largest = 0;
    for (int i = 0; i < p; i++) {
      if (Math.abs(s.dlossDtheta0()[i]) > gradScale) {
        gradScale = Math.abs(s.dlossDtheta0()[i]);
        largest = i;
      }
    }
    assertTrue(gradScale > 1e-3, "the final loss depends on theta^0");
    for (int i : new int[] {0, p / 7, 2 * p / 7, 3 * p / 7, 4 * p / 7, 5 * p / 7, p - 1, largest}) {
      double h = 1e-5;
      double[] plus = theta0.clone();
      double[] minus = theta0.clone();
      plus[i] += h;
      minus[i] -= h;
      double fdi = (finalLoss(loss, observable, alpha, plus, steps)
          - finalLoss(loss, observable, alpha, minus, steps)) / (2 * h);
      assertEquals(fdi, s.dlossDtheta0()[i], 1e-6 * gradScale, "dL_T/d theta^0_" + i);
    }
  }

  @Test
  void twoLayerNetMatchesRetraining() {
    Dataset train = data(1, 9, 6, 3);
    TwoLayerNet net = new TwoLayerNet(Presets.mnist().withInputs(6).withHidden(4).withOutputs(3),
        train);
    checkAgainstRetraining(net, net, 0.8, initial(2, net.dimension(), 0.7), 12);
  }

  @Test
  void twoLayerNetWithL2ObservingHeldOutDataMatchesRetraining() {
    // the observable is the same network's loss on other samples (a test loss)
    var config = Presets.seed003(0.3).withInputs(6).withHidden(5).withOutputs(3);
    TwoLayerNet net = new TwoLayerNet(config, data(3, 8, 6, 3));
    TwoLayerNet heldOut = new TwoLayerNet(config, data(4, 5, 6, 3));
    checkAgainstRetraining(net, heldOut, 0.5, initial(5, net.dimension(), 0.5), 20);
  }

  @Test
  void mlpOfDepthThreeMatchesRetraining() {
    Mlp mlp = new Mlp(new int[] {6, 5, 4, 3}, Activation.TANH, 0.0, data(6, 10, 6, 3));
    checkAgainstRetraining(mlp, mlp, 0.6, initial(7, mlp.dimension(), 0.6), 15);
  }

  @Test
  void mlpObservingHeldOutDataMatchesRetraining() {
    int[] sizes = {6, 4, 3, 3};
    Mlp mlp = new Mlp(sizes, Activation.SIGMOID, 0.0, data(8, 7, 6, 3));
    Mlp heldOut = new Mlp(sizes, Activation.SIGMOID, 0.0, data(9, 6, 6, 3));
    checkAgainstRetraining(mlp, heldOut, 1.5, initial(10, mlp.dimension(), 1.0), 5);
  }

  @Test
  void routesAloneGiveWhatBothGiveAndZeroStepsIsTheGradient() {
    Mlp mlp = new Mlp(new int[] {6, 4, 3, 3}, Activation.TANH, 0.0, data(11, 6, 6, 3));
    UpdateMap map = UpdateMap.of(mlp, 0.4);
    double[][] thetas = train(mlp, 0.4, initial(12, mlp.dimension(), 0.5), 6);
    Sensitivities both = new TrajectorySensitivity(map).run(t -> thetas[t], 6);
    TrajectorySensitivity.Tangent tangent = new TrajectorySensitivity(map).tangent(t -> thetas[t], 6);
    TrajectorySensitivity.Adjoint adjoint = new TrajectorySensitivity(map).adjoint(t -> thetas[t], 6);
    assertArrayEquals(both.dthetaDalpha(), tangent.dthetaDalpha(), 0.0);
    assertArrayEquals(both.dlossDtheta0(), adjoint.dlossDtheta0(), 0.0);
    assertEquals(both.dlossDalphaTangent(), tangent.dlossDalpha(), 0.0);
    assertEquals(both.dlossDalphaAdjoint(), adjoint.dlossDalpha(), 0.0);

    Sensitivities none = new TrajectorySensitivity(map).run(t -> thetas[t], 0);
    double[] gradient = new double[mlp.dimension()];
    assertEquals(mlp.lossAndGradient(thetas[0], gradient), none.lossFinal());
    assertArrayEquals(gradient, none.dlossDtheta0(), 0.0);
    assertArrayEquals(new double[mlp.dimension()], none.dthetaDalpha(), 0.0);
    assertEquals(0.0, none.dlossDalphaAdjoint());
  }

  @Test
  void progressCountsBothRoutes() {
    Mlp mlp = new Mlp(new int[] {6, 3, 3}, Activation.TANH, 0.0, data(13, 5, 6, 3));
    double[][] thetas = train(mlp, 0.3, initial(14, mlp.dimension(), 0.5), 4);
    StringBuilder seen = new StringBuilder();
    new TrajectorySensitivity(UpdateMap.of(mlp, 0.3))
        .progress((done, total) -> seen.append(done).append('/').append(total).append(' '))
        .run(t -> thetas[t], 4);
    assertEquals("1/8 2/8 3/8 4/8 5/8 6/8 7/8 8/8 ", seen.toString());
  }

  @Test
  void aTrajectoryOfAnotherStepShowsInTheReplayError() {
    Mlp mlp = new Mlp(new int[] {6, 3, 3}, Activation.TANH, 0.0, data(15, 5, 6, 3));
    double[][] thetas = train(mlp, 0.3, initial(16, mlp.dimension(), 0.5), 3);
    Sensitivities s = new TrajectorySensitivity(UpdateMap.of(mlp, 0.33)).run(t -> thetas[t], 3);
    // stored steps are 0.3 g, replayed ones 0.33 g from the same points: off by 0.1 of the step
    assertEquals(0.1, s.replayError(), 1e-9);
    // one step alone, as the command checks before the work
    assertEquals(0.1, new TrajectorySensitivity(UpdateMap.of(mlp, 0.33))
        .replayError(thetas[0], thetas[1]), 1e-9);
    assertEquals(0.0, new TrajectorySensitivity(UpdateMap.of(mlp, 0.3))
        .replayError(thetas[1], thetas[2]));
  }

  @Test
  void badInputIsNamed() {
    Mlp mlp = new Mlp(new int[] {6, 3, 3}, Activation.TANH, 0.0, data(17, 5, 6, 3));
    Mlp other = new Mlp(new int[] {6, 4, 3}, Activation.TANH, 0.0, data(17, 5, 6, 3));
    TrajectorySensitivity s = new TrajectorySensitivity(UpdateMap.of(mlp, 0.3));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> s.observable(other))
        .getMessage().contains("dimension"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> s.run(t -> new double[3], 2))
        .getMessage().contains("theta at step 0"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> s.run(t -> null, -1))
        .getMessage().contains("steps"));
  }
}
