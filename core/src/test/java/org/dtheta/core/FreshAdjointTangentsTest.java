package org.dtheta.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The second-order reverse sweep without an up-front zero fill: ops that can overwrite an
 * adjoint tangent nothing has reached yet do so, everything else starts from zero. Checked on
 * the cases that rule could get wrong: a node several overwriting ops feed, a node nothing
 * feeds while its buffer holds an earlier sweep's numbers, and repeated sweeps.
 */
class FreshAdjointTangentsTest {

  private final Random rnd = new Random(31);

  /**
   * {@code z = x w} feeds a sigmoid, a square, a matrix product and a bias add, all of which
   * may overwrite: only the first may, so {@code H v} must match differences of the gradient.
   */
  @Test
  void aNodeWithSeveralConsumersSumsEveryContribution() {
    Tape t = new Tape();
    Var x = t.variable(3, 4);
    Var w = t.variable(4, 2);
    Var u = t.variable(2, 3);
    Var b = t.variable(1, 2);
    Var z = Ops.matmul(x, w);
    Var loss = Ops.add(
        Ops.add(Ops.sum(Ops.sigmoid(z)), Ops.sum(Ops.square(z))),
        Ops.add(Ops.sum(Ops.tanh(Ops.matmul(z, u))), Ops.sum(Ops.exp(Ops.addRowBroadcast(z, b)))));
    int p = t.parameterCount();
    double[] theta = TestVectors.gaussian(rnd, p);
    for (int i = 0; i < p; i++) {
      theta[i] *= 0.5;
    }
    double[] v = TestVectors.gaussian(rnd, p);
    double[] hv = new double[p];
    Hessians.hessianVectorProduct(loss, theta, v, null, hv);
    double[] fd = FiniteDifferences.directional(th -> Gradients.gradient(loss, th), theta, v, 1e-5);
    double error = FiniteDifferences.relativeError(hv, fd, DerivativeChecks.FLOOR);
    assertTrue(error < DerivativeChecks.FD_TOLERANCE, "H v vs differences of the gradient: " + error);
    // the same product again, the buffers now full of the first sweep's numbers
    double[] again = new double[p];
    Hessians.hessianVectorProduct(loss, theta, v, null, again);
    org.junit.jupiter.api.Assertions.assertArrayEquals(hv, again, 0.0);
  }

  /**
   * After a sweep to an output that uses {@code y}, a sweep to one that does not (at the same
   * point, so no forward sweep in between) must give {@code y} and an unused variable exactly
   * zero rows of {@code H V}, although ops on {@code y} are still on the tape (their outputs
   * receive nothing), the buffers hold the first sweep's numbers, and the sigmoid kept a
   * curvature residual from the first output's adjoints.
   */
  @Test
  void aNodeNothingReachesIsZeroNotStale() {
    Tape t = new Tape();
    Var x = t.variable(2, 3);
    Var y = t.variable(3, 2);
    Var unused = t.variable(1, 2);
    Var usesBoth = Ops.sum(Ops.sigmoid(Ops.matmul(x, y)));
    Var offPath = Ops.sigmoid(y); // recorded after, active, not part of either output
    Var usesX = Ops.sum(Ops.square(x));
    int p = t.parameterCount();
    int m = 3;
    double[] theta = TestVectors.gaussian(rnd, p);
    double[] v = TestVectors.gaussian(rnd, p * m);
    t.setVariables(theta);
    t.forward();
    double[] first = secondOrderSweep(t, usesBoth, v, m);
    int yStart = t.parameterOffset(y) * m;
    assertTrue(first[yStart] != 0.0 && offPath.isActive(), "the first sweep reached y");
    // no op reads or writes an unused variable's buffer: make it stale by hand, as a buffer
    // handed over from another tape would be
    java.util.Arrays.fill(unused.adjointTangent(), 7.0);
    double[] second = secondOrderSweep(t, usesX, v, m);
    int unusedStart = t.parameterOffset(unused) * m;
    assertTrue(unusedStart > yStart);
    for (int i = 0; i < p * m; i++) {
      double expected = i < yStart ? 2 * v[i] : 0.0; // H of sum(x^2) is 2 I on x, zero elsewhere
      assertEquals(expected, second[i], 1e-14, "entry " + i + " of H V");
    }
  }

