package org.dtheta.core;

import static org.dtheta.core.TapeThreadsTest.assertBits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Hessians#at}: linearised once, its products equal fresh {@link Hessians} products bit
 * for bit without re-running the forward or the first-order reverse sweep, and it refuses
 * products once the tape has been evaluated elsewhere.
 */
class HessianOperatorTest {

  /** A two-layer net with every kind of curvature, and a probe counting the sweeps. */
  private static final class Net {
    final Tape tape = new Tape();
    final ProbeOp probe;
    final Var loss;

    Net(long seed) {
      Random rnd = new Random(seed); // the data: two nets of one seed are the same function
      Var x = tape.constant(TestVectors.gaussian(rnd, 12 * 5), 12, 5);
      Var w1 = tape.variable(5, 7);
      Var b1 = tape.variable(1, 7);
      probe = ProbeOp.on(Ops.addRowBroadcast(Ops.matmul(x, w1), b1));
      Var w2 = tape.variable(7, 3);
      double[] targets = new double[12 * 3];
      for (int i = 0; i < 12; i++) {
        targets[i * 3 + i % 3] = 1.0;
      }
      Var logits = Ops.matmul(Ops.sigmoid(probe.out()), w2);
      loss = Ops.add(Ops.softmaxCrossEntropy(logits, tape.constant(targets, 12, 3)),
          Ops.add(Ops.l2Penalty(w1, 0.01), Ops.sum(Ops.mul(Ops.tanh(logits), logits))));
    }
  }

  @Test
  void productsEqualFreshProductsBitForBitForOneAndManyDirectionsInAnyOrder() {
    Net net = new Net(5);
    Net fresh = new Net(5); // the same function on a tape of its own, for interleaved products
    int p = net.tape.parameterCount();
    Random rnd = new Random(6);
    double[] theta = TestVectors.gaussian(rnd, p);
    double[] v1 = TestVectors.gaussian(rnd, p);
    double[] v3 = TestVectors.gaussian(rnd, p * 3);
    double[] v8 = TestVectors.gaussian(rnd, p * 8);

    // references by fresh products on the operator's own tape, before linearising it
    double[] gradient = new double[p];
    double[] hv1 = new double[p];
    double value = Hessians.hessianVectorProduct(net.loss, theta, v1, gradient, hv1);
    double[] hv3 = new double[p * 3];
    Hessians.hessianMatrixProduct(net.loss, theta, v3, 3, null, hv3);
    double[] hv8 = new double[p * 8];
    Hessians.hessianMatrixProduct(net.loss, theta, v8, 8, null, hv8);

    HessianOperator op = Hessians.at(net.loss, theta);
    assertEquals(p, op.parameterCount());
    assertEquals(Double.doubleToRawLongBits(value), Double.doubleToRawLongBits(op.value()));
    assertBits(gradient, op.gradient());
    assertBits(theta, op.theta());
    double[] out1 = new double[p];
    double[] out3 = new double[p * 3];
    double[] out8 = new double[p * 8];
    for (int round = 0; round < 3; round++) {
      op.times(v1, out1);
      assertBits(hv1, out1);
      op.times(v3, 3, out3);
      assertBits(hv3, out3);
      op.times(v1, 1, out1);
      assertBits(hv1, out1);
      op.times(v8, 8, out8);
      assertBits(hv8, out8);
      // a fresh product of another direction count on a tape of the same function, in between
      double[] other = new double[p * 3];
      Hessians.hessianMatrixProduct(fresh.loss, theta, v3, 3, null, other);
      assertBits(hv3, other);
      op.times(v3, 3, out3);
      assertBits(hv3, out3);
      double[] freshHv1 = new double[p];
      Hessians.hessianVectorProduct(fresh.loss, theta, v1, null, freshHv1);
      assertBits(freshHv1, out1);
      assertTrue(op.isValid());
    }
  }

