package org.dtheta.core;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Operands that do not fit are refused with a message naming the op and both shapes. */
class ShapeErrorsTest {

  /** Each binary op with a pair of shapes it must refuse. */
  static Stream<Arguments> misfits() {
    return Stream.of(
        misfit("matmul", Ops::matmul, 2, 3, 2, 3),
        misfit("matmul(A^T B)", Ops::matmulTransA, 2, 3, 4, 3),
        misfit("matmul(A B^T)", Ops::matmulTransB, 2, 3, 3, 2),
        misfit("addRowBroadcast", Ops::addRowBroadcast, 2, 3, 1, 4),
        misfit("addRowBroadcast", Ops::addRowBroadcast, 2, 3, 2, 3),
        misfit("add", Ops::add, 2, 3, 3, 2),
        misfit("sub", Ops::sub, 2, 3, 2, 4),
        misfit("mul", Ops::mul, 2, 3, 1, 3),
        misfit("div", Ops::div, 2, 3, 2, 1),
        misfit("squaredError", Ops::squaredError, 2, 3, 3, 3),
        misfit("binaryCrossEntropyWithLogits", Ops::binaryCrossEntropyWithLogits, 2, 3, 2, 2),
        misfit("softmaxCrossEntropy", Ops::softmaxCrossEntropy, 2, 3, 3, 2),
        misfit("addColumnBroadcast", Ops::addColumnBroadcast, 2, 3, 3, 1),
        misfit("addColumnBroadcast", Ops::addColumnBroadcast, 2, 3, 2, 3),
        misfit("addScalar", Ops::addScalar, 2, 3, 1, 3),
        misfit("addScalar", Ops::addScalar, 2, 3, 2, 3),
        misfit("mulScalar", Ops::mulScalar, 2, 3, 2, 1),
        misfit("concatRows", (a, b) -> Ops.concatRows(a, b), 2, 3, 2, 4),
        misfit("concatRows", (a, b) -> Ops.concatRows(a, a, b), 2, 3, 3, 2),
        misfit("concatColumns", (a, b) -> Ops.concatColumns(a, b), 2, 3, 3, 3),
        misfit("concatColumns", (a, b) -> Ops.concatColumns(a, a, b), 2, 3, 1, 3));
  }

  private static Arguments misfit(String op, BiFunction<Var, Var, Var> f, int ar, int ac, int br,
      int bc) {
    return Arguments.of(op, f, new int[] {ar, ac, br, bc});
  }

  @ParameterizedTest(name = "{0} {2}")
  @MethodSource("misfits")
  void misfittingShapesNameTheOpAndBothShapes(String op, BiFunction<Var, Var, Var> f, int[] s) {
    Tape t = new Tape();
    Var a = t.variable(s[0], s[1]);
    Var b = t.constant(new double[s[2] * s[3]], s[2], s[3]);
    int before = t.size();
    ShapeException e = assertThrows(ShapeException.class, () -> f.apply(a, b));
    String message = e.getMessage();
    assertTrue(message.startsWith(op + ":"), message);
    assertTrue(message.contains(s[0] + "x" + s[1]) && message.contains(s[2] + "x" + s[3]), message);
    assertTrue(t.size() == before, "a refused op must not be recorded");
  }

  /** Each slice with a range it must refuse: outside the matrix, reversed or empty. */
  static Stream<Arguments> badSlices() {
    return Stream.of(
        Arguments.of("sliceRows", -1, 2),
        Arguments.of("sliceRows", 1, 4),
        Arguments.of("sliceRows", 2, 1),
        Arguments.of("sliceRows", 2, 2),
        Arguments.of("sliceColumns", -1, 2),
        Arguments.of("sliceColumns", 3, 5),
        Arguments.of("sliceColumns", 3, 2),
        Arguments.of("sliceColumns", 0, 0));
  }

  @ParameterizedTest(name = "{0} [{1}, {2}) of 3x4")
  @MethodSource("badSlices")
  void slicesOutsideTheMatrixNameTheOpTheRangeAndTheShape(String op, int from, int to) {
    Tape t = new Tape();
    Var x = t.variable(3, 4);
    int before = t.size();
    ShapeException e = assertThrows(ShapeException.class, () -> {
      Var unused = op.equals("sliceRows") ? Ops.sliceRows(x, from, to)
          : Ops.sliceColumns(x, from, to);
    });
    String message = e.getMessage();
    assertTrue(message.startsWith(op + ":"), message);
    assertTrue(message.contains("3x4") && message.contains("[" + from + ", " + to + ")"), message);
    assertTrue(t.size() == before, "a refused op must not be recorded");
  }

  @Test
  void concatenationNeedsAPartAndOneTape() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Ops.concatRows());
    assertTrue(e.getMessage().startsWith("concatRows:"), e.getMessage());
    Var a = new Tape().variable(2, 2);
    Var b = new Tape().variable(2, 2);
    e = assertThrows(IllegalArgumentException.class, () -> Ops.concatColumns(a, b));
    assertTrue(e.getMessage().startsWith("concatColumns:")
        && e.getMessage().contains("different tapes"), e.getMessage());
  }

  @Test
  void fittingShapesAreAccepted() {
    Tape t = new Tape();
    Var a = t.variable(2, 3);
    Var b = t.variable(3, 4);
    Ops.matmul(a, b);
    Ops.matmulTransA(a, t.variable(2, 5));
    Ops.matmulTransB(a, t.variable(4, 3));
    Ops.addRowBroadcast(a, t.variable(1, 3));
    Ops.addColumnBroadcast(a, t.variable(2, 1));
    Ops.addScalar(a, t.variable(1, 1));
    Ops.mulScalar(a, t.variable(1, 1));
    Ops.concatRows(a, t.variable(1, 3), a);
    Ops.concatColumns(a, t.variable(2, 1));
    Ops.sliceRows(a, 0, 2);
    Ops.sliceColumns(a, 2, 3);
    assertTrue(t.size() == 11);
  }

  @Test
  void operandsFromAnotherTapeAreRefused() {
    Var a = new Tape().variable(2, 2);
    Var b = new Tape().variable(2, 2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ops.mul(a, b));
    assertTrue(e.getMessage().startsWith("mul:") && e.getMessage().contains("different tapes"),
        e.getMessage());
  }

  @Test
  void activeTargetsAreRefusedWhereTheyAreNotDifferentiated() {
    Tape t = new Tape();
    Var z = t.variable(2, 3);
    Var targets = t.variable(2, 3);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Ops.binaryCrossEntropyWithLogits(z, targets));
    assertTrue(e.getMessage().startsWith("binaryCrossEntropyWithLogits: targets"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Ops.softmaxCrossEntropy(z, targets));
    assertTrue(e.getMessage().startsWith("softmaxCrossEntropy: targets"), e.getMessage());
  }

  @Test
  void nonFiniteFactorsAreRefused() {
    Tape t = new Tape();
    Var w = t.variable(2, 3);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Ops.l2Penalty(w, Double.NaN));
    assertTrue(e.getMessage().startsWith("l2Penalty: coefficient"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Ops.scale(w, Double.POSITIVE_INFINITY));
    assertTrue(e.getMessage().startsWith("scale: factor"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Ops.pow(w, Double.NaN));
    assertTrue(e.getMessage().startsWith("pow: exponent"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Ops.addConstant(w, Double.NEGATIVE_INFINITY));
    assertTrue(e.getMessage().startsWith("addConstant: constant"), e.getMessage());
  }
}
