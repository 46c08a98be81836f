package org.dtheta.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.dtheta.core.Gradients;
import org.dtheta.core.Ops;
import org.dtheta.core.Tape;
import org.dtheta.core.Var;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Predictions, accuracy, the shared top builder and the net's input checks. */
class TwoLayerNetTest {

  static NetworkConfig[] nets() {
    return Fixtures.tinyNets();
  }

  @ParameterizedTest
  @MethodSource("nets")
  void predictionsMatchTheLoopNetOnTrainingAndOtherData(NetworkConfig c) {
    Random rnd = new Random(31);
    Dataset train = Fixtures.dataset(rnd, c, 8);
    Dataset other = Fixtures.dataset(rnd, c, 5);
    double[] theta = Fixtures.gaussian(rnd, c.layout().size(), 0.9);
    TwoLayerNet net = new TwoLayerNet(c, train);
    assertArrayEquals(new Reference(c, train, theta).y, net.predict(theta, train), 1e-14);
    assertArrayEquals(new Reference(c, other, theta).y, net.predict(theta, other), 1e-14);
    double[] moved = theta.clone();
    moved[moved.length - 1] += 0.5; // the cached prediction graphs follow theta
    Dataset third = Fixtures.dataset(rnd, c, 3);
    for (int round = 0; round < 2; round++) { // alternating sets, more of them than are cached
      assertArrayEquals(new Reference(c, other, moved).y, net.predict(moved, other), 1e-14);
      assertArrayEquals(new Reference(c, third, theta).y, net.predict(theta, third), 1e-14);
      assertArrayEquals(new Reference(c, train, moved).y, net.predict(moved, train), 1e-14);
      Dataset fourth = Fixtures.dataset(rnd, c, 4);
      assertArrayEquals(new Reference(c, fourth, moved).y, net.predict(moved, fourth), 1e-14);
    }
  }

  @Test
  void accuracyCountsArgmaxHitsOrThresholdHits() {
    NetworkConfig softmax = Fixtures.tinyNets()[0];
    Random rnd = new Random(32);
    Dataset d = Fixtures.dataset(rnd, softmax, 40);
    double[] theta = Fixtures.gaussian(rnd, softmax.layout().size(), 2.0);
    double[] y = new Reference(softmax, d, theta).y;
    int hits = 0;
    for (int i = 0; i < d.k(); i++) {
      int best = 0;
      for (int r = 1; r < 3; r++) {
        best = y[i * 3 + r] > y[i * 3 + best] ? r : best;
      }
      hits += d.targets()[i * 3 + best] == 1 ? 1 : 0;
    }
    assertEquals(hits / 40.0, new TwoLayerNet(softmax, d).accuracy(theta, d), 0.0);

    NetworkConfig binary = Fixtures.tinyNets()[3];
    Dataset b = Fixtures.dataset(rnd, binary, 40);
    double[] tb = Fixtures.gaussian(rnd, binary.layout().size(), 2.0);
    double[] yb = new Reference(binary, b, tb).y;
    int right = 0;
    for (int i = 0; i < b.k(); i++) {
      right += (yb[i] >= 0.5 ? 1.0 : 0.0) == b.targets()[i] ? 1 : 0;
    }
    assertEquals(right / 40.0, new TwoLayerNet(binary, b).accuracy(tb, b), 0.0);
  }

  /**
   * Accuracy read off the logits ({@link Accuracy}) is the largest output's, as {@code predict}
   * gives them, for every output layer with several outputs: at random parameters, at zero
   * (every row's logits tie) and nearly zero (rows within the margin).
   */
  @ParameterizedTest
  @MethodSource("nets")
  void accuracyIsTheLargestOutputs(NetworkConfig c) {
    Random rnd = new Random(41);
    Dataset d = Fixtures.dataset(rnd, c, 60);
    TwoLayerNet net = new TwoLayerNet(c, d);
    int p = c.layout().size();
    double[][] points = {Fixtures.gaussian(rnd, p, 1.0), new double[p],
        Fixtures.gaussian(rnd, p, 1e-12)};
    int o = c.outputs();
    for (double[] theta : points) {
      double[] y = net.predict(theta, d);
      int right = 0;
      for (int i = 0; i < d.k(); i++) {
        right += o == 1
            ? ((y[i] >= 0.5) == (d.targets()[i] >= 0.5) ? 1 : 0)
            : (Accuracy.argmax(y, i * o, o) == Accuracy.argmax(d.targets(), i * o, o) ? 1 : 0);
      }
      assertEquals((double) right / d.k(), net.accuracy(theta, d), 0.0);
    }
  }

