package org.dtheta.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The tape's contract beyond the derivatives: debug mode, replay without allocation, messages. */
class TapeBehaviourTest {

  @Test
  void debugModeIsOffByDefaultAndLetsNaNThrough() {
    Tape t = new Tape();
    assertFalse(t.isDebug());
    Var x = t.variable(new double[] {-1.0, 2.0}, 1, 2);
    Var y = Ops.log(x);
    assertTrue(Double.isNaN(y.value()[0]));
  }

  @Test
  void debugModeNamesTheFirstOpProducingNaNWhenRecording() {
    Tape t = new Tape().setDebug(true);
    Var x = t.variable(new double[] {-1.0, 2.0}, 1, 2);
    Ops.square(x);
    NonFiniteValueException e = assertThrows(NonFiniteValueException.class, () -> Ops.log(x));
    assertTrue(e.getMessage().startsWith("log (op #1 of 2"), e.getMessage());
    assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("index 0"), e.getMessage());
  }

  @Test
  void debugModeNamesTheFirstOpProducingInfinityOnReplay() {
    Tape t = new Tape();
    Var x = t.variable(new double[] {1.0, 2.0}, 1, 2);
    Var loss = Ops.sum(Ops.exp(Ops.log(Ops.square(x))));
    t.setDebug(true);
    // log(0) = -inf at entry 1; exp(-inf) = 0 would hide it further down
    NonFiniteValueException e = assertThrows(NonFiniteValueException.class,
        () -> Gradients.gradient(loss, new double[] {1.0, 0.0}));
    assertTrue(e.getMessage().startsWith("log (op #1 of 4"), e.getMessage());
    assertTrue(e.getMessage().contains("-Infinity") && e.getMessage().contains("index 1"),
        e.getMessage());
  }

  @Test
  void replayAtNewInputsKeepsEveryBuffer() {
    Random rnd = new Random(11);
    Tape t = new Tape();
    Var loss = richFunction(t, rnd);
    int p = t.parameterCount();
    int m = 3;
    double[] result = new double[p * m];
    double[] gradient = new double[p];
    Hessians.hessianMatrixProduct(loss, TestVectors.gaussian(rnd, p),
        TestVectors.gaussian(rnd, p * m), m, gradient, result);
    List<Object> before = buffers(t);
    Hessians.hessianMatrixProduct(loss, TestVectors.gaussian(rnd, p),
        TestVectors.gaussian(rnd, p * m), m, gradient, result);
    Hessians.hessianVectorProduct(loss, TestVectors.gaussian(rnd, p),
        TestVectors.gaussian(rnd, p), gradient, new double[p]);
    List<Object> after = buffers(t);
    assertEquals(before.size(), after.size(), "number of buffers");
    for (int i = 0; i < before.size(); i++) {
      assertSame(before.get(i), after.get(i), "buffer " + i + " was re-allocated");
    }
  }

  @Test
  void moreDirectionsGrowTheTangentBuffers() {
    Tape t = new Tape();
    Var x = t.variable(new double[] {1, 2, 3, 4}, 2, 2);
    Var loss = Ops.sum(Ops.square(x));
    double[] h = new double[4 * 2];
    Hessians.hessianMatrixProduct(loss, new double[4], new double[4 * 2], 2, null, h);
    double[] tangent = x.tangent();
    Hessians.hessianMatrixProduct(loss, new double[4], new double[4 * 3], 3, null, new double[12]);
    assertTrue(x.tangent() != tangent && x.tangent().length == 12);
  }

  @Test
  void releasedTangentsAreDroppedAndTheNextSweepGivesTheSameProduct() {
    Random rnd = new Random(12);
    Tape t = new Tape();
    Var loss = richFunction(t, rnd);
    int p = t.parameterCount();
    int m = 4;
    double[] x = TestVectors.gaussian(rnd, p);
    double[] v = TestVectors.gaussian(rnd, p * m);
    double[] before = new double[p * m];
    Hessians.hessianMatrixProduct(loss, x, v, m, null, before);
    t.releaseTangents();
    for (Var node : t.nodes()) {
      assertTrue(node.tangent() == null && node.adjointTangent() == null, node.toString());
      assertTrue(!node.isActive() || node.adjoint() != null, "adjoints stay: " + node);
    }
    double[] after = new double[p * m];
    Hessians.hessianMatrixProduct(loss, x, v, m, null, after);
    org.junit.jupiter.api.Assertions.assertArrayEquals(before, after, 0.0);
  }

  @Test
  void wrongLengthVectorsAreRefusedWithBothLengths() {
    Tape t = new Tape();
    Var w = t.variable(2, 3);
    Var b = t.variable(1, 3);
    Var loss = Ops.sum(Ops.square(Ops.addRowBroadcast(w, b)));
    assertMessage("parameter vector has length 8, the tape's variables need 9",
        () -> t.setVariables(new double[8]));
    assertMessage("Gradients.gradient: x has length 10, expected P = 9",
        () -> Gradients.gradient(loss, new double[10]));
    assertMessage("Gradients.valueAndGradient: gradient has length 3, expected P = 9",
        () -> Gradients.valueAndGradient(loss, new double[9], new double[3]));
    assertMessage("Hessians.hessianMatrixProduct: directions has length 17, expected P*m = 9*2 = 18",
        () -> Hessians.hessianMatrixProduct(loss, new double[9], new double[17], 2, null,
            new double[18]));
    assertMessage("Hessians.hessianMatrixProduct: result has length 9, expected P*m = 9*2 = 18",
        () -> Hessians.hessianMatrixProduct(loss, new double[9], new double[18], 2, null,
            new double[9]));
    assertMessage("Hessians.hessianMatrixProduct: m = 0, expected at least 1",
        () -> Hessians.hessianMatrixProduct(loss, new double[9], new double[9], 0, null,
            new double[9]));
    Var rowSums = Ops.sumRows(w);
    assertMessage("Gradients.vectorJacobianProduct: u has length 3, expected output.size() = 2",
        () -> Gradients.vectorJacobianProduct(rowSums, new double[9], new double[3],
            new double[9]));
  }

  @Test
  void constantsAreWrappedAndReadOnReplay() {
    Tape t = new Tape();
    double[] data = {1.0, 2.0};
    Var c = t.constant(data, 1, 2);
    Var w = t.variable(new double[] {3.0, 4.0}, 1, 2);
    Var loss = Ops.sum(Ops.mul(c, w));
    assertEquals(11.0, loss.scalar(), 0.0);
    data[1] = -2.0;
    assertEquals(-5.0, DerivativeChecks.lossAt(new OpCase.Built(t, loss, loss, new double[] {3, 4}),
        new double[] {3.0, 4.0}), 0.0);
    assertFalse(c.isActive());
  }

  /** A function touching every op kind, so every op's buffers are checked. */
  private static Var richFunction(Tape t, Random rnd) {
    Var x = t.constant(TestVectors.gaussian(rnd, 4 * 3), 4, 3);
    Var w = t.variable(3, 5);
    Var b = t.variable(1, 5);
    Var a = Ops.tanh(Ops.addRowBroadcast(Ops.matmul(x, w), b));
    Var v = t.variable(5, 2);
    Var logits = Ops.matmul(a, v);
    Var targets = t.constant(new double[] {1, 0, 0, 1, 1, 0, 0, 1}, 4, 2);
    List<Var> terms = new ArrayList<>();
    terms.add(Ops.softmaxCrossEntropy(logits, targets));
    terms.add(Ops.binaryCrossEntropyWithLogits(logits, targets));
    terms.add(Ops.squaredError(Ops.softmaxRows(logits), targets));
    terms.add(Ops.mean(Ops.logSoftmaxRows(logits)));
    terms.add(Ops.sum(Ops.div(Ops.sumRows(a), Ops.exp(Ops.meanRows(a)))));
    terms.add(Ops.sum(Ops.mul(Ops.sumColumns(a), Ops.meanColumns(a))));
    terms.add(Ops.sum(Ops.matmulTransA(a, a)));
    terms.add(Ops.sum(Ops.matmulTransB(a, a)));
    terms.add(Ops.l2Penalty(w, 0.1));
    Var total = terms.get(0);
    for (int i = 1; i < terms.size(); i++) {
      total = i % 2 == 0 ? Ops.add(total, terms.get(i)) : Ops.sub(total, Ops.scale(terms.get(i), 0.5));
    }
    return total;
  }

  /** Every value, adjoint, tangent and work buffer of the tape, in a fixed order. */
  private static List<Object> buffers(Tape t) {
    List<Object> all = new ArrayList<>();
    for (Var v : t.nodes()) {
      all.add(v.value());
      if (v.isActive()) {
        all.add(v.adjoint());
        all.add(v.tangent());
        all.add(v.adjointTangent());
      }
    }
    for (Op op : t.ops()) {
      for (double[] scratch : op.scratchBuffers()) {
        if (scratch != null) {
          all.add(scratch);
        }
      }
    }
    return all;
  }

  private static void assertMessage(String expectedStart, org.junit.jupiter.api.function.Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().startsWith(expectedStart), "message was: " + e.getMessage());
  }

  @Test
  void oneVariablesTangentsChangedAloneGiveTheBitsOfAFullLoad() {
    Random rnd = new Random(3);
    Tape t = new Tape();
    Var a = t.variable(TestVectors.gaussian(rnd, 6 * 4), 6, 4);
    Var w = t.variable(TestVectors.gaussian(rnd, 4 * 3), 4, 3);
    Var loss = Ops.sum(Ops.tanh(Ops.matmul(Ops.sigmoid(a), w)));
    int p = t.parameterCount();
    int m = 5;
    t.forward();
    t.reverse(loss, null);
    // a sweep with directions on both variables leaves a's tangents as loaded ...
    double[] first = TestVectors.gaussian(rnd, p * m);
    t.setTangents(first, m);
    t.forwardTangents(m);
    t.reverseTangents(loss, null, m);
    // ... so directions that differ from them in w only need w's block
    double[] second = first.clone();
    double[] block = TestVectors.gaussian(rnd, w.size() * m);
    System.arraycopy(block, 0, second, t.parameterOffset(w) * m, block.length);
    t.setTangents(w, block, m);
    assertFalse(t.holdsLoadedTangents(m));
    t.forwardTangents(m);
    t.reverseTangents(loss, null, m);
    double[] partial = new double[p * m];
    t.getAdjointTangents(partial, m);
    t.setTangents(second, m);
    t.forwardTangents(m);
    t.reverseTangents(loss, null, m);
    double[] full = new double[p * m];
    t.getAdjointTangents(full, m);
    org.junit.jupiter.api.Assertions.assertArrayEquals(full, partial);
    double[] before = full.clone();
    t.setTangents(w, new double[w.size() * m], m);
    t.forwardTangents(m);
    t.reverseTangents(loss, null, m);
    t.getAdjointTangents(partial, m);
    assertFalse(java.util.Arrays.equals(before, partial), "w's directions were replaced");
    Var c = t.constant(new double[3], 1, 3);
    assertThrows(IllegalArgumentException.class, () -> t.setTangents(c, new double[3 * m], m));
    assertThrows(IllegalArgumentException.class, () -> t.setTangents(w, new double[w.size()], m));
    assertThrows(IllegalArgumentException.class,
        () -> t.setTangents(new Tape().variable(4, 3), new double[12 * m], m));
  }
}
