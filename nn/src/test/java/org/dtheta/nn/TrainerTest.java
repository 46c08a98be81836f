package org.dtheta.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Gradient descent by repeated update-map steps. */
class TrainerTest {

  @Test
  void stepsAreUpdateMapStepsWithTheirLossAndGradientNorm() {
    NetworkConfig c = Fixtures.tinyNets()[0];
    Random rnd = new Random(41);
    Dataset d = Fixtures.dataset(rnd, c, 12);
    TwoLayerNet net = new TwoLayerNet(c, d);
    UpdateMap map = new UpdateMap(net);
    double[] theta = Initializer.fanIn(1).initialize(c);
    double[] expected = theta.clone();
    List<double[]> seen = new ArrayList<>();
    List<Trainer.Step> steps = new Trainer(map).run(theta, 4, (s, th) -> seen.add(th.clone()));
    assertEquals(4, steps.size());
    for (int s = 0; s < 4; s++) {
      double[] g = new double[expected.length];
      double loss = net.lossAndGradient(expected, g);
      double norm = 0;
      for (double gi : g) {
        norm += gi * gi;
      }
      Trainer.Step step = steps.get(s);
      assertEquals(s, step.step());
      assertEquals(loss, step.loss(), 0.0);
      assertEquals(Math.sqrt(norm), step.gradientNorm(), 1e-15 * Math.sqrt(norm));
      for (int i = 0; i < g.length; i++) {
        expected[i] -= c.learningRate() * g[i];
      }
      assertArrayEquals(expected, seen.get(s), 1e-15);
    }
    assertArrayEquals(expected, theta, 1e-15);
  }

  @Test
  void lossFallsOnASmallProblemAndRunsStopAtANonFiniteLoss() {
    NetworkConfig c = Fixtures.tinyNets()[2].withLearningRate(0.5);
    Random rnd = new Random(42);
    Dataset d = Fixtures.dataset(rnd, c, 20);
    double[] theta = Initializer.fanIn(2).initialize(c);
    List<Trainer.Step> steps = new Trainer(new UpdateMap(new TwoLayerNet(c, d))).run(theta, 30, null);
    for (int s = 1; s < 30; s++) {
      assertTrue(steps.get(s).loss() < steps.get(s - 1).loss(), "step " + s + ": " + steps.get(s));
    }
    assertTrue(steps.get(29).loss() < 0.95 * steps.get(0).loss(), steps.get(0) + " -> " + steps.get(29));

    // a sigmoid net (ReLU would map the NaN input to 0 and only fail one step later)
    NetworkConfig sigmoid = Fixtures.tinyNets()[0];
    Dataset data = Fixtures.dataset(rnd, sigmoid, 6);
    double[] x = data.x().clone();
    x[0] = Double.NaN;
    Dataset broken = new Dataset(x, data.targets(), data.k(), data.inputs(), data.outputs());
    List<Trainer.Step> stopped = new Trainer(new UpdateMap(new TwoLayerNet(sigmoid, broken)))
        .run(Initializer.fanIn(2).initialize(sigmoid), 5, null);
    assertEquals(1, stopped.size());
    assertTrue(Double.isNaN(stopped.get(0).loss()));
  }
}