  /**
   * buildTop on a variable a1 gives the data loss and dL/dA1, from which the first-layer
   * gradients follow by the chain rule: dL/dW1 = X^T dL/dA1, dL/db1 = column sums; dL/dW2 and
   * dL/db2 agree directly. The L2 term, absent from buildTop, is (l2/k) W.
   */
  @ParameterizedTest
  @MethodSource("nets")
  void buildTopIsTheLossAsAFunctionOfTheFirstPreActivation(NetworkConfig c) {
    Random rnd = new Random(33);
    int k = 7;
    Dataset d = Fixtures.dataset(rnd, c, k);
    double[] theta = Fixtures.gaussian(rnd, c.layout().size(), 0.8);
    ParamLayout l = c.layout();
    Reference ref = new Reference(c, d, theta);
    Tape tape = new Tape();
    Var a1 = tape.variable(ref.a1, k, c.hidden());
    Var w2 = tape.variable(c.hidden(), c.outputs());
    Var b2 = tape.variable(1, c.outputs());
    Var t = tape.constant(d.targets(), k, c.outputs());
    Var top = TwoLayerNet.buildTop(tape, c, a1, w2, b2, t);
    double[] x = new double[tape.parameterCount()];
    System.arraycopy(ref.a1, 0, x, 0, ref.a1.length);
    int top2 = l.length(Block.W2) + l.length(Block.B2); // W2 and b2 are adjacent in both vectors
    System.arraycopy(theta, l.offset(Block.W2), x, ref.a1.length, top2);
    double[] topGrad = new double[x.length];
    double topLoss = Gradients.valueAndGradient(top, x, topGrad);

    TwoLayerNet net = new TwoLayerNet(c, d);
    double[] g = new double[theta.length];
    double loss = net.lossAndGradient(theta, g);
    double squares = 0;
    for (Block b : new Block[] {Block.W1, Block.W2}) {
      for (int i = l.offset(b); i < l.offset(b) + l.length(b); i++) {
        squares += theta[i] * theta[i];
        g[i] -= c.l2() / k * theta[i]; // the data part of the gradient
      }
    }
    assertEquals(loss - c.l2() / (2.0 * k) * squares, topLoss, 1e-14 * Math.abs(loss));

    double[] expected = new double[theta.length];
    int h = c.hidden();
    for (int i = 0; i < k; i++) {
      for (int p = 0; p < h; p++) {
        double dA1 = topGrad[i * h + p];
        expected[l.index(Block.B1, 0, p)] += dA1;
        for (int j = 0; c.denseFirstLayer() && j < c.inputs(); j++) {
          expected[l.index(Block.W1, j, p)] += d.x()[i * c.inputs() + j] * dA1;
        }
      }
    }
    System.arraycopy(topGrad, k * h, expected, l.offset(Block.W2), top2);
    double err = Fixtures.relativeError(g, expected);
    assertTrue(err < 1e-13, "chain rule through buildTop: " + err);
  }