  @Test
  void productsRunNeitherTheForwardNorTheFirstOrderReverseSweep() {
    Net net = new Net(7);
    int p = net.tape.parameterCount();
    Random rnd = new Random(8);
    double[] theta = TestVectors.gaussian(rnd, p);
    double[] v = TestVectors.gaussian(rnd, p * 4);
    HessianOperator op = Hessians.at(net.loss, theta);
    int forwards = net.probe.forwardCalls.get();
    int reverses = net.probe.vjpCalls.get();
    for (int i = 0; i < 10; i++) {
      op.times(v, 4, new double[p * 4]);
      op.times(java.util.Arrays.copyOf(v, p), new double[p]);
    }
    assertEquals(forwards, net.probe.forwardCalls.get(), "forward sweeps during products");
    assertEquals(reverses, net.probe.vjpCalls.get(), "first-order reverse sweeps during products");
    // the counters do count: a fresh product runs one of each
    Hessians.hessianMatrixProduct(net.loss, theta, v, 4, null, new double[p * 4]);
    assertEquals(forwards + 1, net.probe.forwardCalls.get());
    assertEquals(reverses + 1, net.probe.vjpCalls.get());
  }

  @Test
  void anEvaluationOfTheTapeMakesTheOperatorStaleAndProductsThrow() {
    Net net = new Net(9);
    int p = net.tape.parameterCount();
    Random rnd = new Random(10);
    double[] theta = TestVectors.gaussian(rnd, p);
    double[] v = TestVectors.gaussian(rnd, p);
    double[] out = new double[p];
    Runnable[] evaluations = {
        () -> Gradients.gradient(net.loss, theta),
        () -> Hessians.hessianVectorProduct(net.loss, theta, v, null, new double[p]),
        () -> Jacobians.jacobian(net.probe.out(), theta),
        () -> Hessians.at(net.loss, theta),
        () -> net.tape.setVariables(theta),
        () -> net.tape.forward(),
        () -> net.tape.reverse(net.loss, null),
        () -> Ops.square(net.loss),
    };
    for (Runnable evaluation : evaluations) {
      HessianOperator op = Hessians.at(net.loss, theta);
      op.times(v, out);
      // tangent-only calls keep it valid
      net.tape.setTangents(v, 1);
      net.tape.forwardTangents(1);
      net.tape.releaseTangents();
      assertTrue(op.isValid());
      op.times(v, out);
      evaluation.run();
      assertFalse(op.isValid());
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> op.times(v, out));
      assertTrue(e.getMessage().contains("is stale") && e.getMessage().contains("Hessians.at"),
          e.getMessage());
      assertThrows(IllegalStateException.class, () -> op.times(v, 1, out));
    }
  }

  @Test
  void argumentsAreCheckedExactly() {
    Net net = new Net(11);
    int p = net.tape.parameterCount();
    double[] theta = new double[p];
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Hessians.at(net.loss, new double[p + 1]));
    assertEquals("Hessians.at: theta has length " + (p + 1) + ", expected P = " + p,
        e.getMessage());
    assertThrows(ShapeException.class, () -> Hessians.at(net.probe.out(), theta));
    HessianOperator op = Hessians.at(net.loss, theta);
    e = assertThrows(IllegalArgumentException.class,
        () -> op.times(new double[p + 1], new double[p]));
    assertEquals("HessianOperator.times: v has length " + (p + 1) + ", expected P = " + p,
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> op.times(new double[p], new double[2 * p]));
    assertEquals("HessianOperator.times: hv has length " + 2 * p + ", expected P = " + p,
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> op.times(new double[2 * p], 0, new double[2 * p]));
    assertEquals("HessianOperator.times: m = 0, expected at least 1", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> op.times(new double[3 * p], 2, new double[2 * p]));
    assertEquals("HessianOperator.times: v has length " + 3 * p + ", expected P*m = " + p
        + "*2 = " + 2 * p, e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> op.times(new double[2 * p], 2, new double[2 * p - 1]));
    assertEquals("HessianOperator.times: out has length " + (2 * p - 1) + ", expected P*m = " + p
        + "*2 = " + 2 * p, e.getMessage());
    assertTrue(op.isValid(), "refused calls leave the operator valid");
  }

  @Test
  void theGradientAndThetaAreCopies() {
    Net net = new Net(12);
    int p = net.tape.parameterCount();
    double[] theta = TestVectors.gaussian(new Random(13), p);
    HessianOperator op = Hessians.at(net.loss, theta);
    double[] expected = Gradients.gradient(new Net(12).loss, theta);
    op.gradient()[0] = 99.0;
    theta[0] = 99.0;
    assertBits(expected, op.gradient());
    assertTrue(op.theta()[0] != 99.0);
    assertEquals(net.loss, op.loss());
  }
}