  /**
   * Buffers handed from one tape to another recording of the same function (other data,
   * fewer rows) carry the first tape's numbers; the second tape's product must equal the one
   * it computes with fresh buffers, and the buffers must really be the first tape's.
   */
  @Test
  void handedOverBuffersGiveTheSameProductAsFreshOnes() {
    int m = 3;
    TwoRecordings r = twoRecordings(m);
    int p = r.first.parameterCount();
    Hessians.hessianMatrixProduct(r.firstLoss, r.theta, TestVectors.gaussian(rnd, p * m), m,
        null, new double[p * m]);
    double[] movedTangent = r.first.nodes().get(r.first.nodes().size() - 2).tangent();
    r.first.handTangentsTo(r.second);
    assertTrue(r.first.nodes().allSatisfy(n -> n.tangent() == null && n.adjointTangent() == null));
    double[] reused = new double[p * m];
    Hessians.hessianMatrixProduct(r.secondLoss, r.theta, r.v, m, null, reused);
    org.junit.jupiter.api.Assertions.assertSame(movedTangent,
        r.second.nodes().get(r.second.nodes().size() - 2).tangent(), "the buffer was moved, not copied");
    org.junit.jupiter.api.Assertions.assertArrayEquals(r.secondProduct, reused, 0.0);
  }

  /**
   * Directions loaded into one tape travel with its buffers to the next recording only when
   * every variable's tangent moves, and stop counting as loaded once anything may have changed
   * them: the product of the second tape from carried tangents equals the one from its own
   * {@code setTangents}.
   */
  @Test
  void loadedDirectionsTravelOnlyWithEveryVariablesTangent() {
    int m = 3;
    TwoRecordings r = twoRecordings(m);
    Tape first = r.first;
    Tape second = r.second;
    int p = first.parameterCount();
    assertTrue(!second.holdsLoadedTangents(m), "released");

    first.setTangents(r.v, m);
    assertTrue(first.holdsLoadedTangents(m) && !first.holdsLoadedTangents(m - 1));
    first.handTangentsTo(second);
    assertTrue(second.holdsLoadedTangents(m) && !first.holdsLoadedTangents(m));
    second.setVariables(r.theta);
    second.forward();
    second.reverse(r.secondLoss, null);
    second.forwardTangents(m); // no setTangents: the directions came with the buffers
    second.reverseTangents(r.secondLoss, null, m);
    double[] carried = new double[p * m];
    second.getAdjointTangents(carried, m);
    org.junit.jupiter.api.Assertions.assertArrayEquals(r.secondProduct, carried, 0.0);

    // a tape whose variables keep larger buffers of their own receives no directions
    first.setTangents(TestVectors.gaussian(rnd, p * (m + 2)), m + 2);
    second.handTangentsTo(first);
    assertTrue(!first.holdsLoadedTangents(m) && first.holdsLoadedTangents(m + 2));
    // more directions than loaded may reallocate the variables' tangents
    first.forwardTangents(m + 3);
    assertTrue(!first.holdsLoadedTangents(m + 2));
  }

  /**
   * A tape of another shape may hand an op's buffer to a variable: the receiving tape's
   * directions are then unknown, not its own and not the giver's.
   */
  @Test
  void aVariableGivenAnOpsBufferHoldsNoLoadedDirections() {
    Tape giver = new Tape();
    Var a = giver.variable(2, 2);
    Ops.sigmoid(a);
    Tape taker = new Tape();
    taker.variable(2, 2);
    taker.variable(2, 2);
    taker.setTangents(TestVectors.gaussian(rnd, 8), 1);
    giver.setVariables(TestVectors.gaussian(rnd, 4));
    giver.forward();
    giver.setTangents(TestVectors.gaussian(rnd, 12), 3);
    giver.forwardTangents(3); // the sigmoid's tangent, 12 doubles, outgrows the taker's 4
    giver.handTangentsTo(taker);
    assertTrue(!taker.holdsLoadedTangents(1) && !taker.holdsLoadedTangents(3));
  }

  /** The L2 term alone as the output: the overwrite path of its curvature gives lambda V. */
  @Test
  void anUnseededLossOverwritesItsInputsAdjointTangent() {
    Tape t = new Tape();
    Var w = t.variable(3, 2);
    Var loss = Ops.l2Penalty(w, 0.3);
    int m = 2;
    double[] v = TestVectors.gaussian(rnd, 6 * m);
    double[] hv = new double[6 * m];
    Hessians.hessianMatrixProduct(loss, TestVectors.gaussian(rnd, 6), v, m, null, hv);
    java.util.Arrays.fill(w.adjointTangent(), 7.0); // stale, as handed-over buffers are
    double[] again = new double[6 * m];
    Hessians.hessianMatrixProduct(loss, TestVectors.gaussian(rnd, 6), v, m, null, again);
    for (int i = 0; i < hv.length; i++) {
      assertEquals(0.3 * v[i], hv[i], 1e-15, "entry " + i);
      assertEquals(hv[i], again[i], 0.0, "entry " + i + " over a stale buffer");
    }
  }