  /**
   * The loss is a sum over samples: split into parts of 1, 4 and 5 samples (the last part
   * shorter), value, gradient and both curvature products agree with the whole batch, so the
   * per-part weights are right for the mean losses (cross-entropy, binary cross-entropy), the
   * summed squared error and the L2 term, which is added once. Products with other directions
   * (as many, then the first ones again) in between still agree: the tangent buffers the parts
   * hand on, and keep from one product to the next, carry no stale directions.
   */
  @ParameterizedTest
  @MethodSource("nets")
  void partsOfTheBatchSumToTheWholeBatch(NetworkConfig c) {
    Random rnd = new Random(35);
    Dataset d = Fixtures.dataset(rnd, c, 11);
    double[] theta = Fixtures.gaussian(rnd, c.layout().size(), 0.8);
    int m = 3;
    double[] v = Fixtures.gaussian(rnd, theta.length * m, 1.0);
    TwoLayerNet whole = new TwoLayerNet(c, d);
    double[] g = new double[theta.length];
    double loss = whole.lossAndGradient(theta, g);
    double[] hv = new double[v.length];
    whole.hessianTimes(theta, v, m, hv);
    double[] gv = new double[v.length];
    whole.gaussNewtonTimes(theta, v, m, gv);
    int m2 = m;
    double[] v2 = Fixtures.gaussian(rnd, theta.length * m2, 1.0);
    // from nets that have run no other product (whose buffers hold no other directions)
    double[] hv2 = new double[v2.length];
    new TwoLayerNet(c, d).hessianTimes(theta, v2, m2, hv2);
    double[] gv2 = new double[v2.length];
    new TwoLayerNet(c, d).gaussNewtonTimes(theta, v2, m2, gv2);
    for (int partSamples : new int[] {1, 4, 5}) {
      TwoLayerNet split = new TwoLayerNet(c, d, partSamples, 0);
      assertEquals(partSamples, split.samplesPerPart(m));
      String what = c.loss() + " l2=" + c.l2() + " in parts of " + partSamples;
      assertEquals(loss, split.loss(theta), 1e-12 * Math.abs(loss), what);
      double[] gs = new double[theta.length];
      assertEquals(loss, split.lossAndGradient(theta, gs), 1e-12 * Math.abs(loss), what);
      assertTrue(Fixtures.relativeError(gs, g) < 1e-12, what + ": gradient");
      for (int round = 0; round < 2; round++) { // again at the same theta: cached parts
        double[] out = new double[v.length];
        split.hessianTimes(theta, v, m, out);
        assertTrue(Fixtures.relativeError(out, hv) < 1e-12, what + ": H V");
        split.gaussNewtonTimes(theta, v, m, out);
        assertTrue(Fixtures.relativeError(out, gv) < 1e-12, what + ": G V");
        double[] out2 = new double[v2.length];
        split.hessianTimes(theta, v2, m2, out2);
        assertTrue(Fixtures.relativeError(out2, hv2) < 1e-12, what + ": H V2");
        split.gaussNewtonTimes(theta, v2, m2, out2);
        assertTrue(Fixtures.relativeError(out2, gv2) < 1e-12, what + ": G V2");
      }
      assertArrayEquals(whole.predict(theta, d), split.predict(theta, d), 1e-14);
    }
  }

  /**
   * Parts recorded for a product are evaluated at its theta as they are recorded: the product
   * has the same bits as one whose parts were recorded at another point and then moved to theta
   * by a forward pass.
   */
  @ParameterizedTest
  @MethodSource("nets")
  void partsRecordedAtThetaMatchPartsMovedToTheta(NetworkConfig c) {
    Random rnd = new Random(36);
    Dataset d = Fixtures.dataset(rnd, c, 11);
    double[] theta = Fixtures.gaussian(rnd, c.layout().size(), 0.8);
    double[] other = Fixtures.gaussian(rnd, theta.length, 0.8);
    int m = 3;
    double[] v = Fixtures.gaussian(rnd, theta.length * m, 1.0);
    for (boolean hessian : new boolean[] {true, false}) {
      double[] atTheta = new double[v.length];
      TwoLayerNet fresh = new TwoLayerNet(c, d, 4, 0);
      double[] moved = new double[v.length];
      TwoLayerNet elsewhere = new TwoLayerNet(c, d, 4, 0);
      if (hessian) {
        fresh.hessianTimes(theta, v, m, atTheta);
        elsewhere.hessianTimes(other, v, m, moved);
        elsewhere.hessianTimes(theta, v, m, moved);
      } else {
        fresh.gaussNewtonTimes(theta, v, m, atTheta);
        elsewhere.gaussNewtonTimes(other, v, m, moved);
        elsewhere.gaussNewtonTimes(theta, v, m, moved);
      }
      assertArrayEquals(moved, atTheta, c.loss() + (hessian ? ": H V" : ": G V"));
    }
  }

  /**
   * Without a forced size, parts follow the tangent budget: the whole batch for values and few
   * directions, {@code budget / (6 (hidden + outputs) m)} samples for many directions.
   */
  @Test
  void partSizeFollowsTheTangentBudget() {
    NetworkConfig c = Fixtures.tinyNets()[0]; // hidden 4, outputs 3
    int k = 20000;
    TwoLayerNet net = new TwoLayerNet(c, Fixtures.dataset(new Random(36), c, k));
    assertEquals(k, net.samplesPerPart(0));
    assertEquals(k, net.samplesPerPart(64));
    long perSample = 6L * (4 + 3) * 2000;
    assertEquals(TangentBudget.DOUBLES / perSample, net.samplesPerPart(2000));
    assertTrue(net.samplesPerPart(2000) < k);
  }

