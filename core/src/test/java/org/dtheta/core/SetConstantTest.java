package org.dtheta.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@link Tape#setConstant}: rebinding a constant to new values of the same shape. */
class SetConstantTest {

  private static final int SAMPLES = 5;
  private static final int FEATURES = 3;
  private static final int HIDDEN = 4;
  private static final int CLASSES = 2;

  /** The recording in one method: data in, loss out (as the README advises). */
  private static Var record(Tape tape, double[] x, double[] targets) {
    Var xs = tape.constant(x, SAMPLES, FEATURES);
    Var t = tape.constant(targets, SAMPLES, CLASSES);
    Var w1 = tape.variable(FEATURES, HIDDEN);
    Var b1 = tape.variable(1, HIDDEN);
    Var w2 = tape.variable(HIDDEN, CLASSES);
    Var hidden = Ops.tanh(Ops.addRowBroadcast(Ops.matmul(xs, w1), b1));
    return Ops.add(Ops.softmaxCrossEntropy(Ops.matmul(hidden, w2), t), Ops.l2Penalty(w1, 0.01));
  }

  private static double[] oneHot(Random rnd) {
    double[] t = new double[SAMPLES * CLASSES];
    for (int i = 0; i < SAMPLES; i++) {
      t[i * CLASSES + rnd.nextInt(CLASSES)] = 1.0;
    }
    return t;
  }

  @Test
  void gradientAndHessianAfterRebindingAreThoseOfAFreshRecordingBitForBit() {
    Random rnd = new Random(5);
    double[] x0 = TestVectors.gaussian(rnd, SAMPLES * FEATURES);
    double[] t0 = oneHot(rnd);
    double[] x1 = TestVectors.gaussian(rnd, SAMPLES * FEATURES);
    double[] t1 = oneHot(rnd);
    double[] x0Before = x0.clone();

    Tape tape = new Tape();
    Var loss = record(tape, x0, t0);
    int p = tape.parameterCount();
    double[] theta = TestVectors.gaussian(rnd, p);
    double[] v = TestVectors.gaussian(rnd, p);
    Gradients.gradient(loss, theta); // evaluated on the first batch

    Var xs = tape.nodes().get(0);
    Var ts = tape.nodes().get(1);
    tape.setConstant(xs, x1);
    tape.setConstant(ts, t1);
    double[] gradient = new double[p];
    double value = Gradients.valueAndGradient(loss, theta, gradient);
    double[] hv = new double[p];
    Hessians.hessianVectorProduct(loss, theta, v, null, hv);

    Tape fresh = new Tape();
    Var freshLoss = record(fresh, x1, t1);
    double[] expectedGradient = new double[p];
    double expectedValue = Gradients.valueAndGradient(freshLoss, theta, expectedGradient);
    double[] expectedHv = new double[p];
    Hessians.hessianVectorProduct(freshLoss, theta, v, null, expectedHv);

    assertEquals(Double.doubleToLongBits(expectedValue), Double.doubleToLongBits(value));
    assertArrayEquals(expectedGradient, gradient, 0.0);
    assertArrayEquals(expectedHv, hv, 0.0);
    // the values were copied: the wrapped array of the first batch is untouched, and later
    // changes to the new values' array are not seen
    assertArrayEquals(x0Before, x0, 0.0);
    java.util.Arrays.fill(x1, 7.0);
    assertArrayEquals(expectedGradient, Gradients.gradient(loss, theta), 0.0);

    // rebinding back to the first batch gives the first batch's numbers again
    tape.setConstant(xs, x0);
    tape.setConstant(ts, t0);
    Tape first = new Tape();
    assertArrayEquals(Gradients.gradient(record(first, x0, t0), theta),
        Gradients.gradient(loss, theta), 0.0);
  }

  @Test
  void anOperatorTakenBeforeIsStaleAfterwards() {
    Random rnd = new Random(6);
    Tape tape = new Tape();
    Var loss = record(tape, TestVectors.gaussian(rnd, SAMPLES * FEATURES), oneHot(rnd));
    int p = tape.parameterCount();
    double[] theta = TestVectors.gaussian(rnd, p);
    HessianOperator h = Hessians.at(loss, theta);
    assertTrue(h.isValid());

    double[] x1 = TestVectors.gaussian(rnd, SAMPLES * FEATURES);
    tape.setConstant(tape.nodes().get(0), x1);

    assertFalse(h.isValid());
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> h.times(new double[p], new double[p]));
    assertTrue(e.getMessage().contains("stale") && e.getMessage().contains("setConstant"),
        e.getMessage());
    // a new operator answers for the new data
    double[] v = TestVectors.gaussian(rnd, p);
    double[] hv = new double[p];
    Hessians.at(loss, theta).times(v, hv);
    Tape tape2 = new Tape();
    Var loss2 = record(tape2, x1, tape.nodes().get(1).value().clone());
    double[] expected = new double[p];
    Hessians.at(loss2, theta).times(v, expected);
    assertArrayEquals(expected, hv, 0.0);
  }

  @Test
  void aWrongLengthIsRefusedNamingBothLengths() {
    Tape tape = new Tape();
    Var x = tape.constant(new double[6], 2, 3);
    ShapeException e =
        assertThrows(ShapeException.class, () -> tape.setConstant(x, new double[5]));
    String m = e.getMessage();
    assertTrue(m.startsWith("setConstant: 5 values for constant " + x), m);
    assertTrue(m.contains("exactly 2 x 3 = 6"), m);
  }

  @Test
  void aVariableOrAComputedNodeIsRefused() {
    Tape tape = new Tape();
    Var w = tape.variable(new double[] {1, 2}, 1, 2);
    Var y = Ops.square(w);
    IllegalArgumentException ev =
        assertThrows(IllegalArgumentException.class, () -> tape.setConstant(w, new double[2]));
    assertTrue(ev.getMessage().contains(w + " is not a constant but a variable"),
        ev.getMessage());
    assertTrue(ev.getMessage().contains("setVariables"), ev.getMessage());
    IllegalArgumentException ec =
        assertThrows(IllegalArgumentException.class, () -> tape.setConstant(y, new double[2]));
    assertTrue(ec.getMessage().contains(y + " is not a constant but a computed node"),
        ec.getMessage());
    assertArrayEquals(new double[] {1, 2}, w.value(), 0.0);
  }

  @Test
  void anotherTapesConstantIsRefused() {
    Tape tape = new Tape();
    Tape other = new Tape();
    Var c = other.constant(new double[] {1, 2}, 1, 2);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> tape.setConstant(c, new double[2]));
    assertTrue(e.getMessage().contains(c + " belongs to another tape"), e.getMessage());
    assertArrayEquals(new double[] {1, 2}, c.value(), 0.0);
  }

  @Test
  void takesTheTapesThreadGuard() throws Exception {
    Tape tape = new Tape();
    Var c = tape.constant(new double[] {1, 2}, 1, 2);
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    try (Tape.Use u = tape.use()) {
      Thread other = new Thread(() -> {
        try {
          tape.setConstant(c, new double[] {3, 4});
        } catch (Throwable t) {
          thrown.set(t);
        }
      }, "rebinder");
      other.start();
      other.join();
    }
    assertTrue(thrown.get() instanceof IllegalStateException, String.valueOf(thrown.get()));
    assertTrue(thrown.get().getMessage().contains("tape is in use by thread"),
        thrown.get().getMessage());
    assertArrayEquals(new double[] {1, 2}, c.value(), 0.0);
    tape.setConstant(c, new double[] {3, 4}); // free again
    assertArrayEquals(new double[] {3, 4}, c.value(), 0.0);
  }
}