  /**
   * Buffers reserved for {@code m} directions before any sweep are the ones the sweep then
   * uses (none reallocated), and the product has the bits of one on a tape that never
   * reserved: reserving allocates in advance, nothing more.
   */
  @Test
  void reservedTangentsAreTheSweepsOwnAndChangeNoBits() {
    int m = 3;
    Tape plain = new Tape();
    Var plainLoss = smallNet(plain, 5, new Random(77));
    Tape reserving = new Tape();
    Var reservingLoss = smallNet(reserving, 5, new Random(77));
    org.junit.jupiter.api.Assertions.assertNull(reservingLoss.tangent(), "nothing before");
    reserving.reserveTangents(m);
    double[] tangent = reservingLoss.tangent();
    double[] adjointTangent = reservingLoss.adjointTangent();
    assertTrue(tangent != null && tangent.length == reservingLoss.size() * m
        && adjointTangent != null && adjointTangent.length == tangent.length,
        "the loss node's buffers hold " + m + " directions");
    int p = plain.parameterCount();
    double[] theta = TestVectors.gaussian(rnd, p);
    double[] v = TestVectors.gaussian(rnd, p * m);
    for (Tape t : new Tape[] {plain, reserving}) {
      t.setVariables(theta);
      t.forward();
    }
    double[] want = secondOrderSweep(plain, plainLoss, v, m);
    double[] got = secondOrderSweep(reserving, reservingLoss, v, m);
    org.junit.jupiter.api.Assertions.assertSame(tangent, reservingLoss.tangent());
    org.junit.jupiter.api.Assertions.assertSame(adjointTangent, reservingLoss.adjointTangent());
    org.junit.jupiter.api.Assertions.assertArrayEquals(want, got, 0.0);
  }

  /**
   * The same small net recorded on 5 and on 4 samples, a point and {@code m} directions, and
   * the second recording's {@code H V} from its own fresh buffers (released afterwards).
   */
  private record TwoRecordings(Tape first, Var firstLoss, Tape second, Var secondLoss,
      double[] theta, double[] v, double[] secondProduct) {}

  private TwoRecordings twoRecordings(int m) {
    Tape first = new Tape();
    Var firstLoss = smallNet(first, 5);
    Tape second = new Tape();
    Var secondLoss = smallNet(second, 4);
    int p = first.parameterCount();
    double[] theta = TestVectors.gaussian(rnd, p);
    double[] v = TestVectors.gaussian(rnd, p * m);
    double[] product = new double[p * m];
    Hessians.hessianMatrixProduct(secondLoss, theta, v, m, null, product);
    second.releaseTangents();
    return new TwoRecordings(first, firstLoss, second, secondLoss, theta, v, product);
  }

  /** A two-layer net on {@code rows} random samples (same parameters whatever the rows). */
  private Var smallNet(Tape t, int rows) {
    return smallNet(t, rows, rnd);
  }

  /** {@link #smallNet(Tape, int)} with its samples drawn from {@code random}. */
  private static Var smallNet(Tape t, int rows, Random random) {
    Var x = t.constant(TestVectors.gaussian(random, rows * 3), rows, 3);
    Var w1 = t.variable(3, 4);
    Var b1 = t.variable(1, 4);
    Var w2 = t.variable(4, 2);
    double[] targets = new double[rows * 2];
    for (int i = 0; i < rows; i++) {
      targets[i * 2 + (i % 2)] = 1.0;
    }
    Var hidden = Ops.sigmoid(Ops.addRowBroadcast(Ops.matmul(x, w1), b1));
    return Ops.softmaxCrossEntropy(Ops.matmul(hidden, w2), t.constant(targets, rows, 2));
  }

  /** {@code H V} of {@code output} at the tape's current values, through the tape's own sweeps. */
  private static double[] secondOrderSweep(Tape t, Var output, double[] v, int m) {
    t.reverse(output, null);
    t.setTangents(v, m);
    t.forwardTangents(m);
    t.reverseTangents(output, null, m);
    double[] hv = new double[t.parameterCount() * m];
    t.getAdjointTangents(hv, m);
    return hv;
  }
}