  @Test
  void buildTopChecksShapesAndTapes() {
    NetworkConfig c = Fixtures.tinyNets()[0];
    Tape tape = new Tape();
    Var a1 = tape.variable(5, c.hidden());
    Var w2 = tape.variable(c.hidden(), c.outputs());
    Var b2 = tape.variable(1, c.outputs());
    Var t = tape.constant(new double[5 * c.outputs()], 5, c.outputs());
    Var wrong = tape.variable(c.hidden() + 1, c.outputs());
    Exception e = assertThrows(
        RuntimeException.class, () -> TwoLayerNet.buildTop(tape, c, a1, wrong, b2, t));
    assertTrue(e.getMessage().contains("W2"), e.getMessage());
    Tape other = new Tape();
    Var foreign = other.variable(1, c.outputs());
    e = assertThrows(
        IllegalArgumentException.class, () -> TwoLayerNet.buildTop(tape, c, a1, w2, foreign, t));
    assertTrue(e.getMessage().contains("b2"), e.getMessage());
    assertTrue(Ops.sum(TwoLayerNet.buildTop(tape, c, a1, w2, b2, t)).isActive());
  }

  @Test
  void rejectsDataOfTheWrongWidthAndThetaOfTheWrongLength() {
    NetworkConfig c = Fixtures.tinyNets()[0];
    Random rnd = new Random(34);
    Dataset wide = Fixtures.dataset(rnd, c.withInputs(c.inputs() + 1), 4);
    Exception e = assertThrows(IllegalArgumentException.class, () -> new TwoLayerNet(c, wide));
    assertTrue(e.getMessage().contains("inputs"), e.getMessage());
    TwoLayerNet net = new TwoLayerNet(c, Fixtures.dataset(rnd, c, 4));
    e = assertThrows(IllegalArgumentException.class, () -> net.loss(new double[3]));
    assertTrue(e.getMessage().contains("theta has 3 entries, expected P = "), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> net.predict(new double[net.parameterCount()], wide));
  }

  @Test
  void presetsHaveTheSeedsShapes() {
    ParamLayout mnist = Presets.mnist().layout();
    assertEquals(39760, mnist.size());
    assertEquals(39200, mnist.offset(Block.B1));
    assertEquals(39250, mnist.offset(Block.W2));
    assertEquals(39750, mnist.offset(Block.B2));
    ParamLayout s2 = Presets.seed002(6, 4).layout();
    assertEquals(0, s2.length(Block.W1));
    assertEquals(6 + 24 + 4, s2.size());
    assertEquals(256 * 256 + 256 + 2560 + 10, Presets.seed003(0.1).layout().size());
    assertEquals(0.1, Presets.seed003(0.1).l2());
    assertEquals(10 * 64 + 64 + 64 + 1, Presets.seed004().layout().size());
    assertEquals(Loss.BINARY_CROSS_ENTROPY, Presets.seed004().loss());
  }

  @Test
  void initializerIsSeededAndFollowsTheJavaSpecifiedGaussianStream() {
    NetworkConfig c = Presets.mnist();
    double[] a = Initializer.gaussian(42, 0.01).initialize(c);
    assertArrayEquals(a, Initializer.gaussian(42, 0.01).initialize(c), 0.0);
    // java.util.Random(42).nextGaussian() is fixed by the Java specification
    assertEquals(0.01 * 1.1419053154730547, a[0], 0.0);
    assertEquals(0.01 * 0.9194079489827879, a[1], 0.0);
    ParamLayout l = c.layout();
    for (Block b : new Block[] {Block.B1, Block.B2}) {
      for (int i = l.offset(b); i < l.offset(b) + l.length(b); i++) {
        assertEquals(0.0, a[i], "biases start at zero");
      }
    }
    double[] fan = Initializer.fanIn(7).initialize(c);
    double w1Std = std(fan, l.offset(Block.W1), l.length(Block.W1));
    assertEquals(1 / Math.sqrt(784), w1Std, 0.05 / Math.sqrt(784));
    double w2Std = std(fan, l.offset(Block.W2), l.length(Block.W2));
    assertEquals(1 / Math.sqrt(50), w2Std, 0.1 / Math.sqrt(50));
    assertThrows(IllegalArgumentException.class, () -> Initializer.gaussian(1, -1));
  }

  private static double std(double[] x, int from, int n) {
    double s = 0;
    for (int i = from; i < from + n; i++) {
      s += x[i] * x[i];
    }
    return Math.sqrt(s / n);
  }
}
